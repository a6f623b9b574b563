using System.Net;

namespace Orchestrator.Testing.Lab;

/// <summary>One endpoint of the lab: its own network namespace with <c>eth0</c> on the lab bridge.</summary>
public sealed record LabHost(string Name, string Namespace, IPAddress Address, int PrefixLength)
{
    public override string ToString() => $"{Name} ({Address} in {Namespace})";
}
