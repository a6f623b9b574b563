using Microsoft.Extensions.Options;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Runs;

namespace Orchestrator.Server.Notifications;

/// <summary>
/// Once the server has started: the lifecycle alerts of runs that may have lost one are published again. Each is
/// published after its run's change commits, and publishing never fails the lifecycle step that raised it (a store
/// error is logged), so a stop or a store error between the two would lose it. Each event reaches a webhook once per
/// run (<see cref="RunAlerts"/>), so publishing again sends only what was never recorded:
/// <list type="bullet">
/// <item>run.opened, and run.notOpenedOnTime for a late opening, of every run open now or closed recently;</item>
/// <item>run.closed of every run closed recently;</item>
/// <item>run.closeUnconfirmed of a run closed recently whose members are settled (an unsettled run's settling job, which
/// <see cref="RunJobRecovery"/> queues, sends it).</item>
/// </list>
/// "Recently" is what <see cref="RunJobRecovery.RecentlyClosed"/> looks at, and within <see cref="MaxAge"/> of now: an
/// alert about a close older than that is news to nobody (and a first start after a version without the outbox would
/// send it again). Not member.agentOffline: whether an agent was offline at the opening is not stored, and asking now
/// would say something else.
/// </summary>
internal sealed class AlertRecovery(IRunStore runs, RunAlerts alerts, TimeProvider time, IOptions<OrchestratorOptions> options, ILogger<AlertRecovery> log)
{
    /// <summary>The oldest close whose alerts are published again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(1);

    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var open = (await runs.ListNotFinalAsync(cancellationToken)).Where(r => r.OpenedAt is not null);
        var oldest = time.GetUtcNow() - MaxAge;
        var closed = (await runs.ListRecentlyClosedAsync(RunJobRecovery.RecentlyClosed(options.Value), cancellationToken)).Where(r => r.ClosedAt >= oldest);
        var checkedRuns = 0;
        foreach (var run in open.Concat(closed))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var members = await runs.GetMembersAsync(run.Id, cancellationToken);
            if (run.OpenedAt is { } openedAt)
            {
                await alerts.OpeningAsync(run, members.Count, openedAt);
            }

            if (run.State == RunState.Closed && run.CloseReason is { } reason)
            {
                await alerts.ClosedAsync(run, reason.ToString());
                if (members.All(m => m.CloseState is not null))
                {
                    await alerts.CloseUnconfirmedAsync(run, members);
                }
            }

            checkedRuns++;
        }

        if (checkedRuns > 0)
        {
            log.LogInformation("Lifecycle alerts of {Runs} open or recently closed run(s) published again at start-up: an alert already recorded is not sent twice", checkedRuns);
        }
    }
}
