namespace Orchestrator.Agent.Server;

/// <summary>401/403 from the server: the credential (or enrollment token) is no longer valid.</summary>
internal sealed class CredentialRejectedException(string message) : Exception(message);
