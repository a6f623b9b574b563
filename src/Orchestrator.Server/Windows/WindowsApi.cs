using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Core;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Access;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Runs;
using Orchestrator.Server.Scheduling;

namespace Orchestrator.Server.Windows;

/// <summary>/api/v1/windows: maintenance windows and their occurrences.</summary>
internal static class WindowsApi
{
    public const int MaxOccurrences = 500;

    public static RouteGroupBuilder MapWindowsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/windows").WithTags("Windows");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapGet("/{id:long}/occurrences", OccurrencesAsync);
        group.MapPost("/", CreateAsync);
        group.MapPut("/{id:long}", UpdateAsync);
        group.MapDelete("/{id:long}", DeleteAsync);
        return api;
    }

    private static async Task<Ok<WindowResponse[]>> ListAsync(IWindowStore store, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok((await store.ListAsync(ct)).Select(w => WindowMapper.ToResponse(w, Next(w, now))).ToArray());
    }

    private static async Task<Results<Ok<WindowResponse>, ProblemHttpResult>> GetAsync(long id, IWindowStore store, TimeProvider time, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } w ? TypedResults.Ok(WindowMapper.ToResponse(w, Next(w, time.GetUtcNow()))) : Problems.NotFound($"Window {id}");

    /// <summary>The next <paramref name="count"/> occurrences starting at or after <paramref name="from"/> (default: now),
    /// skipped ones included with their reason.</summary>
    private static async Task<Results<Ok<OccurrenceResponse[]>, ValidationProblem, ProblemHttpResult>> OccurrencesAsync(
        long id, DateTimeOffset? from, int? count, IWindowStore store, TimeProvider time, CancellationToken ct)
    {
        if (count is < 1 or > MaxOccurrences)
        {
            return Problems.Invalid("count", $"{count} is out of range; accepted 1-{MaxOccurrences}");
        }

        if (await store.GetAsync(id, ct) is not { } window)
        {
            return Problems.NotFound($"Window {id}");
        }

        var occurrences = OccurrenceCalculator.From(window.Definition.Schedule, from ?? time.GetUtcNow()).Take(count ?? 10);
        return TypedResults.Ok(occurrences.Select(WindowMapper.ToResponse).ToArray());
    }

    private static async Task<Results<Created<WindowResponse>, ValidationProblem>> CreateAsync(
        WindowRequest request, IWindowStore windows, IGroupStore groups, WindowScheduler scheduler,
        IOptions<OrchestratorOptions> options, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        var (definition, groupIds, errors) = await ValidateAsync(request, null, windows, groups, options.Value, ct);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var created = await windows.CreateAsync(definition!, groupIds, actor.Name, now, ct);
        await scheduler.ScheduleNextAsync(created, now, ct);
        return TypedResults.Created($"/api/v1/windows/{created.Id}", WindowMapper.ToResponse(created, Next(created, now)));
    }

    private static async Task<Results<Ok<WindowResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, WindowRequest request, IWindowStore windows, IGroupStore groups, WindowScheduler scheduler,
        IOptions<OrchestratorOptions> options, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        if (await windows.GetAsync(id, ct) is null)
        {
            return Problems.NotFound($"Window {id}");
        }

        var (definition, groupIds, errors) = await ValidateAsync(request, id, windows, groups, options.Value, ct);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var now = time.GetUtcNow();
        if (await windows.UpdateAsync(id, definition!, groupIds, actor.Name, now, ct) is not { } updated)
        {
            return Problems.NotFound($"Window {id}");
        }

        await scheduler.ScheduleNextAsync(updated, now, ct);
        return TypedResults.Ok(WindowMapper.ToResponse(updated, Next(updated, now)));
    }

    /// <summary>Deletes the window and its future occurrences. A window with open runs is not deleted (409) unless
    /// <paramref name="closeRuns"/> is true: then its open runs are closed now (as by their close route) first.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, bool? closeRuns, IWindowStore windows, WindowScheduler scheduler, RunCloser closer, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        if (await windows.GetAsync(id, ct) is null)
        {
            return Problems.NotFound($"Window {id}");
        }

        var open = await closer.OpenRunsOfAsync(id, ct);
        if (open.Count > 0 && closeRuns != true)
        {
            var list = string.Join(", ", open.Select(r => $"run {r.Id} ({r.State} until {r.PlannedEnd:O})"));
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The window has open runs; nothing was changed.",
                detail: $"window {id} has {open.Count} open run(s): {list}. Close them (POST /api/v1/runs/{{id}}/close) and delete again, " +
                        $"or delete with ?closeRuns=true to close them now and delete the window (CLI: apply --prune --close-runs).");
        }

        foreach (var run in open)
        {
            await closer.CloseNowAsync(run, actor.Name, ct);
        }

        if (!await windows.DeleteAsync(id, actor.Name, time.GetUtcNow(), ct))
        {
            return Problems.NotFound($"Window {id}");
        }

        await scheduler.UnscheduleAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<(WindowDefinition? Definition, List<long> GroupIds, List<FieldError> Errors)> ValidateAsync(
        WindowRequest request, long? id, IWindowStore windows, IGroupStore groups, OrchestratorOptions options, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var definition = WindowMapper.ToDefinition(request, errors);
        var groupIds = new List<long>();
        if (definition is null)
        {
            return (null, groupIds, errors);
        }

        errors.AddRange(WindowValidator.Validate(definition, options.MinimumWindowDuration));
        Notifications.WebhookValidation.CheckLoopback(definition.Hooks?.PreOpen?.Url, "hooks.preOpen.url", options.Notifications, errors);
        Notifications.WebhookValidation.CheckLoopback(definition.Hooks?.PostClose?.Url, "hooks.postClose.url", options.Notifications, errors);
        var known = (await groups.ListAsync(ct)).ToDictionary(g => g.Definition.Name, g => g.Id, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < definition.Groups.Count; i++)
        {
            if (definition.Groups[i] is null)
            {
                errors.Add(new($"groups[{i}]", "a group name is required; null is not a name"));
            }
            else if (known.TryGetValue(definition.Groups[i], out var groupId))
            {
                groupIds.Add(groupId);
            }
            else
            {
                errors.Add(new($"groups[{i}]", $"no group is named '{definition.Groups[i]}'; create it first (GET /api/v1/groups lists them)"));
            }
        }

        var sameName = (await windows.ListAsync(ct)).FirstOrDefault(w =>
            string.Equals(w.Definition.Name, definition.Name, StringComparison.OrdinalIgnoreCase) && w.Id != id);
        if (sameName is not null)
        {
            errors.Add(new("name", $"a window named '{definition.Name}' already exists (id {sameName.Id}); names are unique"));
        }

        return (definition, groupIds, errors);
    }

    private static Occurrence? Next(WindowRecord window, DateTimeOffset now) =>
        window.Definition.Enabled ? OccurrenceCalculator.From(window.Definition.Schedule, now).FirstOrDefault(o => o.Skipped is null) : null;
}
