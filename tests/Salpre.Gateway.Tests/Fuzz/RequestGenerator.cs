using System.Globalization;
using System.Text;

namespace Salpre.Gateway.Tests.Fuzz;

/// <summary>
/// Generates requests for every endpoint from one <see cref="Random"/>: mostly well-formed requests with one part made
/// hostile (a value, a header, the body's shape or bytes), so that they reach deep into each endpoint rather than
/// stopping at its first check. Nothing it generates names a .NET type or looks like a stack trace, so any such text
/// in an answer came from the gateway.
/// </summary>
public sealed class RequestGenerator(Random random, FuzzTenant tenant)
{
    private const string Base = "/api/gateway/v1";

    private static readonly string[] s_statuses = ["initiated", "ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled"];
    private static readonly string[] s_zones = ["UTC", "Europe/Istanbul", "Asia/Tokyo", "America/Sao_Paulo", "Asia/Kathmandu", "Pacific/Kiritimati", "Etc/GMT+12"];

    // Hostile text, from the Big List of Naughty Strings' families and the gateway's own history.
    private static readonly string[] s_naughty =
    [
        "", " ", "null", "undefined", "true", "0", "-1", "-0", "1e400", "NaN", "Infinity", "0x10", "1.5", "\0", "a\0b", "\u0001", "\t",
        "\r\n", "\u001b[31m", "\u007f", "\u0085", "\u009f", "\u202e", "\u200f", "\u200d", "e\u0301\u0301", "\U0001D11E", "\U0001F44D\U0001F3FD",
        "\U0001F469\u200D\U0001F469\u200D\U0001F467", "田中さんにあげて下さい", "مرحبا", "שלום", "\uFEFF", "\uFFFE", "\uFFFF", "\uFFFD", "%00",
        "%ED%A0%80", "%FF", "'; DROP TABLE calls; --", "\" OR 1=1 --", "<script>alert(1)</script>", "../../../etc/passwd",
        "${jndi:ldap://x}", "{{7*7}}", "salprebox:", "salprebox:X", "+905321234567", "+1", "+9999999999999999999", "c1", "c0", "c-1",
        "c99999999999999999999", "9223372036854775807", "9223372036854775808", "99999999999999999999999999", "2025-10-01",
        "0001-01-01", "9999-12-31", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2025-10-01T10:00:00+14:00",
        "2025-10-01T10:00:00-12:00", "2025-13-40T25:61:61Z", "Europe/Istanbul", "America/Nowhere", "../zoneinfo/UTC",
        new string('a', 3000), new string('9', 400), new string('\u00e7', 700),
    ];

    // Bytes that are not UTF-8: overlong, stray continuation, CESU-8 surrogate, beyond U+10FFFF, cut short, 0xFF.
    private static readonly byte[][] s_invalidUtf8 = [[0xC0, 0xAE], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0xFE, 0xFF]];

    // JSON escapes that decode to text the gateway must refuse or keep exactly.
    private static readonly string[] s_escapes = ["\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u0000", "\\u0001", "\\u001f", "\\u007f", "\\u0085", "\\uffff", "\\uZZZZ", "\\x41", "\\"];

    public FuzzRequest Next() => random.Next(100) switch
    {
        < 20 => ListRequest(),
        < 28 => CallRequest(),
        < 40 => MakeCallJson(),
        < 48 => MakeCallUrlEncoded(),
        < 56 => MakeCallMultipart(),
        < 72 => EventRequest(),
        < 80 => HeartbeatRequest(),
        < 83 => Request("devices", HttpMethod.Get, $"{Base}/salprebox/device-list", null, null, writes: false),
        < 90 => AnyRoute(),
        < 97 => ConditionalList(),
        _ => Oversized(),
    };

    private FuzzRequest ListRequest()
    {
        var parts = new List<string>();
        for (var i = random.Next(6); i > 0; i--)
        {
            var name = Pick(["per_page", "page", "cursor", "status", "agent_id", "direction", "to", "from", "started_after",
                "started_before", "min_duration", "max_duration", "order", "include_total", "tz", "stauts", "PER_PAGE", "per_page[]", "a", "", "&"]);
            var value = name switch
            {
                "per_page" or "page" or "agent_id" or "min_duration" or "max_duration" => Pick(["1", "10", "100", "101", "0", "-1", "2147483648", "99999999999999999999", "1,2,3", Naughty()]),
                "status" => Pick([Pick(s_statuses), "completed,failed", "completed,,failed", ",", Naughty()]),
                "cursor" => Cursor(),
                "started_after" or "started_before" => Pick(["2025-10-01", "0001-01-01", "9999-12-31", "2025-10-01T10:00:00Z", "2025-10-01T10:00:00 03:00", Naughty()]),
                "tz" => Pick([.. s_zones, Naughty()]),
                "order" => Pick(["asc", "desc", Naughty()]),
                "direction" => Pick(["inbound", "outbound", Naughty()]),
                _ => Naughty(),
            };
            parts.Add($"{Escape(name)}={EscapeQueryValue(value)}");
        }
        return Request("list", HttpMethod.Get, $"{Base}/call/list?{string.Join('&', parts)}", null, null, writes: false);
    }

    private FuzzRequest ConditionalList()
    {
        var etag = tenant.ETags.Count > 0 ? Pick([.. tenant.ETags]) : "\"1-1\"";
        var headers = new List<KeyValuePair<string, string>> { new("If-None-Match", random.Next(2) == 0 ? etag : FlipAscii(etag)) };
        if (random.Next(4) == 0) headers.Add(new("Cache-Control", "no-cache"));
        return Request("conditional-list", HttpMethod.Get, $"{Base}/call/list?per_page={random.Next(1, 30)}", null, null, writes: false, headers);
    }

    private FuzzRequest CallRequest()
    {
        var id = random.Next(5) switch
        {
            0 => tenant.OtherCallId,
            1 => Escape(Naughty()),
            _ => OwnCallId(),
        };
        var path = random.Next(2) == 0 ? $"{Base}/call/{id}" : $"{Base}/call/{id}/logs";
        return Request("call", HttpMethod.Get, path, null, null, writes: false);
    }

    private FuzzRequest MakeCallJson()
    {
        var fields = MakeCallFields().Select(field => $"{JsonString(field.Key)}:{JsonValue(field.Value)}");
        var body = Utf8($"{{{string.Join(',', fields)}}}");
        return Request("make-call-json", HttpMethod.Post, $"{Base}/call/make-call", Mangle(body), JsonContentType(), writes: true, IdempotencyHeader());
    }

    private FuzzRequest MakeCallUrlEncoded()
    {
        var pairs = MakeCallFields().Select(field => $"{EscapeQueryValue(field.Key)}={EscapeQueryValue(field.Value)}").ToList();
        switch (random.Next(12))
        {
            case 0: pairs.AddRange(Enumerable.Range(0, 1025).Select(i => $"f{i}=1")); break;
            case 1: pairs.Add($"{new string('k', 2049)}=1"); break;
            case 2: pairs.Add("agent_id=%00"); break;
        }
        var contentType = Pick(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
            "application/x-www-form-urlencoded; charset=utf-7", "application/x-www-form-urlencoded; charset=latin1",
            "application/x-www-form-urlencoded; charset=nonsense", "application/x-www-form-urlencoded; charset=\"\""]);
        return Request("make-call-form", HttpMethod.Post, $"{Base}/call/make-call", Mangle(Utf8(string.Join('&', pairs))), contentType, writes: true, IdempotencyHeader());
    }

    private FuzzRequest MakeCallMultipart()
    {
        var boundary = random.Next(10) == 0 ? new string('b', 129) : $"fuzz{random.Next():x}";
        var body = new List<byte>();
        foreach (var (name, value) in MakeCallFields())
        {
            body.AddRange(Utf8($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n"));
            var extraHeaders = random.Next(15) switch { 0 => 17, 1 => 1, _ => 0 };
            for (var h = 0; h < extraHeaders; h++) body.AddRange(Utf8($"X-Part-{h}: {h}\r\n"));
            if (random.Next(30) == 0) body.AddRange(Utf8($"X-Long: {new string('h', 17 * 1024)}\r\n"));
            if (random.Next(20) == 0) body.AddRange(Utf8("Content-Type: text/plain; charset=utf-16\r\n"));
            body.AddRange(Utf8("\r\n"));
            body.AddRange(random.Next(10) == 0 ? Pick(s_invalidUtf8) : Utf8(value));
            body.AddRange(Utf8("\r\n"));
        }
        if (random.Next(6) != 0) body.AddRange(Utf8($"--{boundary}--\r\n")); // else: no closing delimiter
        var bytes = body.ToArray();
        if (random.Next(8) == 0) bytes = bytes[..random.Next(bytes.Length + 1)]; // cut short
        var contentType = random.Next(12) switch
        {
            0 => "multipart/form-data",
            1 => "multipart/form-data; boundary=",
            2 => $"multipart/form-data; boundary=other{boundary}",
            3 => $"multipart/form-data; boundary=\"{boundary}",
            _ => $"multipart/form-data; boundary={boundary}",
        };
        return Request("make-call-multipart", HttpMethod.Post, $"{Base}/call/make-call", bytes, contentType, writes: true, IdempotencyHeader());
    }

    private FuzzRequest EventRequest()
    {
        var status = random.Next(8) == 0 ? Naughty() : Pick(s_statuses);
        var fields = new List<string> { $"\"status\":{JsonValue(status)}" };
        if (random.Next(3) == 0) fields.Add($"\"at\":{JsonValue(Pick(["2025-10-01T10:00:00Z", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", Naughty()]))}");
        if (random.Next(3) == 0) fields.Add($"\"detail\":{JsonValue(Text())}");
        if (random.Next(3) == 0) fields.Add($"\"transcript\":{JsonValue(Text())}");
        if (random.Next(3) == 0) fields.Add($"\"audio_record_url\":{JsonValue(Pick(["https://example.com/a.mp3", "ftp://x", "javascript:alert(1)", Naughty()]))}");
        if (random.Next(3) == 0) fields.Add($"\"variables\":{Variables()}");
        var id = random.Next(6) == 0 ? (random.Next(2) == 0 ? tenant.OtherCallId : Escape(Naughty())) : OwnCallId();
        return Request("event", HttpMethod.Post, $"{Base}/call/{id}/events", Mangle(Utf8($"{{{string.Join(',', fields)}}}")), JsonContentType(), writes: true);
    }

    private FuzzRequest HeartbeatRequest()
    {
        var serial = random.Next(4) switch { 0 => Naughty(), 1 => "salprebox:" + tenant.Serial, 2 => tenant.DisconnectedSerial, _ => tenant.Serial };
        var fields = new List<string> { $"\"serial_no\":{JsonValue(serial)}" };
        if (random.Next(2) == 0) fields.Add($"\"battery_level\":{Pick(["50", "0", "100", "-1", "101", "1e400", "50.5", "\"50\"", "null", "99999999999999999999"])}");
        if (random.Next(2) == 0) fields.Add($"\"firmware_version\":{JsonValue(random.Next(3) == 0 ? Naughty() : "1.2.3")}");
        return Request("heartbeat", HttpMethod.Post, $"{Base}/salprebox/heartbeat", Mangle(Utf8($"{{{string.Join(',', fields)}}}")), JsonContentType(), writes: true);
    }

    private FuzzRequest AnyRoute()
    {
        var path = Pick(["/", "/healthz", "/readyz", "/openapi/v1.json", "/docs/", $"{Base}/call/list", $"{Base}/call/make-call",
            $"{Base}/call/{OwnCallId()}/events", $"{Base}/salprebox/device-list", $"{Base}/salprebox/heartbeat", $"{Base}/nothing",
            "/api/gateway/v2/call/list", $"{Base}/call/", $"{Base}//call/list", $"{Base}/call/list/", "/%2e%2e/%2e%2e/etc/passwd",
            $"{Base}/call/{Escape(Naughty())}/logs", "/" + Escape(Naughty())]);
        var method = Pick([HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Options, HttpMethod.Head]);
        var body = method == HttpMethod.Get || method == HttpMethod.Head || random.Next(2) == 0 ? null : Utf8("{}");
        return Request("route", method, path, body, body is null ? null : JsonContentType(), writes: method != HttpMethod.Get && method != HttpMethod.Head);
    }

    private FuzzRequest Oversized()
    {
        var size = Pick([1024 * 1024 + 1, 2 * 1024 * 1024]);
        var body = new byte[size];
        Array.Fill(body, (byte)'a');
        var (path, contentType) = random.Next(3) switch
        {
            0 => ($"{Base}/call/make-call", "application/x-www-form-urlencoded"),
            1 => ($"{Base}/call/{OwnCallId()}/events", "application/json"),
            _ => ($"{Base}/call/make-call", "application/json"),
        };
        return Request("oversized", HttpMethod.Post, path, body, contentType, writes: true);
    }

    /// <summary>Mostly the worker's own valid values, with at most one field made hostile, missing or repeated.</summary>
    private List<KeyValuePair<string, string>> MakeCallFields()
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("from", "salprebox:" + (random.Next(10) == 0 ? tenant.DisconnectedSerial : tenant.Serial)),
            new("to", Pick(["+905321234567", "+14155552671", "+442071838750", "+905321234568"])),
            new("agent_id", random.Next(1, 10).ToString(CultureInfo.InvariantCulture)),
        };
        var victim = random.Next(fields.Count);
        switch (random.Next(6))
        {
            case 0: fields[victim] = new(fields[victim].Key, Naughty()); break;
            case 1: fields.RemoveAt(victim); break;
            case 2: fields.Add(fields[victim]); break;
            case 3: fields.Add(new(Pick(["status", "call_id", "account_id", Naughty()]), Naughty())); break;
        }
        return fields;
    }

    /// <summary>Now and then breaks a JSON or form body: cut short, invalid UTF-8 spliced in, a BOM, trailing bytes, deep nesting.</summary>
    private byte[] Mangle(byte[] body)
    {
        switch (random.Next(14))
        {
            case 0: return body[..random.Next(body.Length + 1)];
            case 1:
                var at = random.Next(body.Length + 1);
                return [.. body[..at], .. Pick(s_invalidUtf8), .. body[at..]];
            case 2: return [0xEF, 0xBB, 0xBF, .. body];
            case 3: return [.. body, .. Utf8(Pick(["}", ",", " x", "\0", "[]"]))];
            case 4: return Utf8(new string('[', random.Next(60, 3000)) + new string(']', random.Next(0, 3000)));
            case 5: return Utf8(Pick(["", "null", "[]", "\"x\"", "1", "{", "{\"a\":}", "{'from':'x'}", "{\"from\" \"x\"}"]));
            default: return body;
        }
    }

    private string JsonContentType() => random.Next(12) switch
    {
        0 => "application/json; charset=utf-7",
        1 => "application/json; charset=utf-16",
        2 => "text/plain",
        3 => "application/problem+json",
        4 => "application/json; charset=\"utf-8\"",
        _ => "application/json",
    };

    private List<KeyValuePair<string, string>> IdempotencyHeader()
    {
        var headers = new List<KeyValuePair<string, string>>();
        switch (random.Next(8))
        {
            case 0:
                var key = $"fuzz-{random.Next():x}";
                tenant.IdempotencyKeys.Add(key);
                headers.Add(new("Idempotency-Key", key));
                break;
            case 1 when tenant.IdempotencyKeys.Count > 0:
                headers.Add(new("Idempotency-Key", Pick([.. tenant.IdempotencyKeys])));
                break;
            case 2:
                headers.Add(new("Idempotency-Key", Pick([new string('k', 256), "has space", "", "ключ", "a,b"])));
                break;
        }
        return headers;
    }

    private string Variables() => random.Next(6) switch
    {
        0 => JsonValue(Naughty()),
        1 => "[1,2]",
        2 => $"{{{JsonString(Text())}:1}}",
        3 => $"{{\"deep\":{new string('[', 70)}{new string(']', 70)}}}",
        4 => $"{{\"big\":{JsonValue(new string('v', 70_000))}}}",
        _ => $"{{\"note\":{JsonValue(Text())},\"n\":{Pick(["1", "1e400", "-0", "true", "null", "{\"x\":[\"y\"]}"])}}}",
    };

    /// <summary>A JSON value for a string field: the text serialised, a raw escape, or a value of another type.</summary>
    private string JsonValue(string text) => random.Next(10) switch
    {
        0 => $"\"a{Pick(s_escapes)}b\"",
        1 => Pick(["null", "1", "-1", "1e400", "true", "[]", "{}", "99999999999999999999"]),
        _ => JsonString(text),
    };

    private static string JsonString(string text) =>
        System.Text.Json.JsonSerializer.Serialize(text, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private string Text() => random.Next(3) == 0 ? Naughty() : Pick(["Hello.", "Agent: Merhaba.\nCustomer: Selam.", "\t indented", "ok"]);

    private string Naughty() => Pick(s_naughty);

    private string OwnCallId() => tenant.CallIds.Count > 0 ? Pick([.. tenant.CallIds]) : "c1";

    /// <summary>A real cursor of this worker, as it is or with one bit flipped, cut short or grown.</summary>
    private string Cursor()
    {
        if (tenant.Cursors.Count == 0 || random.Next(5) == 0) return Naughty();
        var cursor = Pick([.. tenant.Cursors]);
        return random.Next(4) switch
        {
            0 => cursor,
            1 => cursor[..random.Next(cursor.Length)],
            2 => cursor + Pick(["A", "=", "==", "%00"]),
            _ => FlipAscii(cursor),
        };
    }

    /// <summary>One bit of one character flipped, staying printable ASCII.</summary>
    private string FlipAscii(string text)
    {
        if (text.Length == 0) return "x";
        var chars = text.ToCharArray();
        var i = random.Next(chars.Length);
        var flipped = (char)(chars[i] ^ (1 << random.Next(6)));
        chars[i] = flipped is >= '!' and <= '~' ? flipped : 'Q';
        return new string(chars);
    }

    private FuzzRequest Request(string family, HttpMethod method, string path, byte[]? body, string? contentType, bool writes,
        List<KeyValuePair<string, string>>? headers = null)
    {
        headers ??= [];
        var key = random.Next(20) switch
        {
            0 => null,
            1 => tenant.ReadOnlyKey,
            2 => tenant.OtherKey,
            3 => Pick(["YOUR_API_KEY", "slp_sk_" + new string('A', 49), "", "Bearer x", tenant.Key + "x", tenant.Key.ToUpperInvariant()]),
            _ => tenant.Key,
        };
        if (key is not null) headers.Add(new("account-secret-key", key));
        if (random.Next(40) == 0) headers.Add(new("account-secret-key", tenant.Key)); // given twice
        if (random.Next(10) == 0) headers.Add(new("X-Request-Id", Pick(["fuzz-1", new string('r', 300), "a b", "\u00e7", "<x>"])));
        return new FuzzRequest(family, method, path, headers, body, contentType, writes);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Escape(string text) => Uri.EscapeDataString(text.Replace("\0", "", StringComparison.Ordinal) is { Length: > 0 } t ? t : "x");

    /// <summary>A query or form value percent-encoded, but for the encodings it already carries (%00, %ED%A0%80, %FF).</summary>
    private static string EscapeQueryValue(string text) => text.StartsWith('%') ? text : Uri.EscapeDataString(text);
}
