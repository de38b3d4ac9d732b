using Salpre.Storage.Tests.Stores;

namespace Salpre.Storage.Tests.Postgres;

public sealed class PostgresCallStoreTests : CallStoreTests<PostgresTestStore>;

public sealed class PostgresAccountStoreTests : AccountStoreTests<PostgresTestStore>;

public sealed class PostgresStorageTests : StorageTests<PostgresTestStore>;

public sealed class PostgresEventOutboxTests : EventOutboxTests<PostgresTestStore>;

public sealed class PostgresCallRemovalTests : CallRemovalTests<PostgresTestStore>;
