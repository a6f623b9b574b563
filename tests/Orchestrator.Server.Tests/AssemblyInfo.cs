// Hangfire keeps its log provider and serializer settings in process-wide statics, so in-process servers run one
// at a time: a server's background workers must never log through a disposed server's logger factory.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

// One PostgreSQL cluster for every test of this assembly that runs the server on PostgreSQL, started at the first one's
// request; each such test (or class fixture) takes a database of its own in it.
[assembly: AssemblyFixture(typeof(Orchestrator.Testing.Postgres.PostgresClusterFixture))]
