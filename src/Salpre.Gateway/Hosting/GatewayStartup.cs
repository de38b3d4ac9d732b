using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Demo;
using Salpre.Gateway.RateLimits;
using Salpre.Storage;
using Salpre.Storage.Sqlite;

namespace Salpre.Gateway.Hosting;

/// <summary>From a built application to a serving one; what stops it at the door is said in one line.</summary>
public static class GatewayStartup
{
    /// <summary>
    /// Prepares the shared state, seeds the demo when asked, and serves until stopped. A start that cannot succeed as
    /// configured (settings or storage refused, address taken) prints one line on standard error and answers exit code 1.
    /// </summary>
    public static async Task<int> ServeAsync(this WebApplication app, bool demo)
    {
        try
        {
            // Settings validated on start (RateLimiting, Metrics) are refused here, in one line, before the host
            // starts (which would log the refusal as a failure, with its stack).
            app.Services.GetService<IStartupValidator>()?.Validate();
            await app.PrepareSharedStateAsync();
            if (demo)
            {
                await app.SeedDemoAsync();
            }
            await app.RunAsync();
            return 0;
        }
        catch (StartupRefusedException refused)
        {
            await Console.Error.WriteLineAsync(refused.Message);
        }
        catch (OptionsValidationException invalid)
        {
            await Console.Error.WriteLineAsync(invalid.Message);
        }
        catch (IOException taken) when (taken.InnerException is AddressInUseException)
        {
            await Console.Error.WriteLineAsync(
                $"{taken.Message} Stop what uses it, or choose another address with --urls (for example --urls http://127.0.0.1:5081).");
        }
        return 1;
    }

    /// <summary>
    /// Claims a SQLite file for this one gateway, brings the schema up to date (or, when <c>Storage:MigrateOnStart</c>
    /// is off, checks that it is), loads what nodes of one database share (secrets, an id) and connects to Redis when
    /// rate limits live there, before serving.
    /// </summary>
    private static async Task PrepareSharedStateAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        app.Services.GetService<SqliteDatabase>()?.ClaimSingleGateway();
        var storage = app.Services.GetRequiredService<IStorage>();
        var options = app.Services.GetRequiredService<StorageOptions>();
        if (options.ShouldMigrateOnStart)
        {
            await storage.MigrateAsync(cancellationToken);
        }
        else if (await storage.PendingMigrationsAsync(cancellationToken) is { Count: > 0 } pending)
        {
            throw new StartupRefusedException(
                $"The {options.Provider} schema is behind: {pending.Count} migration(s) not applied ({string.Join(", ", pending)}). " +
                "Run `Salpre.Gateway migrate` with the same Storage settings, or set Storage:MigrateOnStart=true.");
        }
        var cursorKey = await storage.GetOrCreateSecretAsync("cursor_hmac", RandomNumberGenerator.GetBytes(32), cancellationToken);
        app.Services.GetRequiredService<CallCursors>().UseKey(cursorKey);
        var installation = await storage.GetOrCreateSecretAsync("installation_id", RandomNumberGenerator.GetBytes(8), cancellationToken);
        var buckets = app.Services.GetRequiredService<TokenBuckets>();
        buckets.UseInstallation(Convert.ToHexStringLower(installation));
        await buckets.ConnectAsync();
    }
}
