using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Core;
using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Endpoints;
using Orchestrator.Server.Access;
using Orchestrator.Server.Api;

namespace Orchestrator.Server.Endpoints;

/// <summary>/api/v1/endpoints: the inventory that groups select from. Agents enroll into the same records.</summary>
internal static class EndpointsApi
{
    public const int MaxImport = 10_000;

    /// <summary>How long an administrator's re-enrollment mark may stay unused at most.</summary>
    public static readonly TimeSpan MaxReEnrollable = TimeSpan.FromDays(30);

    public static RouteGroupBuilder MapEndpointsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/endpoints").WithTags("Endpoints");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapPost("/", RegisterAsync);
        group.MapPost("/import", ImportAsync);
        group.MapDelete("/{id:long}", DeleteAsync);
        group.MapPost("/{id:long}/re-enrollable", MarkReEnrollableAsync).RequireAuthorization(Policies.Admin);
        group.MapDelete("/{id:long}/re-enrollable", WithdrawReEnrollableAsync).RequireAuthorization(Policies.Admin);
        return api;
    }

    private static async Task<Ok<EndpointResponse[]>> ListAsync(IEndpointStore store, IAgentStore agents, CancellationToken ct)
    {
        var seen = await AgentsLastSeenAsync(agents, ct);
        return TypedResults.Ok((await store.ListAsync(ct)).Select(e => EndpointResponse.From(e, seen.GetValueOrDefault(e.Id))).ToArray());
    }

    private static async Task<Results<Ok<EndpointResponse>, ProblemHttpResult>> GetAsync(long id, IEndpointStore store, IAgentStore agents, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } e
            ? TypedResults.Ok(EndpointResponse.From(e, (await AgentsLastSeenAsync(agents, ct)).GetValueOrDefault(e.Id)))
            : Problems.NotFound($"Endpoint {id}");

    /// <summary>An agent's calls move its own last-seen time, not the endpoint's (set when it enrolled): an endpoint
    /// was last seen when its latest agent last called.</summary>
    private static async Task<Dictionary<long, DateTimeOffset?>> AgentsLastSeenAsync(IAgentStore agents, CancellationToken ct) =>
        (await agents.ListAsync(ct))
            .GroupBy(a => a.EndpointId)
            .ToDictionary(g => g.Key, g => g.Max(a => a.LastSeenAt));

    /// <summary>Creates the endpoint, or updates the one with the same hostname.</summary>
    private static async Task<Results<Created<EndpointResponse>, Ok<EndpointResponse>, ValidationProblem>> RegisterAsync(
        EndpointRequest request, IEndpointStore store, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        var errors = Validate(request, "");
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var (endpoint, created) = await store.UpsertAsync(ToRegistration(request), "api", actor.Name, time.GetUtcNow(), ct);
        var response = EndpointResponse.From(endpoint);
        return created ? TypedResults.Created($"/api/v1/endpoints/{endpoint.Id}", response) : TypedResults.Ok(response);
    }

    /// <summary>Registers many endpoints at once; all are validated first and none is stored if one is invalid.</summary>
    private static async Task<Results<Ok<ImportResponse>, ValidationProblem>> ImportAsync(
        IReadOnlyList<EndpointRequest> requests, IEndpointStore store, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        if (requests.Count is 0 or > MaxImport)
        {
            return Problems.Invalid("$", $"send 1 to {MaxImport} endpoints");
        }

        var errors = requests.SelectMany((r, i) => Validate(r, $"[{i}].")).ToList();
        var first = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var firstAddress = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i]?.Hostname is { } hostname && !first.TryAdd(hostname, i))
            {
                errors.Add(new FieldError($"[{i}].hostname", $"'{hostname}' already appears at [{first[hostname]}]; each hostname once"));
            }

            var addresses = requests[i]?.Addresses ?? [];
            for (var j = 0; j < addresses.Count; j++)
            {
                if (addresses[j] is { } address && !firstAddress.TryAdd(address, i) && firstAddress[address] != i)
                {
                    errors.Add(new FieldError($"[{i}].addresses[{j}]", $"{address} is already an address of [{firstAddress[address]}]; an address belongs to one endpoint"));
                }
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var stored = await store.UpsertAllAsync(requests.Select(ToRegistration).ToList(), "import", actor.Name, time.GetUtcNow(), ct);
        var created = stored.Count(s => s.Created);
        return TypedResults.Ok(new ImportResponse(created, requests.Count - created, stored.Select(s => EndpointResponse.From(s.Endpoint)).ToList()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, IEndpointStore store, TimeProvider time, CurrentActor actor, CancellationToken ct) =>
        await store.DeleteAsync(id, actor.Name, time.GetUtcNow(), ct) ? TypedResults.NoContent() : Problems.NotFound($"Endpoint {id}");

    /// <summary>
    /// The administrator's decision that the next enrollment as this endpoint may take it over (a reinstalled machine,
    /// or the first agent of an endpoint ops registered): one-shot, until <c>expiresIn</c> (default P1D), audited.
    /// </summary>
    private static async Task<Results<Ok<EndpointResponse>, ValidationProblem, ProblemHttpResult>> MarkReEnrollableAsync(
        long id, ReEnrollableRequest? request, IEndpointStore store, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        var lifetime = TimeSpan.FromDays(1);
        if (request?.ExpiresIn is { } expiresIn && (!IsoDurations.TryParse(expiresIn, out lifetime) || lifetime <= TimeSpan.Zero || lifetime > MaxReEnrollable))
        {
            return Problems.Invalid("expiresIn", $"'{expiresIn}' is not accepted; an ISO-8601 duration from PT1M to P30D (default P1D)");
        }

        var now = time.GetUtcNow();
        return await store.SetReEnrollableAsync(id, now + lifetime, actor.Name, now, ct) && await store.GetAsync(id, ct) is { } endpoint
            ? TypedResults.Ok(EndpointResponse.From(endpoint))
            : Problems.NotFound($"Endpoint {id}");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> WithdrawReEnrollableAsync(long id, IEndpointStore store, TimeProvider time, CurrentActor actor, CancellationToken ct) =>
        await store.SetReEnrollableAsync(id, null, actor.Name, time.GetUtcNow(), ct) ? TypedResults.NoContent() : Problems.NotFound($"Endpoint {id}");

    private static List<FieldError> Validate(EndpointRequest? request, string prefix)
    {
        if (request is null)
        {
            return [new FieldError(prefix.TrimEnd('.') is { Length: > 0 } p ? p : "$", "an endpoint object is required")];
        }

        return EndpointValidator.Validate(request.Hostname, request.Addresses, request.Os, request.Tags)
            .Select(e => e with { Field = prefix + e.Field })
            .ToList();
    }

    private static EndpointRegistration ToRegistration(EndpointRequest request) => new(
        request.Hostname!,
        request.Addresses!.Select(a => PeerAddresses.TryParseUsable(a, out var ip, out _) ? ip.ToString() : a).Distinct().ToList(),
        string.IsNullOrWhiteSpace(request.Os) ? "unknown" : request.Os,
        request.Tags ?? []);

    internal static EndpointInfo ToInfo(EndpointRecord e) =>
        new(e.Id, e.Hostname, e.Addresses.Select(IPAddress.Parse).ToList(), e.Os, e.Tags);
}
