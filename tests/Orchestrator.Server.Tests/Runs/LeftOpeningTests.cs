using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Scheduling;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Runs;

/// <summary>
/// The starter queues a run's opening job while it opens the run at once, so a crash between creating the run and
/// queueing can leave a run that is Opening with nothing to open it. The start-up reconciliation queues such a run's
/// opening again. The crash is reproduced by what it leaves behind: the run's row, created straight in the store.
/// </summary>
public sealed class LeftOpeningTests
{
    [Fact]
    public async Task ARunLeftOpeningWithNothingQueuedIsOpenedByTheStartUpReconciliation()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var site = await AgentSite.StartAsync(2);
        var window = (await site.Factory.Services.GetRequiredService<IWindowStore>().GetAsync(await site.WindowAsync(), ct))!;
        var runs = site.Factory.Services.GetRequiredService<IRunStore>();
        var now = DateTimeOffset.UtcNow;
        var (run, created) = await runs.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, "left-opening", RunKind.AdHoc, RunState.Opening, now, now.AddMinutes(5), now.AddMinutes(5), window.Definition),
            "api", now, ct);
        Assert.True(created);

        // Nothing else opens it: no job was queued for it, and its window has no occurrence now.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        Assert.Equal(RunState.Opening, (await runs.GetAsync(run.Id, ct))!.State);

        await site.Factory.Services.GetRequiredService<StartupReconciler>().ReconcileAsync(ct);

        var read = await ApiClient.EventuallyAsync(
            () => runs.GetAsync(run.Id, ct), r => r!.State != RunState.Opening, TimeSpan.FromSeconds(30), $"run {run.Id} to leave Opening");
        Assert.Equal(RunState.Open, read!.State);
        var state = await site.Agents[0].StateAsync();
        Assert.Contains(state.Openings, o => o.RunId == run.Id);
    }
}
