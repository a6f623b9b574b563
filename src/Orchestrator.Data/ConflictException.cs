namespace Orchestrator.Data;

/// <summary>The change contradicts stored state (a duplicate name, an entity still in use). HTTP 409.</summary>
public sealed class ConflictException(string message) : Exception(message);
