namespace Orchestrator.Agent.Enrollment;

/// <summary>What enrollment gave this agent; stored in <c>credential.json</c>, sent as <c>Agent {AgentId}:{Secret}</c>.</summary>
internal sealed record AgentCredential(string AgentId, long EndpointId, string Secret);
