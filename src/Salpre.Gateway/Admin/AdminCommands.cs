using System.CommandLine;
using Salpre.Gateway.Calls.Import;
using Salpre.Storage;

namespace Salpre.Gateway.Admin;

/// <summary>
/// The operator's commands, run by the gateway's own executable against the configured store:
/// <c>migrate</c>, <c>accounts</c>, <c>keys</c>, <c>devices</c>, <c>import</c>, <c>erase</c>, <c>dashboard link</c> and <c>backup</c>
/// (a copy of the SQLite file while it serves); and <c>simulate</c>, which drives a gateway over HTTP as Salpre Boxes do.
/// They read the same configuration as the server (appsettings.json beside the executable, then
/// <c>Storage__Provider</c>/<c>Storage__ConnectionString</c>...).
/// </summary>
public static class AdminCommands
{
    private static readonly HashSet<string> s_help = ["--help", "-h", "-?"];

    /// <summary>
    /// Whether the arguments are a command for this class: any first word that is not an option (options alone
    /// configure the server), so that a mistyped or unknown command is refused instead of starting to serve.
    /// </summary>
    public static bool Handles(string[] args) => args.Length > 0 && (!args[0].StartsWith('-') || s_help.Contains(args[0]));

    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, LoadConfiguration(), Console.Out, Console.Error, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var options = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        await using var services = new ServiceCollection()
            .AddSalpreStorage(options)
            .Configure<Events.EventsOptions>(configuration.GetSection(Events.EventsOptions.Section))
            .AddSingleton<Webhooks.DeliverySignal>()
            .AddSingleton<Storage.Webhooks.IEventSink, Events.GatewayEventSink>()
            .AddSingleton<CallImporter>()
            .BuildServiceProvider();
        var context = new AdminContext(services, output);

        var root = new RootCommand("Salpre Gateway. Without a command it serves HTTP (add --demo for a demo account); these commands administer its store.")
        {
            AdminCommandBuilders.Migrate(context),
            AdminCommandBuilders.Accounts(context),
            AdminCommandBuilders.Keys(context),
            AdminCommandBuilders.Devices(context),
            AdminCommandBuilders.Import(context),
            AdminCommandBuilders.Erase(context),
            AdminCommandBuilders.Simulate(context),
            AdminCommandBuilders.Dashboard(context),
            AdminCommandBuilders.Backup(context),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A usage error (an unknown command or option, a missing one): exit code 2, with the commands there are.
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }
            await error.WriteLineAsync(
                $"Commands: {string.Join(", ", root.Subcommands.Select(command => command.Name))}. Without a command (options alone) " +
                "the gateway serves HTTP. Add --help to any command for its options.");
            return 2;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    private static IConfiguration LoadConfiguration() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();
}

/// <summary>What every admin command needs: the store's services and where to write.</summary>
public sealed record AdminContext(IServiceProvider Services, TextWriter Output)
{
    /// <summary>Admin commands migrate first, so they work on a fresh file as well as on a live one.</summary>
    public async Task<T> GetMigratedAsync<T>(CancellationToken cancellationToken) where T : notnull
    {
        await Services.GetRequiredService<IStorage>().MigrateAsync(cancellationToken);
        return Services.GetRequiredService<T>();
    }
}
