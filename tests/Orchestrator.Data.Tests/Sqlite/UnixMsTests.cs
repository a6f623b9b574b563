using Orchestrator.Core.Runs;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Sqlite;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Tests.Sqlite;

public sealed class UnixMsTests
{
    [Fact]
    public void AnInstantRoundTripsThroughUnixMillisecondsAsTheSameInstantInUtc()
    {
        var berlin = new DateTimeOffset(2027, 3, 28, 3, 0, 0, 123, TimeSpan.FromHours(2));

        var back = UnixMs.To(UnixMs.From(berlin));

        Assert.Equal(berlin, back);
        Assert.Equal(TimeSpan.Zero, back.Offset);
        Assert.Equal(berlin.UtcDateTime, back.UtcDateTime);
        Assert.Null(UnixMs.To(UnixMs.From((DateTimeOffset?)null)));
    }

    [Fact]
    public void TimeBelowAMillisecondIsDropped()
    {
        var precise = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(12_345);

        Assert.Equal(precise.AddTicks(-2_345), UnixMs.To(UnixMs.From(precise)));
    }

    [Fact]
    public async Task AStoredRunReadsBackTheInstantsItWasGiven()
    {
        await using var db = await TempDatabase.CreateAsync();
        var window = await db.CreateWindowAsync("round-trip");
        var start = new DateTimeOffset(2027, 10, 31, 2, 30, 0, 250, TimeSpan.FromHours(1));
        var store = new SqliteRunStore(db.Database);

        var (run, _) = await store.CreateAsync(
            new NewRun(window.Id, window.Definition.Name, "k", RunKind.Scheduled, RunState.Opening, start, start.AddHours(4), start.AddHours(3.5), window.Definition),
            "test", db.Time.GetUtcNow(), TestContext.Current.CancellationToken);
        var read = await store.GetAsync(run.Id, TestContext.Current.CancellationToken);

        Assert.Equal(start, read!.PlannedStart);
        Assert.Equal(start.AddHours(4), read.PlannedEnd);
        Assert.Equal(TempDatabase.Start, read.CreatedAt);
    }
}
