using Salpre.Tests.Shared;

// One PostgreSQL server for the whole run, started by the first test that needs it and stopped at the end.
[assembly: AssemblyFixture(typeof(PostgresServerLifetime))]
