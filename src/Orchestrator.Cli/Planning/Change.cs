using Orchestrator.Cli.Config;

namespace Orchestrator.Cli.Planning;

internal enum ChangeAction
{
    Create,
    Update,
    Delete,

    /// <summary>On the server, not in the files, and left alone because --prune was not given.</summary>
    Untracked,
}

/// <summary>One field that differs; null means absent.</summary>
internal sealed record FieldChange(string Field, string? From, string? To);

/// <summary>What apply would do to one object. <see cref="Body"/> is what it sends (create/update).</summary>
internal sealed record Change(ChangeAction Action, string Kind, string Name, long? Id, IReadOnlyList<FieldChange> Fields, object? Body, SpecSource? Source);

internal sealed record Plan(IReadOnlyList<Change> Changes, int Unchanged)
{
    public int Count(ChangeAction action) => Changes.Count(c => c.Action == action);

    public bool HasChanges => Changes.Any(c => c.Action != ChangeAction.Untracked);
}
