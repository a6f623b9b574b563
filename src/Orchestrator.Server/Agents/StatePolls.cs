using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Runs;
using Orchestrator.Protocol;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Agents;

/// <summary>
/// The desired-state long-poll (<see cref="AgentProtocolV1.StateRoute"/>): answers at once when the endpoint's state
/// differs from the agent's version, otherwise holds the request until it changes (200) or the wait passes (304).
/// </summary>
/// <remarks>
/// Made once when the route is mapped, with its dependencies: a handler that takes services as parameters gets them from
/// a DI scope made for every request, and the results that write JSON or a status code read the serializer options and
/// a logger from it too. A parked poll keeps its request's objects for up to 25 s, and 10,000 agents park 10,000 polls
/// at every opening, so this route's answers are written here (<see cref="Json"/>, <see cref="NotModified"/>) and make
/// no scope. Error answers (a wait out of range) still go through the usual results.
/// </remarks>
internal sealed class StatePolls(
    DesiredStates states, DesiredStateNotifier notifier, IAgentStore agents, PollAcknowledgements acknowledgements,
    Metrics.OrchestratorMetrics metrics, IOptions<OrchestratorOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    TimeProvider time)
{
    private static readonly IResult NotModified = new StatusAnswer(StatusCodes.Status304NotModified);

    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;
    private readonly TimeSpan _lastSeenInterval = AgentApi.LastSeenInterval(options.Value);

    public async Task<IResult> AnswerAsync(long? version, int? wait, string? features, long? applied, HttpContext http, CancellationToken ct)
    {
        if (wait is < 0 or > AgentProtocolV1.MaxWaitSeconds)
        {
            return Problems.Invalid(AgentProtocolV1.WaitQuery, $"{wait} is out of range; accepted 0-{AgentProtocolV1.MaxWaitSeconds} seconds");
        }

        var session = AgentAuthentication.SessionOf(http);
        var me = session.Identity;
        var now = time.GetUtcNow();
        if (session.ClaimLastSeenWrite(now.ToUnixTimeMilliseconds(), _lastSeenInterval))
        {
            await agents.TouchAsync(me.AgentId, now, ct);
        }

        var peerSets = AgentPeerSets.Asked(features);
        var ackByPoll = AgentFeatures.Asked(features, AgentProtocolV1.AckByPollFeature);
        var deadline = time.GetUtcNow() + AgentApi.HoldFor(wait ?? AgentApi.DefaultWaitSeconds);
        var arriving = true;
        while (true)
        {
            var change = notifier.NextChange(me.EndpointId);
            var generation = notifier.Generation(me.EndpointId);
            var (state, runIds, nextEnd) = await states.ForAsync(me.EndpointId, ct, peerSets);
            if (arriving && ackByPoll && applied is { } inForce && inForce == state.Version && runIds.Count > 0
                && session.ClaimPollAcknowledgement(inForce, generation))
            {
                // The agent polls again as soon as it applied a state (the poller's loop has no delay after a good
                // exchange), so the poll's arrival is when the openings were in force, as a report's arrival was.
                acknowledgements.Record(new OpeningAcknowledgement(me.EndpointId, runIds, time.GetUtcNow()));
                metrics.StateAcknowledged(me.EndpointId);
            }

            arriving = false;
            http.Response.Headers.ETag = $"\"{state.Version.ToString(CultureInfo.InvariantCulture)}\"";
            if (state.Version != version)
            {
                return new Json<DesiredStateV1>(ackByPoll ? state with { AcknowledgeByPoll = true } : state, _json);
            }

            now = time.GetUtcNow();
            var remaining = deadline - now;
            if (remaining <= TimeSpan.Zero)
            {
                return NotModified;
            }

            // An opening ends by itself at its run's planned end: look again then, so the agent hears of the close at
            // the end of the window and not only once the close job has run (which, with many windows ending
            // together, may be later). A timeout is the usual end of a long-poll (every 304): awaited without
            // throwing, so 10,000 agents do not raise hundreds of TimeoutExceptions a second.
            var untilEnd = nextEnd is { } end ? TimeSpan.FromMilliseconds(Math.Max(1, (end - now).TotalMilliseconds + 1)) : TimeSpan.MaxValue;
            var waitFor = untilEnd < remaining ? untilEnd : remaining;
            await change.WaitAsync(waitFor, time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            ct.ThrowIfCancellationRequested();
            if (!change.IsCompleted && waitFor == remaining)
            {
                return NotModified;
            }

            // Changed, or the first opening ended: read the state again.
        }
    }

    /// <summary>200 with <paramref name="value"/> as JSON, written with options read once (what <c>TypedResults.Ok</c>
    /// writes, without reading them from the request's services).</summary>
    private sealed class Json<T>(T value, JsonSerializerOptions options) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            return httpContext.Response.WriteAsJsonAsync(value, options, httpContext.RequestAborted);
        }
    }

    /// <summary>A status code and no body.</summary>
    private sealed class StatusAnswer(int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            return Task.CompletedTask;
        }
    }
}
