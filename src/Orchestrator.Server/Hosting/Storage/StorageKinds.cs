namespace Orchestrator.Server.Hosting.Storage;

/// <summary>The values of <see cref="OrchestratorOptions.Storage"/>.</summary>
internal static class StorageKinds
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
}
