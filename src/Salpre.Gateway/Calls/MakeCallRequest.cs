using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Salpre.Gateway.Hosting;
using Microsoft.Extensions.Primitives;
using PhoneNumbers;
using Salpre.Gateway.Devices;

namespace Salpre.Gateway.Calls;

/// <summary>
/// A make-call request, read from any of the three content types Salpre's Make Call page allows: multipart form,
/// URL-encoded form, or JSON. Fields other than <c>from</c>, <c>to</c> and <c>agent_id</c> are ignored, so a
/// client cannot set a call's status, id or account.
/// </summary>
public sealed record MakeCallRequest(string Serial, string To, long AgentId)
{
    private static readonly PhoneNumberUtil s_phones = PhoneNumberUtil.GetInstance();

    public string From => DevicesApi.SerialPrefix + Serial;

    /// <summary>What identifies the request for its idempotency key: the normalised fields.</summary>
    public byte[] Fingerprint() => SHA256.HashData(Encoding.UTF8.GetBytes($"{From}\n{To}\n{AgentId.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>The request, or why its body was refused (unreadable, or the name of its first invalid field).</summary>
    public static async Task<(MakeCallRequest? Request, BodyRefusal? Refusal)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string? from, to, agent;
        if (request.HasFormContentType)
        {
            var (form, refusal) = await RequestBodies.ReadFormAsync(request, cancellationToken);
            if (form is null)
            {
                return (null, refusal);
            }
            (from, to, agent) = (Single(form["from"]), Single(form["to"]), Single(form["agent_id"]));
        }
        else
        {
            var (json, refusal) = await RequestBodies.ReadJsonObjectAsync(request, cancellationToken);
            if (json is null)
            {
                return (null, refusal);
            }
            using (json)
            {
                (from, to, agent) = (Text(json.RootElement, "from"), Text(json.RootElement, "to"), Text(json.RootElement, "agent_id"));
            }
        }

        if (from is null || !from.StartsWith(DevicesApi.SerialPrefix, StringComparison.Ordinal)
            || !DevicesApi.IsSerial(from.AsSpan(DevicesApi.SerialPrefix.Length)))
        {
            return (null, BodyRefusal.Invalid("from"));
        }
        if (!TryNormalizePhone(to, out var e164))
        {
            return (null, BodyRefusal.Invalid("to"));
        }
        if (agent is not { Length: > 0 and <= 18 } || !agent.All(char.IsAsciiDigit)
            || !long.TryParse(agent, NumberStyles.None, CultureInfo.InvariantCulture, out var agentId))
        {
            return (null, BodyRefusal.Invalid("agent_id"));
        }
        return (new MakeCallRequest(from[DevicesApi.SerialPrefix.Length..], e164, agentId), null);
    }

    /// <summary>A dialable number in E.164 (<c>+905321234567</c>), checked against the numbering plan of its country.</summary>
    public static bool TryNormalizePhone(string? text, out string e164)
    {
        e164 = "";
        // An unescaped '+' in a URL-encoded form arrives as a space.
        if (text is [' ', ..])
        {
            text = string.Concat("+", text.AsSpan(1));
        }
        if (text is not { Length: >= 3 and <= 32 } || text[0] != '+')
        {
            return false;
        }
        try
        {
            var number = s_phones.Parse(text, null);
            if (!s_phones.IsValidNumber(number))
            {
                return false;
            }
            e164 = s_phones.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    /// <summary>A JSON field as text: strings as they are, integers as their digits (agent_id comes either way).</summary>
    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
