using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Salpre.Client;
using Salpre.Client.Tests.Infrastructure;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Cli.Tests;

/// <summary>
/// <c>salpre listen</c> follows the real gateway's feed and forwards each new event to a receiver on 127.0.0.1 that
/// verifies it as a .NET receiver would: <see cref="WebhookSignature.Verify(IEnumerable{string}, WebhookHeaders, ReadOnlySpan{byte}, TimeSpan?, TimeProvider?)"/>
/// over ASP.NET Core's headers and the raw body, 204 when genuine and 401 when not.
/// </summary>
public sealed partial class ListenTests(GatewayServer gateway) : IClassFixture<GatewayServer>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A receiver that accepts only what <paramref name="secret"/> signed (read when each request comes).</summary>
    private static async Task<WebhookReceiver> VerifyingReceiverAsync(Func<string> secret)
    {
        var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (request, context, _) =>
        {
            var genuine = WebhookSignature.Verify([secret()], WebhookHeaders.From(context.Request.Headers), request.Body);
            context.Response.StatusCode = genuine ? StatusCodes.Status204NoContent : StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        return receiver;
    }

    [Fact]
    public async Task Listen_forwards_each_new_event_signed_as_a_webhook_and_the_receiver_verifies_it()
    {
        var secret = WebhookSignature.NewSecret();
        await using var receiver = await VerifyingReceiverAsync(() => secret);
        using var maker = await EventMaker.CreateAsync(gateway);
        await maker.CallAsync("busy");
        await using var listen = RunningCli.Start(SalpreRun.For(gateway, maker.Account.Key),
            "listen", "--forward-to", receiver.Url, "--secret", secret, "--interval", "0.05");
        await listen.WaitForAsync(run => run.Error.Contains("Ready!", StringComparison.Ordinal), "that it is ready");

        var callId = await maker.CallAsync("ringing");
        await listen.WaitForLinesAsync(2);
        var result = await listen.StopAsync();

        var feed = await maker.FeedAsync();
        var forwarded = feed.Skip(2).ToList();
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        // Only what came after it started, each once, as the feed has it to the byte.
        Assert.Equal(forwarded.Select(e => e.Id), receiver.Received.Select(r => r.Id));
        Assert.Equal(forwarded.Select(e => e.RawJson), receiver.Received.Select(r => r.Text));
        Assert.All(receiver.Received, r => Assert.Equal("application/json", r.Headers["content-type"]));
        Assert.All(receiver.Received, r => Assert.StartsWith("salpre-cli/", r.Headers["user-agent"], StringComparison.Ordinal));
        Assert.All(forwarded, e => Assert.Equal(callId, e.Call!.CallId));
        Assert.Equal(2, result.OutLines.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Matches($@"^\S+Z  {Regex.Escape(forwarded[i].Type)}\s+{forwarded[i].Id}  -> 204 No Content \(\d+ ms\)$", result.OutLines[i]);
        }
        Assert.Contains($"signed with the secret given", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_secret_listen_prints_the_one_it_signs_with()
    {
        string? printed = null;
        await using var receiver = await VerifyingReceiverAsync(() => printed!);
        using var maker = await EventMaker.CreateAsync(gateway);
        await using var listen = RunningCli.Start(SalpreRun.For(gateway, maker.Account.Key),
            "listen", "--forward-to", receiver.Url, "--types", "call.initiated", "--interval", "0.05");
        await listen.WaitForAsync(run => SecretLine().IsMatch(run.Error), "the secret it signs with");
        printed = SecretLine().Match(listen.Error).Groups[1].Value;

        await maker.CallAsync("ringing", "in-progress", "completed");
        await listen.WaitForLinesAsync(1);
        await maker.CallAsync("busy");
        await listen.WaitForLinesAsync(2);
        var result = await listen.StopAsync();

        Assert.True(WebhookSignature.IsSecret(printed));
        Assert.Equal(2, receiver.Received.Count);
        Assert.All(receiver.Received, r => Assert.Equal(EventTypes.CallInitiated, SalpreEvent.Parse(r.Body).Type));
        Assert.All(result.OutLines, line => Assert.Contains("-> 204", line, StringComparison.Ordinal));
        Assert.Contains("Stopped after 2 new events.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receiver_that_refuses_or_is_down_is_reported_and_listen_goes_on()
    {
        var theirs = WebhookSignature.NewSecret();
        await using var receiver = await VerifyingReceiverAsync(() => theirs);
        using var maker = await EventMaker.CreateAsync(gateway);
        var variables = SalpreRun.For(gateway, maker.Account.Key);
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await maker.CallAsync();
        var after = (await maker.FeedAsync())[^1].Id;

        await using var refused = RunningCli.Start(variables,
            "listen", "--forward-to", receiver.Url, "--secret", WebhookSignature.NewSecret(), "--after", after, "--interval", "0.05");
        await using var down = RunningCli.Start(variables,
            "listen", "--forward-to", $"http://127.0.0.1:{deadPort}/hook", "--after", after, "--interval", "0.05");
        await maker.CallAsync("ringing");
        await refused.WaitForLinesAsync(2);
        await down.WaitForLinesAsync(2);
        var refusedResult = await refused.StopAsync();
        var downResult = await down.StopAsync();

        Assert.Equal((ExitCodes.Success, ExitCodes.Success), (refusedResult.ExitCode, downResult.ExitCode));
        Assert.All(refusedResult.OutLines, line => Assert.EndsWith("ms)", line, StringComparison.Ordinal));
        Assert.All(refusedResult.OutLines, line => Assert.Contains("-> 401 Unauthorized", line, StringComparison.Ordinal));
        Assert.All(downResult.OutLines, line => Assert.Contains("-> failed: ", line, StringComparison.Ordinal));
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task A_forward_address_or_secret_that_is_not_one_is_a_usage_error()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var variables = SalpreRun.For(gateway, maker.Account.Key);

        var noTarget = await SalpreRun.RunAsync(variables, ["listen"]);
        var ftp = await SalpreRun.RunAsync(variables, ["listen", "--forward-to", "ftp://localhost/hook"]);
        var secret = await SalpreRun.RunAsync(variables, ["listen", "--forward-to", "http://localhost:3000/hook", "--secret", "whsec_not base64"]);
        var interval = await SalpreRun.RunAsync(variables, ["listen", "--forward-to", "http://localhost:3000/hook", "--interval", "0"]);

        Assert.All([noTarget, ftp, secret, interval], result => Assert.Equal(ExitCodes.Usage, result.ExitCode));
        Assert.Contains("--forward-to: 'ftp://localhost/hook' is not an http or https address.", ftp.Error, StringComparison.Ordinal);
        Assert.Contains("--secret: a webhook secret is whsec_ and base64", secret.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_READMEs_CSharp_receiver_accepts_what_listen_signs_with_its_secret_and_refuses_another()
    {
        var secret = WebhookSignature.NewSecret();
        await using var receiver = await LoopbackApp.StartAsync(app =>
        {
            // README receiver: from here to its end, the README's C# receiver, line for line.
            app.MapPost("/salpre", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                var body = await reader.ReadToEndAsync();                      // the raw body: verify it before parsing it
                if (!WebhookSignature.Verify([secret], WebhookHeaders.From(request.Headers), body))
                {
                    return Results.Unauthorized();
                }
                var evt = SalpreEvent.Parse(body);                             // deduplicate on evt.Id (the webhook-id)
                if (evt.Call is { } call)
                {
                    app.Logger.LogInformation("{Call} is {Status}, change {Sequence}", call.CallId, call.Status, call.Sequence);
                }
                return Results.NoContent();
            });
            // README receiver: end.
        });
        var url = new Uri(receiver.Address, "/salpre").ToString();
        using var maker = await EventMaker.CreateAsync(gateway);
        var variables = SalpreRun.For(gateway, maker.Account.Key);
        await maker.CallAsync();
        var after = (await maker.FeedAsync())[^1].Id;

        await using var genuine = RunningCli.Start(variables, "listen", "--forward-to", url, "--secret", secret, "--after", after, "--interval", "0.05");
        await using var forged = RunningCli.Start(variables, "listen", "--forward-to", url, "--secret", WebhookSignature.NewSecret(), "--after", after, "--interval", "0.05");
        await maker.CallAsync("ringing", "canceled");
        await genuine.WaitForLinesAsync(3);
        await forged.WaitForLinesAsync(3);

        Assert.All((await genuine.StopAsync()).OutLines, line => Assert.Contains("-> 204 No Content", line, StringComparison.Ordinal));
        Assert.All((await forged.StopAsync()).OutLines, line => Assert.Contains("-> 401 Unauthorized", line, StringComparison.Ordinal));
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "tests", "Salpre.Cli.Tests", "ListenTests.cs"), Cancel);
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"), Cancel);
        var tested = ReceiverInTest().Match(source).Groups[1].Value.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToList();
        var shown = ReceiverInReadme().Match(readme).Groups[1].Value.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToList();
        Assert.True(tested.Count > 10, "the test's receiver was not found");
        Assert.Equal(tested, shown);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "Salpre.slnx")))
        {
            directory = directory.Parent;
        }
        return directory.FullName;
    }

    [GeneratedRegex(@"// README receiver: from here[^\n]*\n(.*?)// README receiver: end\.", RegexOptions.Singleline)]
    private static partial Regex ReceiverInTest();

    [GeneratedRegex(@"```csharp\n// ASP\.NET Core minimal API with the Salpre\.Client package[^\n]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReceiverInReadme();

    [GeneratedRegex(@"Ready! Your webhook signing secret is (whsec_\S+) ")]
    private static partial Regex SecretLine();
}
