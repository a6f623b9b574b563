using Orchestrator.Core.Windows;

namespace Orchestrator.Data.Windows;

/// <summary>A stored window. <see cref="Revision"/> grows with every update; schedulers compare it to stay current.</summary>
public sealed record WindowRecord(long Id, WindowDefinition Definition, int Revision, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
