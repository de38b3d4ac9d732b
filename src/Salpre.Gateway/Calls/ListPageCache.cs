using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Salpre.Gateway.Calls;

/// <summary>Bound from the <c>ListPageCache</c> configuration section.</summary>
public sealed class ListPageCacheOptions
{
    public const string Section = "ListPageCache";

    public bool Enabled { get; set; } = true;

    /// <summary>The memory the kept pages may take.</summary>
    public int SizeMegabytes { get; set; } = 64;

    /// <summary>Larger pages are not kept.</summary>
    public int MaxPageKilobytes { get; set; } = 128;
}

/// <summary>
/// Rendered list pages, kept per account and query string together with the account's calls version they were read
/// at. A page is served again only while that version stands; any write to the account's calls moves the version in
/// the database, for every node and every process at once, so a kept page is never stale. Dashboards polling the same
/// page then cost one tiny version read instead of a page read and its rendering.
/// </summary>
public sealed class ListPageCache : IDisposable
{
    private readonly ListPageCacheOptions _options;
    private readonly MemoryCache? _pages;

    public ListPageCache(IOptions<ListPageCacheOptions> options)
    {
        _options = options.Value;
        _pages = _options.Enabled
            ? new MemoryCache(new MemoryCacheOptions { SizeLimit = _options.SizeMegabytes * 1024L * 1024 })
            : null;
    }

    public bool Enabled => _pages is not null;

    public byte[]? Find(long accountId, string query, long version) =>
        _pages?.Get<Page>(new Key(accountId, query)) is { } page && page.Version == version ? page.Body : null;

    public void Keep(long accountId, string query, long version, byte[] body)
    {
        if (_pages is null || body.Length > _options.MaxPageKilobytes * 1024)
        {
            return;
        }
        _pages.Set(new Key(accountId, query), new Page(version, body), new MemoryCacheEntryOptions { Size = body.Length + query.Length * 2 + 64 });
    }

    /// <summary>The entity tag of an account's list pages at a version; the query string completes it, as the URL.</summary>
    public static string ETag(long accountId, long version) => $"\"{accountId}-{version}\"";

    public void Dispose() => _pages?.Dispose();

    private readonly record struct Key(long AccountId, string Query);

    private sealed record Page(long Version, byte[] Body);
}
