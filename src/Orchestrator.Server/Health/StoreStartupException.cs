namespace Orchestrator.Server.Health;

/// <summary>A database file that stops the start: the message names the file and what is wrong; Program prints it
/// and exits with 2, like a bad setting.</summary>
internal sealed class StoreStartupException(string message, Exception inner) : Exception(message, inner);
