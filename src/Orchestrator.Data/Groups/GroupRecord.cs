using Orchestrator.Core.Groups;

namespace Orchestrator.Data.Groups;

public sealed record GroupRecord(long Id, GroupDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
