using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage;
using Salpre.Storage.Calls;
using Salpre.Storage.Postgres;
using Salpre.Storage.Sqlite;

namespace Salpre.Gateway.Tests.Hosting;

/// <summary>The suite runs on the store it was asked for (SALPRE_TEST_STORAGE), so a pass on PostgreSQL means PostgreSQL.</summary>
public sealed class StorageProviderTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    [Fact]
    public void Serves_from_the_store_this_run_asked_for()
    {
        var storage = gateway.Services.GetRequiredService<IStorage>();
        var calls = gateway.Services.GetRequiredService<ICallStore>();

        if (GatewayFactory.OnPostgres)
        {
            Assert.IsType<PostgresDatabase>(storage);
            Assert.IsType<PostgresCallStore>(calls);
        }
        else
        {
            Assert.IsType<SqliteDatabase>(storage);
            Assert.IsType<SqliteCallStore>(calls);
        }
    }
}
