using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Core;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Traffic;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Access;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Windows;

namespace Orchestrator.Server.Runs;

/// <summary>/api/v1/runs and ad-hoc runs of a window.</summary>
internal static class RunsApi
{
    public static RouteGroupBuilder MapRunsApi(this RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapGet("/", ListAsync);
        runs.MapGet("/{id:long}", GetAsync);
        runs.MapPost("/{id:long}/close", CloseAsync);
        runs.MapGet("/{id:long}/traffic", TrafficAsync);
        api.MapPost("/windows/{id:long}/runs", StartAdHocAsync).WithTags("Runs");
        return api;
    }

    private static async Task<Results<Ok<RunResponse[]>, ValidationProblem>> ListAsync(
        long? windowId, string? state, DateTimeOffset? from, DateTimeOffset? to, int? limit, IRunStore runs, CancellationToken ct)
    {
        RunState? parsed = null;
        if (state is not null)
        {
            if (!Enum.TryParse<RunState>(state, ignoreCase: true, out var s) || int.TryParse(state, out _))
            {
                return Problems.Invalid("state", $"'{state}' is not a run state; accepted: {string.Join(", ", Enum.GetNames<RunState>())}");
            }

            parsed = s;
        }

        if (limit is < 1 or > 1_000)
        {
            return Problems.Invalid("limit", $"{limit} is out of range; accepted 1-1000");
        }

        var list = await runs.ListAsync(new RunQuery(windowId, parsed, from, to, limit ?? 100), ct);
        return TypedResults.Ok(list.Select(RunResponse.From).ToArray());
    }

    private static async Task<Results<Ok<RunDetailResponse>, ProblemHttpResult>> GetAsync(long id, IRunStore runs, IAgentStore agents, CancellationToken ct)
    {
        if (await runs.GetAsync(id, ct) is not { } run)
        {
            return Problems.NotFound($"Run {id}");
        }

        var members = await runs.GetMembersAsync(id, ct);
        var peerSet = await runs.GetPeerSetAsync(id, ct);
        // The member's current agent (not revoked) says whether it could apply its desired state.
        var applyErrors = (await agents.ListForEndpointsAsync(members.Select(m => m.EndpointId).ToList(), ct))
            .Where(a => a.RevokedAt is null && a.ApplyError is not null)
            .GroupBy(a => a.EndpointId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(a => a.EnrolledAt).First().ApplyError);
        return TypedResults.Ok(new RunDetailResponse(
            RunResponse.From(run),
            members.Select(m => new RunMemberResponse(
                m.EndpointId, m.Hostname, m.Addresses, m.OpenAckedAt, m.CloseAckedAt, m.CloseState?.ToString(),
                applyErrors.GetValueOrDefault(m.EndpointId))).ToList(),
            peerSet is null ? null : new RunPeerSetResponse(peerSet.Hash, peerSet.Count, peerSet.Ranges.Select(r => r.ToString()).ToList())));
    }

    /// <summary>Who served content to whom during the run, and who was blocked.</summary>
    private static async Task<Results<Ok<RunTraffic>, ProblemHttpResult>> TrafficAsync(long id, IRunStore runs, ITrafficStore traffic, CancellationToken ct) =>
        await runs.GetAsync(id, ct) is null ? Problems.NotFound($"Run {id}") : TypedResults.Ok(await traffic.GetRunTrafficAsync(id, ct));

    /// <summary>Closes a run now. A run that has not opened yet is cancelled.</summary>
    private static async Task<Results<Accepted<RunResponse>, ProblemHttpResult>> CloseAsync(
        long id, IRunStore runs, RunCloser closer, CurrentActor actor, CancellationToken ct)
    {
        if (await runs.GetAsync(id, ct) is not { } run)
        {
            return Problems.NotFound($"Run {id}");
        }

        if (await closer.CloseNowAsync(run, actor.Name, ct) is not { } closed)
        {
            var now = await runs.GetAsync(id, ct) ?? run;
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The run cannot be closed; nothing was changed.",
                detail: $"run {id} is {now.State}; only Opening, Open and Cutoff runs can be closed");
        }

        return TypedResults.Accepted($"/api/v1/runs/{id}", RunResponse.From(closed));
    }

    /// <summary>Starts a run of the window now, for the given duration (ISO-8601), outside its schedule; an optional
    /// cutoff (ISO-8601) replaces the window's for this run only. Without one, a window cutoff that would leave the run
    /// no time for scans is scaled down (<see cref="AdHocCutoff"/>) and the answer carries a warning.</summary>
    private static async Task<Results<Created<RunResponse>, ValidationProblem, ProblemHttpResult>> StartAdHocAsync(
        long id, AdHocRunRequest request, IWindowStore windows, RunStarter starter, RunCloser closer, IAuditLog audit, IOptions<OrchestratorOptions> options, TimeProvider time, CurrentActor actor, CancellationToken ct)
    {
        if (!IsoDurations.TryParse(request.Duration, out var duration))
        {
            return Problems.Invalid("duration", $"'{request.Duration}' is not an ISO-8601 duration such as PT30M");
        }

        var minimum = options.Value.MinimumWindowDuration;
        if (duration < minimum || duration > TimeSpan.FromHours(24))
        {
            return Problems.Invalid("duration", $"{IsoDurations.Format(duration)} is out of range; accepted {IsoDurations.Format(minimum)} to PT24H");
        }

        TimeSpan? cutoff = null;
        if (request.Cutoff is not null)
        {
            if (!IsoDurations.TryParse(request.Cutoff, out var c))
            {
                return Problems.Invalid("cutoff", $"'{request.Cutoff}' is not an ISO-8601 duration such as PT5M");
            }

            if (c > duration)
            {
                return Problems.Invalid("cutoff", $"{IsoDurations.Format(c)} is out of range; accepted PT0S up to the duration ({IsoDurations.Format(duration)})");
            }

            cutoff = c;
        }

        if (await windows.GetAsync(id, ct) is not { } window)
        {
            return Problems.NotFound($"Window {id}");
        }

        // A window never has two open runs (the store records a racing second one as Skipped).
        if (await closer.OpenRunsOfAsync(id, ct) is [var open, ..])
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The window already has an open run; nothing was started.",
                detail: $"run {open.Id} of window {id} is {open.State} until {open.PlannedEnd:O}; a window never has two open runs. " +
                        $"Close it first (POST /api/v1/runs/{open.Id}/close), then start the ad-hoc run.");
        }

        var now = time.GetUtcNow();
        var key = $"adhoc-{now.UtcDateTime:yyyyMMdd'T'HHmmss.fff'Z'}";
        var (effective, warning) = AdHocCutoff.Choose(duration, cutoff, window.Definition.Schedule);
        var run = await starter.StartAsync(window, RunKind.AdHoc, key, now, now + duration, RunState.Opening, ct, actor.Name, effective);
        if (warning is null)
        {
            return TypedResults.Created($"/api/v1/runs/{run.Id}", RunResponse.From(run));
        }

        // On the run itself, so that its timeline and report say why its cutoff differs from the window's.
        await audit.AppendAsync(actor.Name, "run", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), AdHocCutoff.ScaledAction,
            new { warning, windowCutoff = IsoDurations.Format(window.Definition.Schedule.Cutoff), cutoff = IsoDurations.Format(effective) }, now, CancellationToken.None);
        return TypedResults.Created($"/api/v1/runs/{run.Id}", RunResponse.From(run) with { Warnings = [warning] });
    }
}
