using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Salpre.Gateway.Calls.Import;
using Salpre.Gateway.Devices;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Dashboard;
using Salpre.Storage.Devices;

namespace Salpre.Gateway.Admin;

/// <summary>The admin commands. Each prints for people, and with <c>--json</c> ends with one JSON line for scripts.</summary>
public static partial class AdminCommandBuilders
{
    private const int Failed = 1;

    public static Command Migrate(AdminContext context)
    {
        var json = JsonOption();
        var command = new Command("migrate", "Bring the store's schema up to date (serving does this too).") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var applied = await context.Services.GetRequiredService<IStorage>().MigrateAsync(cancellationToken);
            context.Output.WriteLine(applied.Count == 0 ? "The schema is up to date." : $"Applied {string.Join(", ", applied)}.");
            if (parse.GetValue(json)) AdminOutput.WriteJson(context.Output, new AdminResult { Migrations = applied });
            return 0;
        });
        return command;
    }

    public static Command Accounts(AdminContext context)
    {
        var name = new Option<string>("--name") { Description = "The account's name (1 to 200 characters).", Required = true };
        var json = JsonOption();
        var create = new Command("create", "Create an account and its first key (scopes read,write).") { name, json };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var accountName = parse.GetValue(name)!.Trim();
            if (accountName.Length is 0 or > 200 || !TextRules.IsName(accountName))
            {
                return Fail(parse, "--name must have 1 to 200 characters, none of them a control character.");
            }
            var accounts = await context.GetMigratedAsync<IAccountStore>(cancellationToken);
            var (secret, stored) = ApiKeyFormat.Issue("first key", KeyScopes.Read | KeyScopes.Write);
            var (account, keyId) = await accounts.CreateAccountAsync(accountName, stored, cancellationToken);
            context.Output.WriteLine($"Created account {account.Id} ({account.Name}) with key {keyId}.");
            context.Output.WriteLine($"Secret key (shown only now): {secret}");
            if (parse.GetValue(json))
            {
                AdminOutput.WriteJson(context.Output, new AdminResult
                {
                    AccountId = account.Id, Name = account.Name, KeyId = keyId, SecretKey = secret,
                    Scopes = ApiKeyFormat.FormatScopes(stored.Scopes),
                });
            }
            return 0;
        });

        var listJson = JsonOption();
        var list = new Command("list", "List accounts.") { listJson };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var accounts = await (await context.GetMigratedAsync<IAccountStore>(cancellationToken)).ListAccountsAsync(cancellationToken);
            var rows = accounts.Select(a => new AdminAccount(a.Id, a.Name, AdminOutput.Time(a.CreatedAt))).ToList();
            AdminOutput.WriteTable(context.Output, ["ID", "NAME", "CREATED"], rows.Select(a => new[] { Invariant(a.AccountId), a.Name, a.CreatedAt }));
            if (parse.GetValue(listJson)) AdminOutput.WriteJson(context.Output, new AdminResult { Accounts = rows });
            return 0;
        });
        return new Command("accounts", "Create and list accounts.") { create, list };
    }

    public static Command Keys(AdminContext context)
    {
        var account = AccountOption();
        var scopes = new Option<string>("--scopes") { Description = "Comma-separated: read, write, ingest.", DefaultValueFactory = _ => "read,write" };
        var label = new Option<string?>("--name") { Description = "A label to recognise the key by." };
        var json = JsonOption();
        var create = new Command("create", "Create a key for an account; its secret is shown only this once.") { account, scopes, label, json };
        create.SetAction(async (parse, cancellationToken) =>
        {
            if (!ApiKeyFormat.TryParseScopes(parse.GetValue(scopes)!, out var keyScopes))
            {
                return Fail(parse, "--scopes must list read, write and/or ingest, separated by commas.");
            }
            if (parse.GetValue(label) is { } keyLabel && (keyLabel.Length > 200 || !TextRules.IsName(keyLabel)))
            {
                return Fail(parse, "--name must have at most 200 characters, none of them a control character.");
            }
            var accounts = await context.GetMigratedAsync<IAccountStore>(cancellationToken);
            var accountId = parse.GetValue(account);
            if (await accounts.GetAccountAsync(accountId, cancellationToken) is null)
            {
                return Fail(parse, $"There is no account {accountId}.");
            }
            var (secret, stored) = ApiKeyFormat.Issue(parse.GetValue(label), keyScopes);
            var keyId = await accounts.CreateKeyAsync(accountId, stored, cancellationToken);
            context.Output.WriteLine($"Created key {keyId} for account {accountId} (scopes {ApiKeyFormat.FormatScopes(keyScopes)}).");
            context.Output.WriteLine($"Secret key (shown only now): {secret}");
            if (parse.GetValue(json))
            {
                AdminOutput.WriteJson(context.Output, new AdminResult
                {
                    AccountId = accountId, KeyId = keyId, SecretKey = secret, Scopes = ApiKeyFormat.FormatScopes(keyScopes),
                });
            }
            return 0;
        });

        var listAccount = AccountOption();
        var listJson = JsonOption();
        var list = new Command("list", "List an account's keys: prefix, scopes, created, last used, revoked.") { listAccount, listJson };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var accountId = parse.GetValue(listAccount);
            var keys = await (await context.GetMigratedAsync<IAccountStore>(cancellationToken)).ListKeysAsync(accountId, cancellationToken);
            var rows = keys.Select(k => new AdminKey(k.Id, k.Prefix + "...", k.Name, ApiKeyFormat.FormatScopes(k.Scopes), AdminOutput.Time(k.CreatedAt),
                k.LastUsedAt is { } used ? AdminOutput.Time(used) : null, k.RevokedAt is { } revoked ? AdminOutput.Time(revoked) : null)).ToList();
            AdminOutput.WriteTable(context.Output, ["ID", "PREFIX", "NAME", "SCOPES", "CREATED", "LAST USED", "REVOKED"],
                rows.Select(k => new[] { Invariant(k.KeyId), k.Prefix, k.Name ?? "", k.Scopes, k.CreatedAt, k.LastUsedAt ?? "never", k.RevokedAt ?? "" }));
            if (parse.GetValue(listJson)) AdminOutput.WriteJson(context.Output, new AdminResult { AccountId = accountId, Keys = rows });
            return 0;
        });

        var keyId = new Argument<long>("KEY_ID") { Description = "The key's id, as keys list shows it." };
        var revokeJson = JsonOption();
        var revoke = new Command("revoke", "Revoke a key. Every gateway node refuses it within seconds.") { keyId, revokeJson };
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(keyId);
            var revoked = await (await context.GetMigratedAsync<IAccountStore>(cancellationToken)).RevokeKeyAsync(id, cancellationToken);
            if (!revoked)
            {
                return Fail(parse, $"There is no active key {id}.");
            }
            context.Output.WriteLine($"Revoked key {id}.");
            if (parse.GetValue(revokeJson)) AdminOutput.WriteJson(context.Output, new AdminResult { KeyId = id, Revoked = true });
            return 0;
        });
        return new Command("keys", "Create, list and revoke API keys.") { create, list, revoke };
    }

    public static Command Devices(AdminContext context)
    {
        var account = AccountOption();
        var serial = new Option<string>("--serial") { Description = "The box's serial number, as in salprebox:SERIAL.", Required = true };
        var name = new Option<string>("--name") { Description = "A name to recognise the box by.", Required = true };
        var json = JsonOption();
        var add = new Command("add", "Register a Salpre Box to an account (a serial belongs to one account).") { account, serial, name, json };
        add.SetAction(async (parse, cancellationToken) =>
        {
            var serialNo = parse.GetValue(serial)!.Trim();
            if (serialNo.StartsWith(DevicesApi.SerialPrefix, StringComparison.Ordinal))
            {
                serialNo = serialNo[DevicesApi.SerialPrefix.Length..];
            }
            var deviceName = parse.GetValue(name)!.Trim();
            if (!DevicesApi.IsSerial(serialNo) || deviceName.Length is 0 or > 200 || !TextRules.IsName(deviceName))
            {
                return Fail(parse, $"--serial must have 1 to {DevicesApi.MaxSerialLength} characters and --name 1 to 200, none of them a control character.");
            }
            var accountId = parse.GetValue(account);
            if (await (await context.GetMigratedAsync<IAccountStore>(cancellationToken)).GetAccountAsync(accountId, cancellationToken) is null)
            {
                return Fail(parse, $"There is no account {accountId}.");
            }
            var device = await context.Services.GetRequiredService<IDeviceStore>().AddAsync(accountId, serialNo, deviceName, cancellationToken);
            if (device is null)
            {
                return Fail(parse, $"A box with serial {serialNo} is already registered.");
            }
            context.Output.WriteLine($"Added box {device.Id} (salprebox:{device.SerialNo}, {device.DeviceName}) to account {accountId}.");
            if (parse.GetValue(json)) AdminOutput.WriteJson(context.Output, new AdminResult { AccountId = accountId, DeviceId = device.Id, Name = device.DeviceName });
            return 0;
        });

        var listAccount = AccountOption();
        var list = new Command("list", "List an account's boxes and when each was last seen.") { listAccount };
        list.SetAction(async (parse, cancellationToken) =>
        {
            await context.GetMigratedAsync<IDeviceStore>(cancellationToken);
            var boxes = await context.Services.GetRequiredService<IDeviceStore>().ListAsync(parse.GetValue(listAccount), cancellationToken);
            AdminOutput.WriteTable(context.Output, ["ID", "FROM", "NAME", "LAST SEEN", "BATTERY", "FIRMWARE"], boxes.Select(b => new[]
            {
                Invariant(b.Id), DevicesApi.SerialPrefix + b.SerialNo, b.DeviceName, b.LastSeen is { } seen ? AdminOutput.Time(seen) : "never",
                b.BatteryLevel?.ToString(CultureInfo.InvariantCulture) ?? "", b.FirmwareVersion ?? "",
            }));
            return 0;
        });

        var deviceId = new Argument<long>("DEVICE_ID") { Description = "The box's id, as devices list shows it." };
        var remove = new Command("remove", "Remove a box; its calls keep their history.") { deviceId };
        remove.SetAction(async (parse, cancellationToken) =>
        {
            var removed = await (await context.GetMigratedAsync<IDeviceStore>(cancellationToken)).RemoveAsync(parse.GetValue(deviceId), cancellationToken);
            if (!removed)
            {
                return Fail(parse, $"There is no box {parse.GetValue(deviceId)}.");
            }
            context.Output.WriteLine($"Removed box {parse.GetValue(deviceId)}.");
            return 0;
        });
        return new Command("devices", "Register, list and remove Salpre Boxes.") { add, list, remove };
    }

    public static Command Simulate(AdminContext context)
    {
        var url = new Option<Uri>("--url") { Description = "The gateway to drive.", DefaultValueFactory = _ => new Uri(Hosting.GatewayHosting.DefaultUrl) };
        var key = new Option<string>("--key") { Description = "A key with the read and ingest scopes of the boxes' account.", Required = true };
        var speed = new Option<double>("--speed") { Description = "How many times faster than real time calls unfold.", DefaultValueFactory = _ => 1 };
        var serials = new Option<string[]>("--serial") { Description = "A box to simulate (repeatable); default: every box of the account.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("simulate", "Run simulated Salpre Boxes against a gateway until Ctrl-C: heartbeats, and a lifecycle for each new call.") { url, key, speed, serials };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(url)!.ToString().TrimEnd('/') + "/") };
            var boxes = parse.GetValue(serials) is { Length: > 0 } given ? given : await DeviceSerialsAsync(http, parse.GetValue(key)!, cancellationToken);
            if (boxes.Length == 0)
            {
                return Fail(parse, "The account has no box to simulate; add one with: devices add --account ID --serial SERIAL --name NAME");
            }
            context.Output.WriteLine($"Simulating {boxes.Length} box(es) at {parse.GetValue(speed)}x: {string.Join(", ", boxes.Select(b => DevicesApi.SerialPrefix + b))}. Ctrl-C stops.");
            using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole());
            var simulator = new Simulation.BoxSimulator(http, new Simulation.SimulationOptions(http.BaseAddress!, parse.GetValue(key)!, boxes, parse.GetValue(speed)),
                loggers.CreateLogger("simulate"));
            await simulator.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }

    private static async Task<string[]> DeviceSerialsAsync(HttpClient http, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/gateway/v1/salprebox/device-list");
        request.Headers.Add(KeyAuthenticationMiddleware.Header, key);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return [.. body.RootElement.GetProperty("data").EnumerateArray().Select(device => device.GetProperty("serial_no").GetString()!)];
    }

    /// <summary>
    /// <c>erase</c>: a person's "forget me" from the operator's side, as <c>POST /erasures</c> does it: every call of the
    /// account with the number on either side, in one transaction, and the deleted bytes cleared from SQLite's files.
    /// </summary>
    public static Command Erase(AdminContext context)
    {
        var account = AccountOption();
        var phone = new Option<string>("--phone") { Description = "The E.164 number (+905321234567) whose calls go.", Required = true };
        var json = JsonOption();
        var command = new Command("erase", "Erase every call of a phone number in an account (calls, details, logs, events).") { account, phone, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var number = parse.GetValue(phone)!;
            if (!CallValidation.IsE164(number))
            {
                return Fail(parse, "--phone must be an E.164 number such as +905321234567.");
            }
            var accountId = parse.GetValue(account);
            if (await (await context.GetMigratedAsync<IAccountStore>(cancellationToken)).GetAccountAsync(accountId, cancellationToken) is null)
            {
                return Fail(parse, $"There is no account {accountId}.");
            }
            var erased = await context.Services.GetRequiredService<ICallRemoval>().EraseAsync(accountId, number, cancellationToken);
            // The operator's record of it: the account and the count, never the number.
            context.Output.WriteLine($"Erased {erased} calls of account {accountId}.");
            if (parse.GetValue(json)) AdminOutput.WriteJson(context.Output, new AdminResult { CallsErased = erased });
            return 0;
        });
        return command;
    }

    public static Command Import(AdminContext context)
    {
        var account = AccountOption();
        var file = new Option<FileInfo>("--file") { Description = "An NDJSON (.ndjson, .jsonl) or CSV (.csv) file of calls.", Required = true };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Skip and count bad lines instead of refusing the file." };
        var events = new Option<bool>("--events") { Description = "Make each new call's event (for webhooks and the events feed); by default an import makes none." };
        var json = JsonOption();
        var command = new Command("import", "Import calls into an account. A call_id already present is left unchanged.") { account, file, skipInvalid, events, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!.FullName;
            if (!File.Exists(path))
            {
                return Fail(parse, $"There is no file {path}.");
            }
            if (!CallFileReader.IsSupported(path))
            {
                return Fail(parse, "The file must end in .ndjson, .jsonl, .json or .csv.");
            }
            var accountId = parse.GetValue(account);
            if (await (await context.GetMigratedAsync<IAccountStore>(cancellationToken)).GetAccountAsync(accountId, cancellationToken) is null)
            {
                return Fail(parse, $"There is no account {accountId}.");
            }

            var clock = Stopwatch.StartNew();
            var report = await context.Services.GetRequiredService<CallImporter>().ImportAsync(accountId, path, parse.GetValue(skipInvalid), cancellationToken, parse.GetValue(events));
            foreach (var problem in report.Problems)
            {
                parse.InvocationConfiguration.Error.WriteLine($"line {problem.LineNumber}: {problem.Reason}");
            }
            if (!report.Written)
            {
                parse.InvocationConfiguration.Error.WriteLine(
                    $"{report.InvalidLines} invalid line(s); nothing was imported. Fix them, or pass --skip-invalid to skip them.");
            }
            else
            {
                var seconds = clock.Elapsed.TotalSeconds;
                var lines = report.Imported + report.AlreadyPresent;
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Imported {report.Imported} call(s) into account {accountId}; {report.AlreadyPresent} already present; " +
                    $"{report.InvalidLines} invalid line(s) skipped. {seconds:0.00} s, {lines / Math.Max(seconds, 1e-6):0} lines/s."));
            }
            if (parse.GetValue(json))
            {
                AdminOutput.WriteJson(context.Output, new AdminResult
                {
                    AccountId = accountId, Imported = report.Imported, AlreadyPresent = report.AlreadyPresent, InvalidLines = report.InvalidLines,
                });
            }
            return report.Written ? 0 : Failed;
        });
        return command;
    }

    /// <summary>
    /// <c>dashboard link</c>: a one-time address into the dashboard. It opens a session of a new key of the account
    /// (named "dashboard link", its secret never shown), so revoking that key ends the session.
    /// </summary>
    public static Command Dashboard(AdminContext context)
    {
        var account = AccountOption();
        var scopes = new Option<string>("--scopes") { Description = "The session's scopes: read, or read,write to place calls.", DefaultValueFactory = _ => "read" };
        var url = new Option<string>("--url") { Description = "The gateway's address as the browser reaches it.", DefaultValueFactory = _ => GatewayHosting.DefaultUrl };
        var json = JsonOption();
        var link = new Command("link", "Print a sign-in link that works once, for 10 minutes.") { account, scopes, url, json };
        link.SetAction(async (parse, cancellationToken) =>
        {
            if (!ApiKeyFormat.TryParseScopes(parse.GetValue(scopes)!, out var keyScopes) || !keyScopes.HasFlag(KeyScopes.Read) || keyScopes.HasFlag(KeyScopes.Ingest))
            {
                return Fail(parse, "--scopes must be read or read,write.");
            }
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                return Fail(parse, "--url must be an http or https address, such as http://127.0.0.1:5080.");
            }
            var accounts = await context.GetMigratedAsync<IAccountStore>(cancellationToken);
            var accountId = parse.GetValue(account);
            if (await accounts.GetAccountAsync(accountId, cancellationToken) is null)
            {
                return Fail(parse, $"There is no account {accountId}.");
            }
            var (_, stored) = ApiKeyFormat.Issue("dashboard link", keyScopes);
            var keyId = await accounts.CreateKeyAsync(accountId, stored, cancellationToken);
            var now = DateTimeOffset.UtcNow;
            var token = await Gateway.Dashboard.SignInLinks.CreateAsync(context.Services.GetRequiredService<IDashboardStore>(), keyId, now, cancellationToken);
            var address = Gateway.Dashboard.SignInLinks.Address(baseUrl.GetLeftPart(UriPartial.Authority), token);
            context.Output.WriteLine($"Sign-in link for account {accountId} (key {keyId}, scopes {ApiKeyFormat.FormatScopes(keyScopes)}); it works once, for 10 minutes:");
            context.Output.WriteLine(address);
            if (parse.GetValue(json))
            {
                AdminOutput.WriteJson(context.Output, new AdminResult
                {
                    AccountId = accountId, KeyId = keyId, Scopes = ApiKeyFormat.FormatScopes(keyScopes), SignInUrl = address,
                    ExpiresAt = AdminOutput.Time((now + Gateway.Dashboard.SignInLinks.Lifetime).ToUnixTimeSeconds()),
                });
            }
            return 0;
        });
        return new Command("dashboard", "The dashboard: one-time sign-in links.") { link };
    }

    private static Option<long> AccountOption() => new("--account") { Description = "The account's id.", Required = true };

    private static Option<bool> JsonOption() => new("--json") { Description = "End the output with one JSON object, for scripts." };

    private static int Fail(ParseResult parse, string message)
    {
        parse.InvocationConfiguration.Error.WriteLine(message);
        return Failed;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
