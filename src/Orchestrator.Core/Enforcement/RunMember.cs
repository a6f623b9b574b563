using System.Net;

namespace Orchestrator.Core.Enforcement;

/// <summary>A member of a run, frozen at the run's start: later membership changes do not touch it.</summary>
public sealed record RunMember(long EndpointId, string Hostname, IReadOnlyList<IPAddress> Addresses);
