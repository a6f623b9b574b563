using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Core;
using Orchestrator.Data.Access;
using Orchestrator.Data.Audit;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Api;

namespace Orchestrator.Server.Access;

public sealed record ApiKeyRequest(string? Name, string? Role, string? ExpiresIn);

public sealed record ApiKeyRoleRequest(string? Role);

/// <summary><see cref="Key"/> appears only in the answer to the creation.</summary>
public sealed record ApiKeyResponse(long Id, string Name, string Role, string? Key, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyResponse From(ApiKeyRecord k, string? key = null) =>
        new(k.Id, k.Name, k.Role.ToString().ToLowerInvariant(), key, k.CreatedAt, k.CreatedBy, k.ExpiresAt, k.RevokedAt, k.LastUsedAt);
}

public sealed record AuditEntryResponse(long Id, DateTimeOffset At, string Actor, string Entity, string? EntityId, string Action, System.Text.Json.Nodes.JsonNode? Detail);

/// <summary>/api/v1/keys (admin) and /api/v1/audit (viewer).</summary>
internal static class KeysApi
{
    public static RouteGroupBuilder MapAccessApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("Access").RequireAuthorization(Policies.Admin);
        keys.MapGet("/", async (IApiKeyStore store, CancellationToken ct) => TypedResults.Ok((await store.ListAsync(ct)).Select(k => ApiKeyResponse.From(k)).ToArray()));
        keys.MapPost("/", CreateAsync);
        keys.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, IApiKeyStore store, CurrentActor actor, TimeProvider time, CancellationToken ct) =>
            await store.RevokeAsync(id, actor.Name, time.GetUtcNow(), ct) ? TypedResults.NoContent() : Problems.NotFound($"Active API key {id}"));
        keys.MapPatch("/{id:long}", ChangeRoleAsync);

        api.MapGet("/audit", AuditAsync).WithTags("Access");
        return api;
    }

    private static async Task<Results<Created<ApiKeyResponse>, ValidationProblem>> CreateAsync(
        ApiKeyRequest request, IApiKeyStore store, CurrentActor actor, TimeProvider time, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        Names.Validate(request.Name, "name", errors);
        if (!TryParseRole(request.Role, out var role))
        {
            errors.Add(new FieldError("role", $"'{request.Role}' is not a role; use viewer, operator or admin"));
        }

        TimeSpan? lifetime = null;
        if (request.ExpiresIn is not null)
        {
            if (IsoDurations.TryParse(request.ExpiresIn, out var parsed) && parsed > TimeSpan.Zero && parsed <= TimeSpan.FromDays(3_650))
            {
                lifetime = parsed;
            }
            else
            {
                errors.Add(new FieldError("expiresIn", $"'{request.ExpiresIn}' is not accepted; an ISO-8601 duration up to P3650D, or omit it for a key that does not expire"));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var key = ApiKeys.New();
        var now = time.GetUtcNow();
        var created = await store.CreateAsync(request.Name!, Secrets.Hash(key), role, now + lifetime, actor.Name, now, ct);
        return TypedResults.Created($"/api/v1/keys/{created.Id}", ApiKeyResponse.From(created, key));
    }

    /// <summary>A new role applies at the key's next request, including dashboard sessions signed in with it.</summary>
    private static async Task<Results<Ok<ApiKeyResponse>, ValidationProblem, ProblemHttpResult>> ChangeRoleAsync(
        long id, ApiKeyRoleRequest request, IApiKeyStore store, CurrentActor actor, TimeProvider time, CancellationToken ct)
    {
        if (!TryParseRole(request.Role, out var role))
        {
            return Problems.Invalid("role", $"'{request.Role}' is not a role; use viewer, operator or admin");
        }

        return await store.ChangeRoleAsync(id, role, actor.Name, time.GetUtcNow(), ct) is { } changed
            ? TypedResults.Ok(ApiKeyResponse.From(changed))
            : Problems.NotFound($"Active API key {id}");
    }

    private static bool TryParseRole(string? text, out Role role) =>
        Enum.TryParse(text, ignoreCase: true, out role) && !int.TryParse(text, out _);

    /// <summary>Who did what when: every change, every run transition, every close-now. Newest first.</summary>
    private static async Task<Results<Ok<AuditEntryResponse[]>, ValidationProblem>> AuditAsync(
        string? actor, string? entity, string? entityId, DateTimeOffset? from, DateTimeOffset? to, int? limit, IAuditLog audit, CancellationToken ct)
    {
        if (limit is < 1 or > 5_000)
        {
            return Problems.Invalid("limit", $"{limit} is out of range; accepted 1-5000");
        }

        var entries = await audit.ListAsync(new AuditQuery(entity, entityId, actor, from, to, limit ?? 200), ct);
        return TypedResults.Ok(entries
            .Select(e => new AuditEntryResponse(e.Id, e.At, e.Actor, e.Entity, e.EntityId, e.Action, e.Detail is null ? null : System.Text.Json.Nodes.JsonNode.Parse(e.Detail)))
            .ToArray());
    }
}
