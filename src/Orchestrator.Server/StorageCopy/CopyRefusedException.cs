namespace Orchestrator.Server.StorageCopy;

/// <summary>The copy cannot go on; the message says why and what to do. Nothing was written to PostgreSQL.</summary>
internal sealed class CopyRefusedException(string message) : Exception(message);
