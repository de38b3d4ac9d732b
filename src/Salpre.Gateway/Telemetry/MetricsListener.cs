namespace Salpre.Gateway.Telemetry;

/// <summary>
/// The ports <c>/metrics</c> is served on. A request belongs to the metrics listener by the port its connection
/// came in on, which a client cannot choose the way it chooses a Host header.
/// </summary>
public sealed class MetricsListener
{
    private readonly int[] _ports;

    private MetricsListener(int[] ports) => _ports = ports;

    public IReadOnlyList<int> Ports => _ports;

    public bool Serves(HttpContext context) => Array.IndexOf(_ports, context.Connection.LocalPort) >= 0;

    /// <summary>Null and a listener, or the reason <paramref name="metricsUrls"/> cannot be served apart from the API.</summary>
    public static string? TryCreate(string metricsUrls, string apiUrls, out MetricsListener? listener)
    {
        listener = null;
        if (!TryParsePorts(metricsUrls, out var ports) || ports.Count == 0)
        {
            return $"Metrics:Urls '{metricsUrls}' is not a list of addresses such as {MetricsOptions.DefaultUrls}.";
        }
        if (ports.Contains(0))
        {
            return $"Metrics:Urls '{metricsUrls}' needs a fixed port (not 0), so that the metrics listener can be told apart from the API's.";
        }
        if (TryParsePorts(apiUrls, out var apiPorts) && apiPorts.Intersect(ports).FirstOrDefault() is var shared and > 0)
        {
            return $"Metrics:Urls '{metricsUrls}' uses port {shared}, which the API listens on ({apiUrls}); give metrics a port of their own.";
        }
        listener = new MetricsListener([.. ports.Distinct()]);
        return null;
    }

    private static bool TryParsePorts(string urls, out List<int> ports)
    {
        ports = [];
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                var address = BindingAddress.Parse(url);
                if (address.IsNamedPipe || address.IsUnixPipe)
                {
                    return false;
                }
                ports.Add(address.Port);
            }
            catch (FormatException)
            {
                return false;
            }
        }
        return true;
    }
}
