using System.Net;

namespace Orchestrator.Agent.Identity;

/// <summary>This endpoint's own addresses.</summary>
internal interface ILocalAddresses
{
    /// <summary>What the agent reports at enrollment: the configured override, else the discovered ones.</summary>
    IReadOnlyList<string> Reported();

    /// <summary>Every address that is this endpoint (configured and discovered); never accepted as a peer.</summary>
    IReadOnlySet<IPAddress> Own();
}
