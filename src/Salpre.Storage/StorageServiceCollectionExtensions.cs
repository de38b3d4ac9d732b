using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;
using Salpre.Storage.Sqlite;

namespace Salpre.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the store named by <see cref="StorageOptions.Provider"/>.</summary>
    public static IServiceCollection AddSalpreStorage(this IServiceCollection services, StorageOptions options)
    {
        switch (options.Provider.ToLowerInvariant())
        {
            case "sqlite":
                services.AddSingleton(_ => new SqliteDatabase(options));
                services.AddSingleton<IStorage>(sp => sp.GetRequiredService<SqliteDatabase>());
                services.AddSingleton<ICallStore, SqliteCallStore>();
                services.AddSingleton<IAccountStore, SqliteAccountStore>();
                services.AddSingleton<IDeviceStore, SqliteDeviceStore>();
                break;
            default:
                throw new InvalidOperationException(
                    $"Storage:Provider '{options.Provider}' is not supported; use 'sqlite'.");
        }
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
