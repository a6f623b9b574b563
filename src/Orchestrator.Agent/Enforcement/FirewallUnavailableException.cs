namespace Orchestrator.Agent.Enforcement;

/// <summary>The firewall cannot be driven (tool missing, not permitted, kernel refuses). The agent must stop:
/// running without enforcement would look healthy while guarding nothing.</summary>
internal sealed class FirewallUnavailableException : Exception
{
    public FirewallUnavailableException(string message) : base(message) { }

    public FirewallUnavailableException(string message, Exception inner) : base(message, inner) { }
}
