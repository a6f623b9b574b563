using Orchestrator.Data.Agents;

namespace Orchestrator.Server.Agents;

/// <summary>The authenticated agent of the current request. Agent routes act only on its own endpoint.</summary>
internal sealed record AgentIdentity(string AgentId, long EndpointId, string Hostname)
{
    public static AgentIdentity From(AgentRecord agent) => new(agent.Id, agent.EndpointId, agent.Hostname);

    public static AgentIdentity Of(HttpContext context) => AgentAuthentication.SessionOf(context).Identity;
}
