using Orchestrator.Data.Agents;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>
/// Checks <c>Authorization: Agent {agentId}:{secret}</c> on every agent route. A revoked or rotated-away secret is
/// refused at the very next call.
/// </summary>
internal sealed class AgentAuthenticationFilter(IAgentStore agents) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var prefix = AgentProtocolV1.AuthScheme + " ";
        if (header.StartsWith(prefix, StringComparison.Ordinal)
            && header[prefix.Length..].Split(':', 2) is [var agentId, var secret]
            && agentId.Length is > 0 and <= 64
            && await agents.GetAsync(agentId, http.RequestAborted) is { RevokedAt: null } agent
            && Secrets.Matches(secret, agent.SecretHash))
        {
            http.Items[typeof(AgentIdentity)] = AgentIdentity.From(agent);
            return await next(context);
        }

        http.Response.Headers.WWWAuthenticate = AgentProtocolV1.AuthScheme;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "The agent credential was refused.",
            detail: $"Send 'Authorization: {AgentProtocolV1.AuthScheme} <agentId>:<secret>' with a credential that is enrolled and not revoked; re-enroll with a token otherwise.");
    }
}
