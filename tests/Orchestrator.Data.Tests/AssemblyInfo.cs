using Orchestrator.Testing.Postgres;

// One PostgreSQL cluster for every PostgreSQL scenario of this assembly, started at the first one's request.
[assembly: AssemblyFixture(typeof(PostgresClusterFixture))]
