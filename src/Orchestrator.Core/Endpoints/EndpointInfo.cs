using System.Net;

namespace Orchestrator.Core.Endpoints;

/// <summary>An endpoint as membership rules see it.</summary>
public sealed record EndpointInfo(long Id, string Hostname, IReadOnlyList<IPAddress> Addresses, string Os, IReadOnlyList<string> Tags);
