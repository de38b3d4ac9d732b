using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Salpre.Cli.Output;
using Salpre.Client;

namespace Salpre.Cli.Commands;

/// <summary>
/// <c>salpre listen --forward-to URL</c>: follows the events feed and sends each new event to a local URL as the
/// gateway's webhooks would (the same body, Standard Webhooks headers, signed), for developing a receiver without a
/// public address. One line per event with the receiver's answer; nothing is retried.
/// </summary>
public static class ListenCommand
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private static readonly ProductInfoHeaderValue s_userAgent = new("salpre-cli", typeof(ListenCommand).Assembly.GetName().Version?.ToString(3));

    public static Command Create(CliContext context)
    {
        var feed = new FeedOptions();
        var forwardTo = new Option<Uri>("--forward-to")
        {
            Description = "Where to send each event, e.g. http://localhost:3000/hook.",
            Required = true,
            CustomParser = result => GlobalOptions.HttpUrl(result, "--forward-to"),
        };
        var secret = new Option<string?>("--secret") { Description = "Sign with this secret (whsec_...); by default a new one, printed at the start." };
        secret.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } given && !WebhookSignature.IsSecret(given))
            {
                result.AddError("--secret: a webhook secret is whsec_ and base64, as the gateway shows it.");
            }
        });
        var command = new Command("listen", "Forward each new event, signed as webhooks are, to a local URL (until Ctrl-C).")
        {
            forwardTo, secret, feed.Types, feed.After, feed.Interval,
        };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var target = parse.GetValue(forwardTo)!;
            var signingSecret = parse.GetValue(secret);
            var generated = signingSecret is null;
            signingSecret ??= WebhookSignature.NewSecret();
            var environment = context.Environment;
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
            return await feed.FollowAsync(
                client, parse, environment, keep: 0,
                async (item, token) => await environment.Out.WriteLineAsync(await ForwardAsync(http, target, signingSecret, item, token)),
                _ => environment.Error.WriteLineAsync(generated
                    ? $"Ready! Your webhook signing secret is {signingSecret} (^C to quit). Forwarding to {target}"
                    : $"Ready! Forwarding to {target}, signed with the secret given (^C to quit)."),
                cancellationToken);
        }));
        return command;
    }

    /// <summary>Sends one event as a webhook delivery would; the line to print: the event, then the receiver's answer or why none came.</summary>
    private static async Task<string> ForwardAsync(HttpClient http, Uri target, string secret, SalpreEvent item, CancellationToken cancellationToken)
    {
        // The event's bytes as the feed gave them: what the gateway's own deliveries carry.
        var body = Encoding.UTF8.GetBytes(item.RawJson ?? throw new InvalidOperationException("An event from the feed has its text."));
        var now = DateTimeOffset.UtcNow;
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.Add(s_userAgent);
        request.Headers.TryAddWithoutValidation(WebhookHeaders.IdHeader, item.Id);
        request.Headers.TryAddWithoutValidation(WebhookHeaders.TimestampHeader, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookHeaders.SignatureHeader, WebhookSignature.Sign(secret, item.Id, now, body));

        var line = $"{EventLines.Timestamp(item)}  {item.Type,-20} {item.Id}  -> ";
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var reason = string.IsNullOrEmpty(response.ReasonPhrase) ? "" : " " + response.ReasonPhrase;
            return line + $"{(int)response.StatusCode}{reason} ({clock.ElapsedMilliseconds} ms)";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return line + $"failed: no answer within {s_timeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException failure)
        {
            return line + $"failed: {failure.Message}";
        }
    }
}
