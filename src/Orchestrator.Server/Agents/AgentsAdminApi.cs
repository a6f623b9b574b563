using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Core;
using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Groups;
using Orchestrator.Data.Agents;
using Orchestrator.Server.Access;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Agents;

/// <summary>/api/v1/enrollment-tokens and /api/v1/agents: who may enroll, and who is enrolled.</summary>
internal static class AgentsAdminApi
{
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromDays(365);

    public static RouteGroupBuilder MapAgentsAdminApi(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/enrollment-tokens").WithTags("Agents").RequireAuthorization(Policies.Admin);
        tokens.MapGet("/", ListTokensAsync);
        tokens.MapPost("/", CreateTokenAsync);
        tokens.MapDelete("/{id:long}", RevokeTokenAsync);

        var agents = api.MapGroup("/agents").WithTags("Agents");
        agents.MapGet("/", ListAgentsAsync);
        agents.MapPost("/{id}/revoke", RevokeAgentAsync).RequireAuthorization(Policies.Admin);
        return api;
    }

    private static async Task<Ok<EnrollmentTokenResponse[]>> ListTokensAsync(IAgentStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListTokensAsync(ct)).Select(t => EnrollmentTokenResponse.From(t)).ToArray());

    private static async Task<Results<Created<EnrollmentTokenResponse>, ValidationProblem>> CreateTokenAsync(
        EnrollmentTokenRequest request, IAgentStore store, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        Names.Validate(request.Name, "name", errors);
        var lifetime = TimeSpan.FromDays(1);
        if (request.ExpiresIn is not null && (!IsoDurations.TryParse(request.ExpiresIn, out lifetime) || lifetime <= TimeSpan.Zero || lifetime > MaxTokenLifetime))
        {
            errors.Add(new FieldError("expiresIn", $"'{request.ExpiresIn}' is not accepted; an ISO-8601 duration from PT1M to P365D (default P1D)"));
        }

        errors.AddRange(EnrollmentScope.Validate(request.HostnamePattern, request.AddressCidrs, request.Tags));
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var token = Secrets.New("oet_");
        var now = time.GetUtcNow();
        var scope = new EnrollmentScope(
            request.HostnamePattern, request.AddressCidrs?.Select(CanonicalCidr).ToList(), (request.Tags ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
        var created = await store.CreateTokenAsync(request.Name!, Secrets.Hash(token), request.SingleUse ?? false, now + lifetime, scope, actor.Name, now, ct);
        return TypedResults.Created($"/api/v1/enrollment-tokens/{created.Id}", EnrollmentTokenResponse.From(created, token));
    }

    private static string CanonicalCidr(string cidr) => GroupValidator.TryParseCidr(cidr, out var network, out _) ? network.ToString() : cidr;

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokenAsync(long id, IAgentStore store, TimeProvider time, CurrentActor actor, CancellationToken ct) =>
        await store.RevokeTokenAsync(id, actor.Name, time.GetUtcNow(), ct) ? TypedResults.NoContent() : Problems.NotFound($"Active enrollment token {id}");

    private static async Task<Ok<AgentResponse[]>> ListAgentsAsync(IAgentStore store, IOptions<OrchestratorOptions> options, TimeProvider time, CancellationToken ct)
    {
        var onlineSince = time.GetUtcNow() - options.Value.AgentOfflineAfter;
        return TypedResults.Ok((await store.ListAsync(ct))
            .Select(a => new AgentResponse(
                a.Id, a.EndpointId, a.Hostname, a.AgentVersion, a.EnrolledAt, a.LastSeenAt,
                a.RevokedAt is null && a.LastSeenAt >= onlineSince, a.RevokedAt is not null,
                a.AppliedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture), a.ApplyError))
            .ToArray());
    }

    /// <summary>Cuts the agent off at its next call; the endpoint's firewall keeps its own expiry.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAgentAsync(
        string id, IAgentStore store, AgentAuthentication credentials, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        var revoked = await store.RevokeAsync(id, actor.Name, time.GetUtcNow(), ct);
        await credentials.ForgetAsync(id);
        return revoked ? TypedResults.NoContent() : Problems.NotFound($"Active agent {id}");
    }
}
