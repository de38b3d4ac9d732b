using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Salpre.Client.Http;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>
/// The account's events feed: every accepted change of a call (and, when the gateway makes them, of a box's
/// connection), oldest first, kept 30 days. A receiver that was down catches up here from the last id it handled.
/// </summary>
public sealed class EventsClient
{
    /// <summary>How often <see cref="FollowAsync"/> asks for new events once it has caught up, unless told otherwise.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    private readonly SalpreTransport _transport;

    internal EventsClient(SalpreTransport transport) => _transport = transport;

    /// <summary>One page of the feed.</summary>
    public async Task<CursorPage<SalpreEvent>> ListAsync(EventListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var uri = _transport.Resolve("api/gateway/v1/events" + Query(options ?? new EventListOptions()));
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        return await SalpreTransport.ReadAsync(
            response, WireJsonContext.Default.CursorListEnvelopeJsonElement, envelope => envelope.ToPage(SalpreEvent.Of), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every event from where <paramref name="options"/> start to the end of the feed as it stands, page after page
    /// through the cursor; the next page is fetched while the caller works through the current one.
    /// </summary>
    public IAsyncEnumerable<SalpreEvent> ListAllAsync(EventListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pager.AllAsync(options ?? new EventListOptions(), ListAsync, page => page.Items, Next, cancellationToken);

    /// <summary>
    /// Follows the feed: every event from where <paramref name="options"/> start, then each new one as it comes,
    /// asking again every <paramref name="pollInterval"/> (1 s by default; on the client's
    /// <see cref="SalpreClientOptions.TimeProvider"/>) once it has caught up. It ends only when cancelled (or when a
    /// request fails after its retries); keep the last id handled to resume with <see cref="EventListOptions.After"/>.
    /// </summary>
    public async IAsyncEnumerable<SalpreEvent> FollowAsync(
        EventListOptions? options = null, TimeSpan? pollInterval = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero, nameof(pollInterval));
        var request = options ?? new EventListOptions();
        if (request.NewestFirst)
        {
            throw new ArgumentException("The feed is followed oldest first; NewestFirst reads what is there now.", nameof(options));
        }
        while (true)
        {
            var page = await ListAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return item;
            }
            // On through the cursor while there is more; once caught up, from the last event seen (the last page has no cursor).
            request = Next(request, page) ?? (page.Items.Count > 0 ? request with { After = page.Items[^1].Id, Cursor = null } : request);
            if (!page.HasNext)
            {
                await Task.Delay(interval, _transport.Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static EventListOptions? Next(EventListOptions request, CursorPage<SalpreEvent> page) =>
        !page.HasNext || page.Items.Count == 0 ? null
        : page.NextCursor is { } cursor ? request with { Cursor = cursor, After = null }
        : request with { After = page.Items[^1].Id, Cursor = null };

    private static string Query(EventListOptions options)
    {
        var query = new StringBuilder();
        CallListQuery.Add(query, "per_page", options.PerPage?.ToString(CultureInfo.InvariantCulture));
        CallListQuery.Add(query, "after", options.After);
        CallListQuery.Add(query, "order", options.NewestFirst ? "desc" : null);
        CallListQuery.Add(query, "cursor", options.Cursor);
        if (options.Types is { Count: > 0 } types)
        {
            CallListQuery.Add(query, "type", string.Join(',', types));
        }
        return query.ToString();
    }
}
