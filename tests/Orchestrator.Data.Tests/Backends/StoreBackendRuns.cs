using Orchestrator.Core.Runs;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Runs;

namespace Orchestrator.Data.Tests.Backends;

/// <summary>A run of two members opened through the stores, for scenarios about what is reported during a run.</summary>
internal static class StoreBackendRuns
{
    /// <summary>Endpoints a.example (198.18.0.1) and b.example (198.18.0.2) in one run opened at
    /// <see cref="StoreBackend.Start"/> and planned to end 4 hours later; the clock is then one minute into the run.</summary>
    public static async Task<(long Run, long A, long B)> OpenRunOfTwoAsync(this StoreBackend db, string windowName = "two")
    {
        var ct = TestContext.Current.CancellationToken;
        var (a, _) = await db.Endpoints.UpsertAsync(new EndpointRegistration("a.example", ["198.18.0.1"], "windows", []), "api", "api", db.Time.GetUtcNow(), ct);
        var (b, _) = await db.Endpoints.UpsertAsync(new EndpointRegistration("b.example", ["198.18.0.2"], "linux", []), "api", "api", db.Time.GetUtcNow(), ct);
        var window = await db.CreateWindowAsync(windowName);
        var start = StoreBackend.Start;
        var (run, _) = await db.Runs.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, "2027-03-09T22:00:00", RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition),
            "scheduler", db.Time.GetUtcNow(), ct);
        Assert.True(await db.Runs.OpenAsync(
            run.Id,
            [new(run.Id, a.Id, "a.example", ["198.18.0.1"]), new(run.Id, b.Id, "b.example", ["198.18.0.2"])],
            "scheduler", db.Time.GetUtcNow(), ct));
        db.Time.Advance(TimeSpan.FromMinutes(1));
        return (run.Id, a.Id, b.Id);
    }
}
