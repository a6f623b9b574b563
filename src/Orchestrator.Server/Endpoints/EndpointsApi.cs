using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Core;
using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Endpoints;
using Orchestrator.Server.Access;
using Orchestrator.Server.Api;

namespace Orchestrator.Server.Endpoints;

/// <summary>/api/v1/endpoints: the inventory that groups select from. Agents enroll into the same records.</summary>
internal static class EndpointsApi
{
    public const int MaxImport = 10_000;

    public static RouteGroupBuilder MapEndpointsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/endpoints").WithTags("Endpoints");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapPost("/", RegisterAsync);
        group.MapPost("/import", ImportAsync);
        group.MapDelete("/{id:long}", DeleteAsync);
        return api;
    }

    private static async Task<Ok<EndpointResponse[]>> ListAsync(IEndpointStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(ct)).Select(EndpointResponse.From).ToArray());

    private static async Task<Results<Ok<EndpointResponse>, ProblemHttpResult>> GetAsync(long id, IEndpointStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } e ? TypedResults.Ok(EndpointResponse.From(e)) : Problems.NotFound($"Endpoint {id}");

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
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i]?.Hostname is { } hostname && !first.TryAdd(hostname, i))
            {
                errors.Add(new FieldError($"[{i}].hostname", $"'{hostname}' already appears at [{first[hostname]}]; each hostname once"));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var created = 0;
        var results = new List<EndpointResponse>(requests.Count);
        var now = time.GetUtcNow();
        foreach (var request in requests)
        {
            var (endpoint, isNew) = await store.UpsertAsync(ToRegistration(request), "import", actor.Name, now, ct);
            created += isNew ? 1 : 0;
            results.Add(EndpointResponse.From(endpoint));
        }

        return TypedResults.Ok(new ImportResponse(created, requests.Count - created, results));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, IEndpointStore store, TimeProvider time, CurrentActor actor, CancellationToken ct) =>
        await store.DeleteAsync(id, actor.Name, time.GetUtcNow(), ct) ? TypedResults.NoContent() : Problems.NotFound($"Endpoint {id}");

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
