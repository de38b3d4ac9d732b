using System.Text.RegularExpressions;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Webhooks;

/// <summary>The README's Node receiver verifies a real delivery, and refuses it once a byte of it changes.</summary>
public sealed partial class ReadmeVerifierTests(WebhookGateway gateway) : IClassFixture<WebhookGateway>
{
    [Fact]
    public async Task The_READMEs_node_verifier_accepts_a_real_delivery_and_refuses_a_changed_one()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var parties = await gateway.PartiesAsync();
        var (_, secret) = await parties.CreateEndpointAsync(receiver.Url);
        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(1);
        var request = receiver.Received.Single();

        var verify = NodeBlock().Match(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"), TestContext.Current.CancellationToken));
        Assert.True(verify.Success, "README.md has no Node verifier");
        var script = Path.Combine(gateway.Directory, "verify.js");
        await File.WriteAllTextAsync(script, verify.Groups[1].Value + """

            const [secret, headers, body] = [process.argv[2], JSON.parse(process.argv[3]), process.argv[4]];
            console.log(verify(secret, headers, body) ? "valid" : "invalid");
            """, TestContext.Current.CancellationToken);
        var headers = System.Text.Json.JsonSerializer.Serialize(request.Headers.Where(h => h.Key.StartsWith("webhook-", StringComparison.Ordinal)).ToDictionary());

        var genuine = await Shell.RunAsync("node", script, secret, headers, request.Text);
        var changed = await Shell.RunAsync("node", script, secret, headers, request.Text.Replace("initiated", "completed", StringComparison.Ordinal));
        var otherSecret = await Shell.RunAsync("node", script, "whsec_" + Convert.ToBase64String(new byte[32]), headers, request.Text);

        Assert.Equal("valid", genuine.Output.Trim());
        Assert.Equal("invalid", changed.Output.Trim());
        Assert.Equal("invalid", otherSecret.Output.Trim());
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

    [GeneratedRegex("```js\n// Node[^\n]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex NodeBlock();
}
