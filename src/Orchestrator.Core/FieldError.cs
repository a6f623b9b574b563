namespace Orchestrator.Core;

/// <summary>A user-facing validation error: the camelCase JSON field name and what would be accepted.</summary>
public sealed record FieldError(string Field, string Message);
