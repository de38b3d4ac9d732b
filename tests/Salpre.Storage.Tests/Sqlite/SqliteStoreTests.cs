using Salpre.Storage.Tests.Stores;

namespace Salpre.Storage.Tests.Sqlite;

public sealed class SqliteCallStoreTests : CallStoreTests<TempDatabase>;

public sealed class SqliteAccountStoreTests : AccountStoreTests<TempDatabase>;

public sealed class SqliteStorageTests : StorageTests<TempDatabase>;

public sealed class SqliteEventOutboxTests : EventOutboxTests<TempDatabase>;

public sealed class SqliteCallRemovalTests : CallRemovalTests<TempDatabase>;
