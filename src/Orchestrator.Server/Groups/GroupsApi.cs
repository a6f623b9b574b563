using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Core;
using Orchestrator.Core.Groups;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Groups;
using Orchestrator.Server.Access;
using Orchestrator.Server.Api;
using Orchestrator.Server.Endpoints;

namespace Orchestrator.Server.Groups;

/// <summary>/api/v1/groups: who opens to whom. Membership is evaluated when a run starts and then frozen.</summary>
internal static class GroupsApi
{
    public static RouteGroupBuilder MapGroupsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/groups").WithTags("Groups");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapGet("/{id:long}/members", MembersAsync);
        group.MapPost("/", CreateAsync);
        group.MapPut("/{id:long}", UpdateAsync);
        group.MapDelete("/{id:long}", DeleteAsync);
        return api;
    }

    private static async Task<Ok<GroupResponse[]>> ListAsync(IGroupStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(ct)).Select(GroupResponse.From).ToArray());

    private static async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> GetAsync(long id, IGroupStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } g ? TypedResults.Ok(GroupResponse.From(g)) : Problems.NotFound($"Group {id}");

    /// <summary>Who is in the group right now (a preview: a run freezes its own list when it starts).</summary>
    private static async Task<Results<Ok<GroupMemberResponse[]>, ProblemHttpResult>> MembersAsync(
        long id, IGroupStore groups, EndpointDirectory endpoints, CancellationToken ct)
    {
        if (await groups.GetAsync(id, ct) is not { } group)
        {
            return Problems.NotFound($"Group {id}");
        }

        var members = GroupMembership.Resolve(group.Definition, await endpoints.ListAsync(ct));
        return TypedResults.Ok(members
            .Select(m => new GroupMemberResponse(m.Id, m.Hostname, m.Addresses.Select(a => a.ToString()).ToList(), m.Tags))
            .ToArray());
    }

    private static async Task<Results<Created<GroupResponse>, ValidationProblem>> CreateAsync(
        GroupRequest request, IGroupStore store, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        var definition = ToDefinition(request);
        var errors = await ValidateAsync(definition, null, store, ct);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var created = await store.CreateAsync(definition, actor.Name, time.GetUtcNow(), ct);
        return TypedResults.Created($"/api/v1/groups/{created.Id}", GroupResponse.From(created));
    }

    private static async Task<Results<Ok<GroupResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, GroupRequest request, IGroupStore store, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is null)
        {
            return Problems.NotFound($"Group {id}");
        }

        var definition = ToDefinition(request);
        var errors = await ValidateAsync(definition, id, store, ct);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        return await store.UpdateAsync(id, definition, actor.Name, time.GetUtcNow(), ct) is { } updated
            ? TypedResults.Ok(GroupResponse.From(updated))
            : Problems.NotFound($"Group {id}");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, IGroupStore store, TimeProvider time, CurrentActor actor, CancellationToken ct) =>
        await store.DeleteAsync(id, actor.Name, time.GetUtcNow(), ct) ? TypedResults.NoContent() : Problems.NotFound($"Group {id}");

    private static async Task<List<FieldError>> ValidateAsync(GroupDefinition definition, long? id, IGroupStore store, CancellationToken ct)
    {
        var errors = GroupValidator.Validate(definition).ToList();
        var sameName = (await store.ListAsync(ct)).FirstOrDefault(g =>
            string.Equals(g.Definition.Name, definition.Name, StringComparison.OrdinalIgnoreCase) && g.Id != id);
        if (sameName is not null)
        {
            errors.Add(new("name", $"a group named '{definition.Name}' already exists (id {sameName.Id}); names are unique"));
        }

        return errors;
    }

    private static GroupDefinition ToDefinition(GroupRequest request) => new(
        request.Name ?? "",
        request.Description,
        request.StaticMembers ?? [],
        request.Cidrs ?? [],
        request.Tags ?? []);
}
