using Orchestrator.Data.Access;

namespace Orchestrator.Data.Storage;

/// <summary>The rows of the apikey tables as both backends read them: the PostgreSQL schema mirrors SQLite's columns and
/// types (docs/decisions.md, "The PostgreSQL schema mirrors SQLite's"), so the mapping to records is written once.</summary>
internal static class ApiKeyRows
{
    internal sealed record Row(long Id, string Name, string Role, long CreatedAt, string CreatedBy, long? ExpiresAt, long? RevokedAt, long? LastUsedAt)
    {
        public ApiKeyRecord ToRecord() => new(
            Id, Name, Enum.Parse<Access.Role>(Role), UnixMs.To(CreatedAt), CreatedBy, UnixMs.To(ExpiresAt), UnixMs.To(RevokedAt), UnixMs.To(LastUsedAt));
    }
}
