namespace Orchestrator.Data.Storage;

/// <summary>A run's blocked attempts from one source to one target and port, summed (each backend's
/// <c>BlockedAttemptRows.OfRunAsync</c>). Settable properties where a column is an aggregate that may be NULL: SQLite
/// gives such a column no type, which defeats Dapper's constructor matching (it sees byte[]); property setters convert.</summary>
internal sealed class BlockedAttemptRow
{
    public string SourceAddress { get; init; } = "";

    public long? SourceEndpointId { get; init; }

    public string? SourceHostname { get; init; }

    public long TargetEndpointId { get; init; }

    public string TargetHostname { get; init; } = "";

    public long Port { get; init; }

    public long Count { get; init; }
}
