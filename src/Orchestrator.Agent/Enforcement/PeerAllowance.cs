namespace Orchestrator.Agent.Enforcement;

/// <summary>One validated firewall element: <see cref="Peer"/> (a canonical address, or an exact range
/// <c>first-last</c> of a run's peer set) may reach <see cref="Port"/> for <see cref="Seconds"/> more seconds.</summary>
internal sealed record PeerAllowance(string Peer, bool IsIPv6, int Port, int Seconds);
