namespace Orchestrator.Agent.Enforcement;

/// <summary>One validated firewall element: <see cref="Peer"/> (canonical address) may reach <see cref="Port"/>
/// for <see cref="Seconds"/> more seconds.</summary>
internal sealed record PeerAllowance(string Peer, bool IsIPv6, int Port, int Seconds);
