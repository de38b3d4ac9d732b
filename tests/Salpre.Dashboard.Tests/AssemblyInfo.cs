using Salpre.Dashboard.Tests.Infrastructure;
using Salpre.Tests.Shared;

// One browser for the run, launched first: without Chromium every test fails, none is skipped.
[assembly: AssemblyFixture(typeof(Chromium))]
// One PostgreSQL server, started by the first test that needs it (the two-node case) and stopped at the end.
[assembly: AssemblyFixture(typeof(PostgresServerLifetime))]
// Browser tests share two cores with a real gateway: one at a time keeps their timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
