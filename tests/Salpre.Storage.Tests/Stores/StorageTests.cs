namespace Salpre.Storage.Tests.Stores;

/// <summary>The database as a whole, for every provider: schema and secrets.</summary>
public abstract class StorageTests<TStore> where TStore : IStoreProvider
{
    [Fact]
    public async Task Nodes_starting_together_agree_on_one_secret()
    {
        await using var db = await TStore.CreateAsync();

        var secrets = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            db.Storage.GetOrCreateSecretAsync("cursor_hmac", [(byte)i, 1, 2], TestContext.Current.CancellationToken))));

        Assert.Single(secrets.Select(Convert.ToHexString).Distinct());
    }

    [Fact]
    public async Task A_migrated_database_has_nothing_pending_and_migrating_again_runs_nothing()
    {
        await using var db = await TStore.CreateAsync();

        Assert.Empty(await db.Storage.PendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.Empty(await db.Storage.MigrateAsync(TestContext.Current.CancellationToken));
        await db.Storage.CheckAsync(TestContext.Current.CancellationToken);
    }
}
