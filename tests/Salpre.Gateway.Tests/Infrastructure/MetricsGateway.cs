using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>A gateway with <c>Metrics:Enabled</c>, serving <c>/metrics</c> on a port of its own beside the API's.</summary>
public class MetricsGateway : GatewayFactory
{
    public MetricsGateway()
    {
        MetricsPort = FreePort();
        With("Metrics:Enabled", "true");
        With("Metrics:Urls", $"http://127.0.0.1:{MetricsPort}");
    }

    public int MetricsPort { get; }

    /// <summary>A client for the metrics listener.</summary>
    public HttpClient MetricsClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{MetricsPort}") };

    public async Task<Scrape> ScrapeAsync()
    {
        using var client = MetricsClient();
        var answer = await client.GetWireAsync("/metrics");
        Assert.Equal(200, answer.Status);
        return Scrape.Parse(answer.Body);
    }

    /// <summary>
    /// Scrapes until <paramref name="done"/> holds (a request's measurement lands just after its answer is sent), or
    /// gives the last scrape after 10 s, for the assertions to say what it shows.
    /// </summary>
    public async Task<Scrape> ScrapeUntilAsync(Func<Scrape, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var scrape = await ScrapeAsync();
            if (done(scrape) || DateTime.UtcNow > deadline)
            {
                return scrape;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A port free now (the OS gives a bound port 0 one; it is unlikely to hand it out again at once).</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

/// <summary>One sample line of the Prometheus text format: name, labels and value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A scrape in the Prometheus text format, parsed into samples.</summary>
public sealed class Scrape
{
    private Scrape(string text, IReadOnlyList<Sample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) => Samples
        .Where(sample => sample.Name == name && labels.All(l => sample.Labels.TryGetValue(l.Label, out var value) && value == l.Value))
        .Sum(sample => sample.Value);

    /// <summary>How much <paramref name="name"/> (with <paramref name="labels"/>) grew since <paramref name="before"/>.</summary>
    public double Since(Scrape before, string name, params (string Label, string Value)[] labels) =>
        Sum(name, labels) - before.Sum(name, labels);

    public static Scrape Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var labels = new Dictionary<string, string>();
            var at = line.IndexOfAny(['{', ' ']);
            var name = line[..at];
            if (line[at] == '{')
            {
                at++;
                while (line[at] != '}')
                {
                    var equals = line.IndexOf('=', at);
                    var label = line[at..equals];
                    at = equals + 2; // past ="
                    var value = new StringBuilder();
                    for (; line[at] != '"'; at++)
                    {
                        if (line[at] == '\\')
                        {
                            at++;
                            value.Append(line[at] == 'n' ? '\n' : line[at]);
                        }
                        else
                        {
                            value.Append(line[at]);
                        }
                    }
                    labels[label] = value.ToString();
                    at++; // past the closing quote
                    if (line[at] == ',')
                    {
                        at++;
                    }
                }
                at++; // past }
            }
            var rest = line[at..].Trim().Split(' ');
            var number = rest[0] switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var other => double.Parse(other, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(name, labels, number));
        }
        return new Scrape(text, samples);
    }
}
