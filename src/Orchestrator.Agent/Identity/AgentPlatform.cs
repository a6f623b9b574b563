namespace Orchestrator.Agent.Identity;

/// <summary>The operating system this agent reports at enrollment. The server labels a member's figures by it
/// (firewall counters on Linux, Delivery Optimization on Windows), so it must be the real one; registered once by
/// <see cref="AgentServices"/>' OS decision.</summary>
internal sealed record AgentPlatform(string Os)
{
    public static AgentPlatform Linux { get; } = new("linux");

    public static AgentPlatform Windows { get; } = new("windows");
}
