using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>A request a receiver got: its headers, its body's bytes, and when it arrived (Unix milliseconds).</summary>
public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, byte[] Body, long ReceivedAt)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public System.Text.Json.Nodes.JsonNode Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!;

    public string Id => Headers["webhook-id"];
}

/// <summary>
/// A webhook receiver: Kestrel on 127.0.0.1 (a free port) in this process, recording every request and the TCP
/// connections made to it, and answering as <see cref="Respond"/> says (200 by default).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, int> _active = new();
    private int _connections;
    private int _inFlight;
    private int _maxInFlight;
    private int _overlaps;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>TCP connections accepted, whether or not a request followed.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The most requests this receiver was answering at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Requests that arrived while another of the same webhook-id was still being answered.</summary>
    public int Overlaps => Volatile.Read(ref _overlaps);

    public Uri Address { get; private set; } = null!;

    public string Url => new Uri(Address, "/hook").ToString();

    /// <summary>How to answer a request (called after it is recorded); the token ends when the receiver stops.</summary>
    public Func<ReceivedWebhook, HttpContext, CancellationToken, Task> Respond { get; set; } = (_, _, _) => Task.CompletedTask;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        WebhookReceiver? receiver = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => async connection =>
        {
            Interlocked.Increment(ref receiver!._connections);
            await next(connection);
        })));
        var app = builder.Build();
        receiver = new WebhookReceiver(app);
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            headers["content-type"] = context.Request.ContentType ?? "";
            var received = new ReceivedWebhook(headers, body.ToArray(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            receiver.Received.Enqueue(received);
            var inFlight = Interlocked.Increment(ref receiver._inFlight);
            int max;
            while (inFlight > (max = Volatile.Read(ref receiver._maxInFlight)) && Interlocked.CompareExchange(ref receiver._maxInFlight, inFlight, max) != max)
            {
            }
            var id = headers.GetValueOrDefault("webhook-id", "");
            if (receiver._active.AddOrUpdate(id, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref receiver._overlaps);
            }
            try
            {
                await receiver.Respond(received, context, receiver._stopping.Token);
            }
            finally
            {
                receiver._active.AddOrUpdate(id, 0, (_, n) => n - 1);
                Interlocked.Decrement(ref receiver._inFlight);
            }
        });
        await app.StartAsync();
        receiver.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return receiver;
    }

    /// <summary>Waits until <paramref name="done"/> holds for what was received, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<IReadOnlyCollection<ReceivedWebhook>, bool> done, TimeSpan? timeout = null, string what = "the expected requests")
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!done(Received))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The receiver did not get {what} in time; it got {Received.Count}.");
            }
            await Task.Delay(20);
        }
    }

    public Task WaitForCountAsync(int count, TimeSpan? timeout = null) => WaitForAsync(r => r.Count >= count, timeout, $"{count} requests");

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await _app.StopAsync(stop.Token);
        }
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}

/// <summary>A port that accepts TCP connections and counts them, sending nothing: what a target that must never be reached looks like.</summary>
public sealed class CountingListener : IDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener;
    private int _accepted;

    public CountingListener(IPAddress address)
    {
        _listener = new System.Net.Sockets.TcpListener(address, 0);
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var socket = await _listener.AcceptSocketAsync();
                Interlocked.Increment(ref _accepted);
            }
        }
        catch (Exception exception) when (exception is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
        }
    }

    public void Dispose() => _listener.Stop();
}
