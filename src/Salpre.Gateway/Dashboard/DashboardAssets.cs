using System.IO.Compression;
using System.Security.Cryptography;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// The dashboard's one script and one style sheet, embedded in the gateway: served under names that carry a hash of
/// their content (so a browser keeps them for a year and a new release is a new name), compressed once at start with
/// Brotli and gzip.
/// </summary>
public static class DashboardAssets
{
    private static readonly Dictionary<string, Asset> s_byName = Load();

    public static string Script { get; } = PathOf("dashboard.js");

    public static string Style { get; } = PathOf("dashboard.css");

    public static RouteHandlerBuilder MapDashboardAssets(this IEndpointRouteBuilder routes) =>
        routes.MapGet(DashboardPaths.Assets + "/{file}", Serve).ExcludeFromDescription();

    private static IResult Serve(string file, HttpContext context)
    {
        if (!s_byName.TryGetValue(file, out var asset))
        {
            return TypedResults.NotFound();
        }
        var accepted = context.Request.Headers.AcceptEncoding.ToString();
        var (body, encoding) = accepted.Contains("br", StringComparison.Ordinal) ? (asset.Brotli, "br")
            : accepted.Contains("gzip", StringComparison.Ordinal) ? (asset.Gzip, "gzip")
            : (asset.Plain, null);
        var headers = context.Response.Headers;
        headers.CacheControl = "public, max-age=31536000, immutable";
        headers.Vary = "Accept-Encoding";
        headers.ETag = asset.ETag;
        if (encoding is not null)
        {
            headers.ContentEncoding = encoding;
        }
        return TypedResults.Bytes(body, asset.ContentType);
    }

    private static string PathOf(string name) => s_byName.Single(pair => pair.Value.Name == name).Key is var file
        ? $"{DashboardPaths.Assets}/{file}"
        : throw new InvalidOperationException(name);

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in new[] { "dashboard.js", "dashboard.css" })
        {
            using var stream = assembly.GetManifestResourceStream("Salpre.Gateway.Dashboard.Assets." + name)
                ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var plain = copy.ToArray();
            var hash = Convert.ToHexStringLower(SHA256.HashData(plain))[..12];
            var dot = name.LastIndexOf('.');
            var file = $"{name[..dot]}.{hash}{name[dot..]}";
            var type = name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            assets[file] = new Asset(name, type, plain, Compress(plain, brotli: true), Compress(plain, brotli: false), $"\"{hash}\"");
        }
        return assets;
    }

    private static byte[] Compress(byte[] plain, bool brotli)
    {
        using var output = new MemoryStream();
        using (Stream compressor = brotli
                   ? new BrotliStream(output, CompressionLevel.SmallestSize)
                   : new GZipStream(output, CompressionLevel.SmallestSize))
        {
            compressor.Write(plain);
        }
        return output.ToArray();
    }

    /// <summary>The compressed sizes a first visit downloads (Brotli), for the bench report.</summary>
    public static IReadOnlyDictionary<string, int> CompressedSizes =>
        s_byName.Values.ToDictionary(asset => asset.Name, asset => asset.Brotli.Length);

    private sealed record Asset(string Name, string ContentType, byte[] Plain, byte[] Brotli, byte[] Gzip, string ETag);
}
