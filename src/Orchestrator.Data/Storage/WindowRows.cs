using Orchestrator.Core.Windows;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data.Storage;

/// <summary>The rows of the window tables as both backends read them: the PostgreSQL schema mirrors SQLite's columns and
/// types (docs/decisions.md, "The PostgreSQL schema mirrors SQLite's"), so the mapping to records is written once.</summary>
internal static class WindowRows
{
    internal sealed record Row(long Id, string Definition, long Revision, long CreatedAt, long UpdatedAt)
    {
        public WindowRecord ToRecord() => new(Id, Json.Read<WindowDefinition>(Definition), (int)Revision, UnixMs.To(CreatedAt), UnixMs.To(UpdatedAt));
    }
}
