using System.Collections.Concurrent;
using System.Text.Json;
using Salpre.Gateway.Keys;

namespace Salpre.Gateway.Simulation;

/// <summary>What a simulation needs: the gateway, a key with the read and ingest scopes, the boxes, and how fast time runs.</summary>
public sealed record SimulationOptions(Uri Gateway, string Key, IReadOnlyList<string> Serials, double Speed);

/// <summary>
/// Simulated Salpre Boxes, driving the gateway over HTTP as real boxes do: each sends a heartbeat every 30 s, and
/// every new call on its serial goes through a realistic lifecycle — ringing after 1-3 s; then answered and talked
/// through (with a transcript), or busy, no-answer, failed or canceled by realistic odds. <c>Speed</c> divides every
/// wait, so a demo can show calls moving in seconds.
/// </summary>
public sealed partial class BoxSimulator(HttpClient http, SimulationOptions options, ILogger logger)
{
    private static readonly string[] s_lines =
    [
        "Agent: Hello, this is the Salpre assistant. Is now a good time?\nCustomer: Yes, go ahead.",
        "Agent: I'm calling to confirm your appointment tomorrow at 14:30.\nCustomer: That's fine, thank you.",
        "Agent: Your order has left our warehouse and arrives in two days.\nCustomer: Great, thanks.",
        "Agent: Could you rate our service from one to five?\nCustomer: I'd say four.",
    ];

    private readonly ConcurrentDictionary<string, byte> _driven = new();

    /// <summary>Runs until cancelled; every call it started is finished or abandoned when it returns.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task> { Task.Run(() => Guarded(HeartbeatsAsync, cancellationToken), CancellationToken.None) };
        while (!cancellationToken.IsCancellationRequested)
        {
            await Guarded(async ct =>
            {
                foreach (var serial in options.Serials)
                {
                    foreach (var callId in await NewCallsAsync(serial, ct))
                    {
                        if (_driven.TryAdd(callId, 0))
                        {
                            running.Add(Guarded(token => DriveAsync(callId, token), ct));
                        }
                    }
                }
                running.RemoveAll(task => task.IsCompleted);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }, cancellationToken);
        }
        await Task.WhenAll(running);
    }

    /// <summary>Runs a piece of the simulation; an unreachable gateway is logged and a cancellation ends it quietly.</summary>
    private async Task Guarded(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (HttpRequestException exception)
        {
            LogUnreachable(logger, exception.Message);
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
        }
    }

    private async Task HeartbeatsAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var serial in options.Serials)
            {
                await SendAsync("api/gateway/v1/salprebox/heartbeat", new
                {
                    serial_no = serial,
                    battery_level = 60 + Random.Shared.Next(40),
                    firmware_version = "2.3.1",
                }, cancellationToken);
            }
            await WaitAsync(30, cancellationToken);
        }
    }

    private async Task<IEnumerable<string>> NewCallsAsync(string serial, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"api/gateway/v1/call/list?status=initiated&per_page=100&from={Uri.EscapeDataString("salprebox:" + serial)}");
        request.Headers.Add(KeyAuthenticationMiddleware.Header, options.Key);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return [.. page.RootElement.GetProperty("data").EnumerateArray().Select(call => call.GetProperty("call_id").GetString()!)];
    }

    /// <summary>One call's life, as a box on a real line would report it.</summary>
    private async Task DriveAsync(string callId, CancellationToken cancellationToken)
    {
        await WaitAsync(1 + Random.Shared.NextDouble() * 2, cancellationToken);
        await ReportAsync(callId, "ringing", "dialing", cancellationToken);
        var roll = Random.Shared.NextDouble();
        if (roll < 0.65)
        {
            await WaitAsync(3 + Random.Shared.NextDouble() * 9, cancellationToken);
            await ReportAsync(callId, "in-progress", "answered", cancellationToken);
            await WaitAsync(20 + Random.Shared.NextDouble() * 160, cancellationToken);
            if (Random.Shared.NextDouble() < 0.03)
            {
                await ReportAsync(callId, "failed", "line dropped", cancellationToken);
                return;
            }
            await SendAsync($"api/gateway/v1/call/{callId}/events", new
            {
                status = "completed",
                detail = "hung up",
                audio_record_url = $"https://recordings.example.com/sim/{callId}.mp3",
                transcript = $"{s_lines[0]}\n{s_lines[1 + Random.Shared.Next(s_lines.Length - 1)]}\nAgent: Have a nice day!",
                variables = new { outcome = "confirmed", simulated = true },
            }, cancellationToken);
        }
        else if (roll < 0.80)
        {
            await WaitAsync(30, cancellationToken);
            await ReportAsync(callId, "no-answer", "no answer after 30 s", cancellationToken);
        }
        else if (roll < 0.90)
        {
            await WaitAsync(1 + Random.Shared.NextDouble() * 2, cancellationToken);
            await ReportAsync(callId, "busy", "line busy", cancellationToken);
        }
        else if (roll < 0.95)
        {
            await WaitAsync(1 + Random.Shared.NextDouble() * 4, cancellationToken);
            await ReportAsync(callId, "failed", "network unreachable", cancellationToken);
        }
        else
        {
            await WaitAsync(2 + Random.Shared.NextDouble() * 4, cancellationToken);
            await ReportAsync(callId, "canceled", "canceled before answer", cancellationToken);
        }
    }

    private Task ReportAsync(string callId, string status, string detail, CancellationToken cancellationToken) =>
        SendAsync($"api/gateway/v1/call/{callId}/events", new { status, detail }, cancellationToken);

    private async Task SendAsync<T>(string path, T body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(KeyAuthenticationMiddleware.Header, options.Key);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            LogRefused(logger, path, (int)response.StatusCode);
        }
    }

    private Task WaitAsync(double seconds, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromSeconds(Math.Max(0.01, seconds / options.Speed)), cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulated box: the gateway did not answer: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated box: {Path} answered {Status}")]
    private static partial void LogRefused(ILogger logger, string path, int status);
}
