using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Calls.Import;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>
/// Issue 11: text the gateway accepts comes back exactly (ordinal) wherever it is shown, and unclean text is refused
/// (a 400 naming its field, or a failed admin command) and changes nothing. Generated text goes in through every write
/// path (admin devices add, heartbeat, make-call as JSON, URL-encoded and multipart form, status reports, NDJSON and CSV
/// imports) and comes out through every read path (details, list and its from filter, logs, device list, and the
/// answers of make-call and heartbeat), on whichever store the run uses (SQLite, or PostgreSQL with
/// SALPRE_TEST_STORAGE=postgres). CsCheck prints the seed of a failing sample (CsCheck_Seed=... replays it).
/// </summary>
public sealed class TextRoundTripTests(TextRoundTripTests.Gateway gateway) : IClassFixture<TextRoundTripTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("MakeCall:CallsPerSecond", "100000");
            With("MakeCall:Burst", "100000");
        }
    }

    private const KeyScopes AllScopes = KeyScopes.Read | KeyScopes.Write | KeyScopes.Ingest;
    private const string Calls = "/api/gateway/v1/call";
    private const string Devices = "/api/gateway/v1/salprebox";
    private const string Recordings = "https://recordings.example.com/";

    // Names and identifiers: no control character at all. Each piece is whole (pairs and sequences stay together).
    private static readonly string[] s_namePieces =
    [
        "a", "Z", "0", "7", " ", "-", "_", ".", "/", "\\", "\"", "'", "<", ">", "&", "%", "+", "=", ":", ";", "?", "#", "@",
        "{", "}", "[", "]", ",", "~", "`", "!", "$", "*", "|", "^",
        "é", "ß", "ñ", "Ø", "ÿ", "\u00a0", "\u00ad", "İ", "ı", "ş", "ğ", "Ω", "Ж", "ж", "ﬁ", "ǅ",     // Latin-1, other BMP
        "田", "中", "さ", "ア", "한", "\u3000",                                                         // CJK
        "א", "ש", "\u05b8", "ع", "ر", "ب", "\u0663", "\u200f", "\u202e", "\u202c", "\u2067", "\u061c", // RTL, bidi marks
        "e\u0301", "a\u0308\u0323\u0301", "\u0301", "\u20dd", "Z\u0351\u0315\u0330",                   // combining marks
        "😀", "👍🏽", "👩\u200d💻", "👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "❤\ufe0f", "🇹🇷",  // emoji, ZWJ, skin tone
        "\U0001D11E", "\U00020000", "\U0010FFFD", "\U000E0041",                                      // other astral
        "\u200d", "\u200b", "\u2060", "\ufeff",                                                      // zero-width
        "\ufffd", "\ufffe", "\uffff", "\ufdd0", "\U0001FFFF", "\U0010FFFF", "\u2028", "\u2029",      // noncharacters, separators
    ];

    // Free text (transcripts, details, the strings of variables) may also hold tab, CR, LF, DEL and C1 controls.
    private static readonly string[] s_textPieces = [.. s_namePieces, "\t", "\r", "\n", "\r\n", "\u007f", "\u0080", "\u0085", "\u009f"];

    // One of these in any text is refused; in a name, so is any control character.
    private static readonly string[] s_badInText = ["\ud800", "\udfff", "\udc00\ud800", "\0", "\u0001", "\u001b"];
    private static readonly string[] s_badInName = [.. s_badInText, "\t", "\n", "\r", "\u007f", "\u0085", "\u009f"];

    // Bytes that are not UTF-8 in an import file: a UTF-16 surrogate as CESU-8, an overlong NUL, Latin-1 and cp1254
    // letters (é, ş), a sequence cut short.
    private static readonly string[] s_notUtf8 = ["\u00ed\u00a0\u0080", "\u00c0\u0080", "\u00e9", "\u00fe", "\u00f0\u009f\u0098"];

    private static Gen<string> Name(int maxPieces, int maxLength) =>
        Gen.OneOf<string>(s_namePieces).Array[1, maxPieces].Select(pieces => Fit(pieces, maxLength));

    private static Gen<string> Text(int minPieces, int maxPieces, int maxLength = int.MaxValue) =>
        Gen.OneOf<string>(s_textPieces).Array[minPieces, maxPieces].Select(pieces => Fit(pieces, maxLength));

    private static readonly Gen<string> s_detail = Text(0, 60, 2000);
    private static readonly Gen<string> s_transcript = Gen.Frequency((4, Text(0, 80)), (1, Text(1500, 3000)));
    private static readonly Gen<string> s_key = Gen.OneOf<string>(s_namePieces).Array[0, 8].Select(pieces => string.Concat(pieces));
    private static readonly Gen<JsonObject> s_variables = Variables(depth: 2);

    // A recording URL whose path is generated text, sent as it is (an IRI) or percent-encoded.
    private static readonly Gen<string> s_url = Gen.Select(Name(30, 1000), Gen.Bool, (path, encode) => Recordings + (encode ? Uri.EscapeDataString(path) : path));

    private static Gen<JsonObject> Variables(int depth)
    {
        var text = Text(0, 20).Select(s => (JsonNode?)JsonValue.Create(s));
        var value = depth == 0 ? text : Gen.Frequency(
            (5, text),
            (1, Variables(depth - 1).Select(o => (JsonNode?)o)),
            (1, text.Array[0, 3].Select(items => (JsonNode?)new JsonArray(items))));
        // Keys are unique: a JSON object with a repeated key is not one the gateway can render back (see the refusals).
        return Gen.Select(s_key, value).Array[0, 6].Select(pairs => new JsonObject(pairs
            .DistinctBy(pair => pair.Item1, StringComparer.Ordinal)
            .Select(pair => KeyValuePair.Create(pair.Item1, pair.Item2))));
    }

    private static Gen<T?> OrNull<T>(Gen<T> gen) where T : class => Gen.Frequency((4, gen.Select(v => (T?)v)), (1, Gen.Const((T?)null)));

    private static int s_boxNumber;

    private sealed record BoxCase(string SerialStart, string SerialEnd, string Name, string Firmware, bool Prefixed, bool Escaped);

    [Fact]
    public async Task Box_serials_names_and_firmware_come_back_exactly_from_the_device_list_make_call_details_and_list()
    {
        var cases = Gen.Select(Name(12, 28), Name(12, 28), Name(40, 200), Name(16, 64), Gen.Bool, Gen.Bool)
            .Select((start, end, name, firmware, prefixed, escaped) => new BoxCase(start, end, name, firmware, prefixed, escaped));

        await cases.SampleAsync(async box =>
        {
            var account = await gateway.CreateAccountAsync(AllScopes);
            var client = gateway.Client(account.Key);
            // Serials are unique in the store: a number in the middle keeps generated ones apart.
            var serial = $"{box.SerialStart}#{Interlocked.Increment(ref s_boxNumber)}#{box.SerialEnd}";
            var added = await AdminAsync("devices", "add", "--account", $"{account.Id}", $"--serial={serial}", $"--name={box.Name}");
            // The command trims its arguments (white space around a name is a shell accident, not part of it).
            (serial, var name) = (serial.Trim(), box.Name.Trim());
            if (name.Length == 0)
            {
                Assert.True(added.Code != 0, "a blank name was accepted");
                return;
            }
            Assert.True(added.Code == 0, added.Error);

            var beat = await client.PostJsonAsync($"{Devices}/heartbeat", Json(new JsonObject
            {
                ["serial_no"] = (box.Prefixed ? "salprebox:" : "") + serial, ["battery_level"] = 50, ["firmware_version"] = box.Firmware,
            }, box.Escaped));
            Assert.True(beat.Status == 200, beat.Body);
            Same(box.Firmware, beat.Json["data"]!["firmware_version"], "heartbeat answer firmware_version");
            var device = Assert.Single((await client.GetWireAsync($"{Devices}/device-list")).Data)!;
            Same(serial, device["serial_no"], "device-list serial_no");
            Same(name, device["device_name"], "device-list device_name");
            Same(box.Firmware, device["firmware_version"], "device-list firmware_version");

            var from = "salprebox:" + serial;
            var ids = new List<string>();
            foreach (var (kind, content) in MakeCallBodies(from, box.Escaped))
            {
                var made = await client.SendWireAsync(new HttpRequestMessage(HttpMethod.Post, $"{Calls}/make-call") { Content = content });
                Assert.True(made.Status == 200, $"{kind}: {made.Body}");
                Same(from, made.Json["data"]!["from"], $"make-call ({kind}) answer from");
                ids.Add(made.Json["data"]!["call_id"]!.GetValue<string>());
            }
            foreach (var id in ids)
            {
                Same(from, (await client.GetWireAsync($"{Calls}/{id}")).Json["data"]!["from"], "details from");
            }
            await AssertListedByFromAsync(client, from, ids);
        }, iter: 100, threads: 4, print: Print);
    }

    private sealed record ReportCase(string? Ringing, string? Answered, string? Final, string? Transcript, JsonObject? Variables, string? Url, bool Escaped);

    [Fact]
    public async Task Status_reports_come_back_exactly_from_the_details_and_the_logs()
    {
        var account = await gateway.CreateAccountAsync(AllScopes);
        var client = gateway.Client(account.Key);
        var serial = await gateway.AddBoxAsync(account.Id);
        var cases = Gen.Select(OrNull(s_detail), OrNull(s_detail), OrNull(s_detail), OrNull(s_transcript), OrNull(s_variables), OrNull(s_url), Gen.Bool)
            .Select((ringing, answered, final, transcript, variables, url, escaped) => new ReportCase(ringing, answered, final, transcript, variables, url, escaped));

        await cases.SampleAsync(async report =>
        {
            var callId = (await client.MakeCallAsync(serial)).Json["data"]!["call_id"]!.GetValue<string>();
            var reports = new[]
            {
                new JsonObject { ["status"] = "ringing", ["detail"] = report.Ringing },
                new JsonObject { ["status"] = "in-progress", ["detail"] = report.Answered },
                new JsonObject
                {
                    ["status"] = "completed", ["detail"] = report.Final, ["transcript"] = report.Transcript,
                    ["variables"] = report.Variables?.DeepClone(), ["audio_record_url"] = report.Url,
                },
            };
            foreach (var body in reports)
            {
                var answer = await client.PostJsonAsync($"{Calls}/{callId}/events", Json(body, report.Escaped));
                Assert.True(answer.Status == 200, answer.Body);
            }

            var details = (await client.GetWireAsync($"{Calls}/{callId}")).Json["data"]!;
            Same(report.Transcript, details["transcript"], "details transcript");
            Same(report.Url, details["audio_record_url"], "details audio_record_url");
            Same(Canonical(report.Variables ?? []), Canonical(details["variables"]), "details variables");
            var logged = (await client.GetWireAsync($"{Calls}/{callId}/logs")).Data.Select(entry => entry!["detail"]).ToList();
            Assert.Equal(4, logged.Count);
            Same(report.Ringing, logged[1], "logs ringing detail");
            Same(report.Answered, logged[2], "logs in-progress detail");
            Same(report.Final, logged[3], "logs completed detail");
        }, iter: 150, threads: 4, print: Print);
    }

    private sealed record ImportedCall(string From, string? Transcript, JsonObject? Variables, string? Url);

    [Fact]
    public async Task Imported_ndjson_and_csv_calls_come_back_exactly_from_the_details_and_the_list()
    {
        var call = Gen.Select(Name(40, 256), OrNull(s_transcript), OrNull(s_variables), OrNull(s_url), (from, transcript, variables, url) => new ImportedCall(from, transcript, variables, url));

        await Gen.Select(call.Array[1, 3], call.Array[1, 3], Gen.Bool).SampleAsync(async (ndjson, csv, escaped) =>
        {
            var account = await gateway.CreateAccountAsync(AllScopes);
            var client = gateway.Client(account.Key);
            await ImportAsync(account.Id, NdjsonFile(ndjson, 1, escaped));
            await ImportAsync(account.Id, CsvFile(csv, ndjson.Length + 1));

            // An empty CSV cell is no value.
            var expected = ndjson.Concat(csv.Select(c => c with { Transcript = c.Transcript is "" ? null : c.Transcript })).ToList();
            for (var i = 0; i < expected.Count; i++)
            {
                var details = (await client.GetWireAsync($"{Calls}/c{i + 1}")).Json["data"]!;
                var where = i < ndjson.Length ? "NDJSON" : "CSV";
                Same(expected[i].From, details["from"], $"{where} details from");
                Same(expected[i].Transcript, details["transcript"], $"{where} details transcript");
                Same(expected[i].Url, details["audio_record_url"], $"{where} details audio_record_url");
                Same(Canonical(expected[i].Variables ?? []), Canonical(details["variables"]), $"{where} details variables");
            }
            foreach (var from in expected.Select(c => c.From).Distinct())
            {
                await AssertListedByFromAsync(client, from, [.. expected.Select((c, i) => (c, i)).Where(p => p.c.From == from).Select(p => $"c{p.i + 1}")]);
            }
        }, iter: 80, threads: 4, print: t => Print($"NDJSON [{string.Join(", ", t.Item1.AsEnumerable())}] CSV [{string.Join(", ", t.Item2.AsEnumerable())}] escaped {t.Item3}"));
    }

    /// <summary>Clean text with one unclean character at <see cref="At"/>; <see cref="Place"/> says where in the field it goes.</summary>
    private sealed record Refusal(string Field, string Place, string Clean, int At, string Bad, int Encoding)
    {
        public string Value => Clean[..At] + Bad + Clean[At..];

        /// <summary>The text with a marker that <see cref="WithBad"/> or the CSV writer replaces by the unclean character.</summary>
        public string Marked => Clean[..At] + Marker + Clean[At..];
    }

    private static Gen<Refusal> Refusals(string field, Gen<string> clean, string[] bad, int encodings = 2, string place = "") =>
        Gen.Select(clean, Gen.OneOf<string>(bad), Gen.Int[0, encodings - 1], Gen.Int[0, 1000], (text, b, encoding, at) =>
            new Refusal(field, place, text, SafeIndex(text, at), b, encoding));

    [Fact]
    public async Task Unclean_text_in_any_request_is_a_400_naming_the_field_and_changes_nothing()
    {
        var account = await gateway.CreateAccountAsync(AllScopes);
        var client = gateway.Client(account.Key);
        var serial = await gateway.AddBoxAsync(account.Id);
        var callId = (await client.MakeCallAsync(serial)).Json["data"]!["call_id"]!.GetValue<string>();
        Assert.Equal(200, (await client.PostJsonAsync($"{Calls}/{callId}/events", """{"status":"in-progress"}""")).Status);
        var before = await StateAsync(client, callId);

        var refusals = Gen.OneOf(
            // An unknown serial is a 400 naming from too: this case shows that unclean text never reaches a store (a NUL
            // looked up on PostgreSQL would be a 500), and that a %00 in a URL-encoded form is named like the others.
            Refusals("from", Name(12, 60), s_badInName, encodings: 3),
            Refusals("serial_no", Name(12, 60), s_badInName),
            Refusals("firmware_version", Name(12, 60), s_badInName),
            Refusals("detail", s_detail, s_badInText),
            Refusals("transcript", s_transcript, s_badInText),
            Refusals("audio_record_url", s_url, s_badInName),
            Refusals("variables", s_key, s_badInName, place: "key"),
            Refusals("variables", Text(0, 20), s_badInText, place: "nested value"));

        await refusals.SampleAsync(async refusal =>
        {
            // A lone surrogate cannot be written as UTF-8: forms can only carry the other characters.
            var encoding = refusal.Bad.Any(char.IsSurrogate) ? 0 : refusal.Encoding;
            var answer = refusal.Field switch
            {
                "from" when encoding > 0 => await client.SendWireAsync(new HttpRequestMessage(HttpMethod.Post, $"{Calls}/make-call")
                {
                    Content = MakeCallBodies("salprebox:" + refusal.Value, escaped: true)[encoding].Content,
                }),
                "from" => await client.PostJsonAsync($"{Calls}/make-call", WithBad(new JsonObject
                {
                    ["from"] = "salprebox:" + refusal.Marked, ["to"] = "+905321234567", ["agent_id"] = 5,
                }, refusal.Bad)),
                "serial_no" or "firmware_version" => await client.PostJsonAsync($"{Devices}/heartbeat", WithBad(new JsonObject
                {
                    ["serial_no"] = refusal.Field == "serial_no" ? refusal.Marked : serial, ["battery_level"] = 7,
                    ["firmware_version"] = refusal.Field == "firmware_version" ? refusal.Marked : "2.0",
                }, refusal.Bad)),
                _ => await client.PostJsonAsync($"{Calls}/{callId}/events", WithBad(new JsonObject
                {
                    ["status"] = "completed",
                    [refusal.Field] = refusal.Place switch
                    {
                        "key" => new JsonObject { [refusal.Marked] = "x" },
                        "nested value" => new JsonObject { ["k"] = new JsonArray(new JsonObject { ["k"] = refusal.Marked }) },
                        _ => refusal.Marked,
                    },
                }, refusal.Bad)),
            };

            AssertRefused(answer, refusal.Field);
        }, iter: 200, threads: 4, print: Print);

        Assert.Equal(before, await StateAsync(client, callId));
    }

    [Fact]
    public async Task A_json_body_naming_a_property_twice_is_refused_as_it_could_not_be_rendered_back()
    {
        var account = await gateway.CreateAccountAsync(AllScopes);
        var client = gateway.Client(account.Key);
        var serial = await gateway.AddBoxAsync(account.Id);

        await Gen.Select(s_key, Text(0, 10), Text(0, 10), Gen.Int[0, 2]).SampleAsync(async (key, first, second, where) =>
        {
            var callId = (await client.MakeCallAsync(serial)).Json["data"]!["call_id"]!.GetValue<string>();
            string Twice(string name) => $"{JsonSerializer.Serialize(name)}:{JsonSerializer.Serialize(first)},{JsonSerializer.Serialize(name)}:{JsonSerializer.Serialize(second)}";
            var body = where switch
            {
                0 => "{\"status\":\"failed\",\"variables\":{" + Twice(key) + "}}",
                1 => "{\"status\":\"failed\",\"variables\":{\"outer\":[{" + Twice(key) + "}]}}",
                _ => "{\"status\":\"failed\"," + Twice("detail") + "}",
            };

            var answer = await client.PostJsonAsync($"{Calls}/{callId}/events", body);
            var logs = await client.GetWireAsync($"{Calls}/{callId}/logs");

            AssertRefused(answer, where < 2 ? "variables" : "detail");
            Assert.Single(logs.Data);
        }, iter: 50, threads: 4, print: t => Print(t));
    }

    [Fact]
    public async Task Unclean_text_in_an_admin_command_or_an_import_file_is_refused_and_changes_nothing()
    {
        var account = await gateway.CreateAccountAsync(AllScopes);
        var client = gateway.Client(account.Key);
        var etag = (await client.GetWireAsync($"{Calls}/list")).Header("ETag");
        var good = Gen.Select(Name(20, 256), OrNull(s_transcript), OrNull(s_variables), OrNull(s_url), (from, transcript, variables, url) => new ImportedCall(from, transcript, variables, url));
        var refusals = Gen.OneOf(
            Refusals("--serial", Name(12, 28).Select(s => s + "#0#" + s), s_badInName),
            Refusals("--name", Name(12, 60).Select(s => s + "||" + s), s_badInName),
            Refusals("from", Name(20, 200).Select(s => s + "|" + s), s_badInName),
            Refusals("transcript", s_transcript, s_badInText),
            Refusals("variables", s_key, s_badInName),
            Refusals("not UTF-8", Text(0, 40), s_notUtf8));

        await Gen.Select(refusals, good.Array[0, 3], Gen.Int[0, 3]).SampleAsync(async (refusal, others, at) =>
        {
            if (refusal.Field.StartsWith("--", StringComparison.Ordinal))
            {
                // Between the separator's two characters, never whitespace, so that the command's trimming cannot take
                // it away (U+0085 is whitespace to Trim; the middle of " || " is not safe).
                var bad = refusal with { At = refusal.Clean.IndexOf(refusal.Field == "--serial" ? "#0#" : "||", StringComparison.Ordinal) + 1 };
                var serial = refusal.Field == "--serial" ? bad.Value : $"refused-{Guid.NewGuid():N}";
                var added = await AdminAsync("devices", "add", "--account", $"{account.Id}", $"--serial={serial}", $"--name={(refusal.Field == "--name" ? bad.Value : "box")}");
                Assert.True(added.Code != 0 && added.Error.Contains(refusal.Field, StringComparison.Ordinal), added.Error + added.Output);
            }
            else
            {
                var calls = others.ToList();
                var line = Math.Min(at, calls.Count);
                calls.Insert(line, new ImportedCall(refusal.Field == "from" ? refusal.Marked : "salprebox:X",
                    refusal.Field is "transcript" or "not UTF-8" ? refusal.Marked : null,
                    refusal.Field == "variables" ? new JsonObject { [refusal.Marked] = "x" } : null, null));
                // A lone surrogate can only be written as a JSON escape: CSV files carry the other characters raw.
                var csv = refusal.Encoding == 1 && !refusal.Bad.Any(char.IsSurrogate);
                var path = refusal.Field == "not UTF-8" ? (csv ? CsvFile(calls, 1, notUtf8: Encoding.Latin1.GetBytes(refusal.Bad)) : NdjsonFile(calls, 1, false, notUtf8: Encoding.Latin1.GetBytes(refusal.Bad)))
                    : csv ? CsvFile(calls, 1, refusal.Bad) : NdjsonFile(calls, 1, escaped: true, refusal.Bad);
                var run = await AdminAsync("import", "--account", $"{account.Id}", "--file", path);
                Assert.True(run.Code != 0 && run.Error.Contains("1 invalid line(s); nothing was imported", StringComparison.Ordinal)
                    && (refusal.Field != "not UTF-8" || run.Error.Contains("not UTF-8", StringComparison.Ordinal)), Print(run.Error + run.Output));
            }
        }, iter: 120, threads: 4, print: t => Print($"{t.Item1} among [{string.Join(", ", t.Item2.AsEnumerable())}] at {t.Item3}"));

        Assert.Equal(404, (await client.GetWireAsync($"{Devices}/device-list")).Status);
        var list = await client.GetWireAsync($"{Calls}/list");
        Assert.Equal(etag, list.Header("ETag"));
        Assert.Empty(list.Data);
    }

    // ---- Writing ----

    private const string Marker = "\ue000"; // stands for the unclean character until the JSON is written

    private static readonly JsonSerializerOptions s_escaped = new() { Encoder = JavaScriptEncoder.Default };
    private static readonly JsonSerializerOptions s_raw = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>JSON with every non-ASCII character escaped, or written as UTF-8 as it is.</summary>
    private static string Json(JsonNode node, bool escaped) => node.ToJsonString(escaped ? s_escaped : s_raw);

    /// <summary>JSON whose marker is replaced by <paramref name="bad"/> written as JSON escapes (a lone surrogate can only be sent so).</summary>
    private static string WithBad(JsonNode node, string bad) => Json(node, escaped: true).Replace("\\uE000", Escapes(bad), StringComparison.Ordinal);

    private static string Escapes(string text) => string.Concat(text.Select(c => $"\\u{(int)c:x4}"));

    private static List<(string Kind, HttpContent Content)> MakeCallBodies(string from, bool escaped) =>
    [
        ("JSON", new StringContent(Json(new JsonObject { ["from"] = from, ["to"] = "+905321234567", ["agent_id"] = 5 }, escaped), Encoding.UTF8, "application/json")),
        ("URL-encoded form", new FormUrlEncodedContent([new("from", from), new("to", "+905321234567"), new("agent_id", "5")])),
        ("multipart form", new MultipartFormDataContent { { new StringContent(from), "from" }, { new StringContent("+905321234567"), "to" }, { new StringContent("5"), "agent_id" } }),
    ];

    private static JsonObject ImportLine(ImportedCall call, int number) => new()
    {
        ["call_id"] = $"c{number}", ["status"] = "completed", ["from"] = call.From, ["to"] = "+905321234567", ["agent_id"] = 1,
        ["direction"] = "outbound", ["started_at"] = "2025-10-01T10:00:00Z", ["ended_at"] = "2025-10-01T10:05:00Z", ["duration_sec"] = 60,
        ["audio_record_url"] = call.Url, ["transcript"] = call.Transcript, ["variables"] = call.Variables?.DeepClone(),
    };

    private string NdjsonFile(IEnumerable<ImportedCall> calls, int firstNumber, bool escaped, string? bad = null, byte[]? notUtf8 = null) =>
        WriteFile(".ndjson", string.Concat(calls.Select((call, i) =>
            (bad is null ? Json(ImportLine(call, firstNumber + i), escaped) : WithBad(ImportLine(call, firstNumber + i), bad)) + "\n")), notUtf8);

    /// <summary>Every cell quoted, quotes doubled; an unclean character goes in raw, or as a JSON escape inside variables.</summary>
    private string CsvFile(IEnumerable<ImportedCall> calls, int firstNumber, string? bad = null, byte[]? notUtf8 = null) =>
        WriteFile(".csv", string.Join(',', CallFileReader.Columns) + "\n" + string.Concat(calls.Select((call, i) =>
        {
            var line = ImportLine(call, firstNumber + i);
            return string.Join(',', CallFileReader.Columns.Select(column => line[column] switch
            {
                null => "",
                JsonObject variables => Quote(bad is null ? Json(variables, escaped: false) : WithBad(variables, bad)),
                JsonValue text when text.GetValueKind() == JsonValueKind.String => Quote(text.GetValue<string>().Replace(Marker, bad ?? Marker, StringComparison.Ordinal)),
                var number => number.ToJsonString(),
            })) + "\n";
        })), notUtf8);

    private static string Quote(string cell) => "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The text as UTF-8, its marker (raw or as a JSON escape) replaced by <paramref name="notUtf8"/> when given.</summary>
    private string WriteFile(string extension, string text, byte[]? notUtf8 = null)
    {
        var path = Path.Combine(gateway.Directory, $"{Guid.NewGuid():N}{extension}");
        var bytes = Encoding.UTF8.GetBytes(text);
        if (notUtf8 is not null)
        {
            bytes = Replace(Replace(bytes, Encoding.UTF8.GetBytes(Marker), notUtf8), "\\uE000"u8.ToArray(), notUtf8);
        }
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Replace(byte[] bytes, byte[] find, byte[] replacement)
    {
        var result = new List<byte>(bytes.Length);
        var rest = bytes.AsSpan();
        for (var at = rest.IndexOf(find); at >= 0; at = rest.IndexOf(find))
        {
            result.AddRange(rest[..at]);
            result.AddRange(replacement);
            rest = rest[(at + find.Length)..];
        }
        result.AddRange(rest);
        return [.. result];
    }

    private async Task ImportAsync(long accountId, string path)
    {
        var run = await AdminAsync("import", "--account", $"{accountId}", "--file", path);
        Assert.True(run.Code == 0, $"{Print(File.ReadAllText(path))}\n{run.Error}");
    }

    private async Task<(int Code, string Output, string Error)> AdminAsync(params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(gateway.StorageSettings).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCommands.RunAsync(args, configuration, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    // ---- Reading ----

    private static async Task AssertListedByFromAsync(HttpClient client, string from, IReadOnlyList<string> ids)
    {
        var listed = await client.GetWireAsync($"{Calls}/list?per_page=100&from={Uri.EscapeDataString(from)}");
        Assert.True(listed.Status == 200, listed.Body);
        Assert.True(ids.Order().SequenceEqual(listed.CallIds.Order()), $"from={Print(from)} lists [{string.Join(",", listed.CallIds)}], not [{string.Join(",", ids)}]");
        Assert.All(listed.Data, item => Same(from, item!["from"], "list from"));
    }

    /// <summary>What a refused request must leave as it was: the list's ETag, the call's details and log, the boxes.</summary>
    private static async Task<string> StateAsync(HttpClient client, string callId) => string.Join('\n',
        (await client.GetWireAsync($"{Calls}/list")).Header("ETag"),
        (await client.GetWireAsync($"{Calls}/{callId}")).Json["data"]!.ToJsonString(),
        (await client.GetWireAsync($"{Calls}/{callId}/logs")).Body,
        (await client.GetWireAsync($"{Devices}/device-list")).Body);

    private static void AssertRefused(WireResponse answer, string field) => Assert.True(
        answer.Status == 400 && answer.Json["code"]?.GetValue<string>() == "invalid_parameter"
        && answer.Json["param"]?.GetValue<string>() == field && answer.Json["message"]?.GetValue<string>() == $"Invalid {field} value",
        $"expected a 400 naming {field}, got {answer.Status}: {answer.Body}");

    private static void Same(string? sent, JsonNode? read, string where) => Same(sent, read?.GetValue<string>(), where);

    private static void Same(string? sent, string? read, string where) =>
        Assert.True(string.Equals(sent, read, StringComparison.Ordinal), $"{where}: sent \"{Print(sent)}\", read \"{Print(read)}\"");

    /// <summary>A JSON value with its keys in order and every string escaped the same way, to compare two values exactly.</summary>
    private static string Canonical(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.Select(p => JsonSerializer.Serialize(p.Key) + ":" + Canonical(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize(v.GetValue<string>()),
        _ => node.ToJsonString(),
    };

    /// <summary>Every character outside printable ASCII as \uXXXX, so that a failure shows exactly what was sent.</summary>
    private static string Print(object? value) =>
        string.Concat((value?.ToString() ?? "null").Select(c => c is >= ' ' and < '\u007f' ? c.ToString() : $"\\u{(int)c:x4}"));

    /// <summary>An index into <paramref name="text"/> that does not split a surrogate pair.</summary>
    private static int SafeIndex(string text, int seed)
    {
        var at = text.Length == 0 ? 0 : seed % (text.Length + 1);
        return at > 0 && at < text.Length && char.IsLowSurrogate(text[at]) ? at - 1 : at;
    }

    private static string Fit(string[] pieces, int maxLength)
    {
        var text = new StringBuilder();
        foreach (var piece in pieces.TakeWhile(piece => text.Length + piece.Length <= maxLength))
        {
            text.Append(piece);
        }
        return text.ToString();
    }
}
