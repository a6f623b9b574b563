// Hangfire keeps its log provider and serializer settings in process-wide statics, so in-process servers run one
// at a time: a server's background workers must never log through a disposed server's logger factory. Every test
// class is in the assembly's one default collection, which runs one test at a time, except the classes that run the
// server only as child processes (Infrastructure/ChildProcesses.cs): their collections run beside it, at most two
// tests at once on the two cores.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.Collections, MaxThreads = 2)]

// One PostgreSQL cluster for every test of this assembly that runs the server on PostgreSQL, started at the first one's
// request; each such test (or class fixture) takes a database of its own in it.
[assembly: AssemblyFixture(typeof(Orchestrator.Testing.Postgres.PostgresClusterFixture))]
