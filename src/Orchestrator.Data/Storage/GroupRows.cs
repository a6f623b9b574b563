using Orchestrator.Core.Groups;
using Orchestrator.Data.Groups;

namespace Orchestrator.Data.Storage;

/// <summary>The rows of the group tables as both backends read them: the PostgreSQL schema mirrors SQLite's columns and
/// types (docs/decisions.md, "The PostgreSQL schema mirrors SQLite's"), so the mapping to records is written once.</summary>
internal static class GroupRows
{
    internal sealed record Row(long Id, string Name, string? Description, string StaticMembers, string Cidrs, string Tags, long CreatedAt, long UpdatedAt)
    {
        public GroupRecord ToRecord() => new(
            Id,
            new GroupDefinition(Name, Description, Json.Read<string[]>(StaticMembers), Json.Read<string[]>(Cidrs), Json.Read<string[]>(Tags)),
            UnixMs.To(CreatedAt),
            UnixMs.To(UpdatedAt));
    }
}
