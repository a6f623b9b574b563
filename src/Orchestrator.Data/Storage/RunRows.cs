using Orchestrator.Core.Runs;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Runs;

namespace Orchestrator.Data.Storage;

/// <summary>The rows of the run tables as both backends read them: the PostgreSQL schema mirrors SQLite's columns and
/// types (docs/decisions.md, "The PostgreSQL schema mirrors SQLite's"), so the mapping to records is written once.</summary>
internal static class RunRows
{
    internal sealed record MemberRow(
        long RunId, long EndpointId, string Hostname, string Addresses, long? OpenAckedAt, long? CloseAckedAt, string? CloseState)
    {
        public RunMemberRecord ToRecord() => new(
            RunId, EndpointId, Hostname, Json.Read<string[]>(Addresses),
            UnixMs.To(OpenAckedAt), UnixMs.To(CloseAckedAt), CloseState is null ? null : Enum.Parse<MemberCloseState>(CloseState));
    }

    internal sealed record Row(
        long Id, long WindowId, string WindowName, string OccurrenceKey, string Kind, string State, long PlannedStart, long PlannedEnd,
        long CutoffAt, long? OpenedAt, long? ClosedAt, string? CloseReason, string Definition, long CreatedAt, long UpdatedAt)
    {
        public RunRecord ToRecord() => new(
            Id, WindowId, WindowName, OccurrenceKey, Enum.Parse<RunKind>(Kind), Enum.Parse<RunState>(State),
            UnixMs.To(PlannedStart), UnixMs.To(PlannedEnd), UnixMs.To(CutoffAt), UnixMs.To(OpenedAt), UnixMs.To(ClosedAt),
            CloseReason is null ? null : Enum.Parse<Core.Runs.CloseReason>(CloseReason),
            Json.Read<WindowDefinition>(Definition), UnixMs.To(CreatedAt), UnixMs.To(UpdatedAt));
    }
}
