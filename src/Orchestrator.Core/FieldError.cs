namespace Orchestrator.Core;

/// <summary>One rejected input: the JSON field (camelCase path) and what would have been accepted.</summary>
public sealed record FieldError(string Field, string Message);
