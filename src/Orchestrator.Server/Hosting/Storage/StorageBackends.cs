namespace Orchestrator.Server.Hosting.Storage;

/// <summary>Picks the backend once, from the validated settings.</summary>
internal static class StorageBackends
{
    public static IStorageBackend For(OrchestratorOptions settings) => settings.Storage switch
    {
        StorageKinds.Postgres => new PostgresStorage(settings),
        _ => new SqliteStorage(settings),
    };
}
