using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Dashboard;
using Salpre.Storage.Devices;
using Salpre.Storage.Postgres;
using Salpre.Storage.Sqlite;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the store named by <see cref="StorageOptions.Provider"/>, and the options themselves. The caller registers
    /// the <see cref="IEventSink"/> that call writes make their events with.
    /// </summary>
    public static IServiceCollection AddSalpreStorage(this IServiceCollection services, StorageOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(sp => new StorageMetrics(sp.GetService<IMeterFactory>()));
        switch (options.Provider.ToLowerInvariant())
        {
            case "sqlite":
                services.AddSingleton(sp => new SqliteDatabase(options, sp.GetRequiredService<StorageMetrics>()));
                services.AddSingleton<IStorage>(sp => sp.GetRequiredService<SqliteDatabase>());
                services.AddSingleton<IStorageBackup>(sp => sp.GetRequiredService<SqliteDatabase>());
                services.AddSingleton<ICallStore, SqliteCallStore>();
                services.AddSingleton<IAccountStore, SqliteAccountStore>();
                services.AddSingleton<IDeviceStore, SqliteDeviceStore>();
                services.AddSingleton<IDashboardStore, SqliteDashboardStore>();
                services.AddSingleton<IWebhookStore, SqliteWebhookStore>();
                services.AddSingleton<ICallRemoval, SqliteCallRemoval>();
                break;
            case "postgres":
                // Made by the container so that it is disposed with it, closing the pool's connections.
                services.AddSingleton(sp => new PostgresDatabase(options, sp.GetRequiredService<StorageMetrics>()));
                services.AddSingleton<IStorage>(sp => sp.GetRequiredService<PostgresDatabase>());
                services.AddSingleton<ICallStore, PostgresCallStore>();
                services.AddSingleton<IAccountStore, PostgresAccountStore>();
                services.AddSingleton<IDeviceStore, PostgresDeviceStore>();
                services.AddSingleton<IDashboardStore, PostgresDashboardStore>();
                services.AddSingleton<IWebhookStore, PostgresWebhookStore>();
                services.AddSingleton<ICallRemoval, PostgresCallRemoval>();
                break;
            default:
                throw new InvalidOperationException(
                    $"Storage:Provider '{options.Provider}' is not supported; use 'sqlite' or 'postgres'.");
        }
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
