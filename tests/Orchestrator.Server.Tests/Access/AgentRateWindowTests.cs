using Microsoft.Extensions.Time.Testing;
using Orchestrator.Server.Access;

namespace Orchestrator.Server.Tests.Access;

/// <summary>The agents' fixed one-minute windows: the permits, the wait past them, a new window, and the sweep.</summary>
public sealed class AgentRateWindowTests
{
    [Fact]
    public void AKeyGetsItsPermitsPerMinuteAndIsToldHowLongIsLeft()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 3, 9, 21, 0, 0, TimeSpan.Zero));
        var windows = new AgentRateLimiter.Windows(3, time);

        Assert.All(Enumerable.Range(0, 3), _ => Assert.Null(windows.Take("agent-1")));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(40), windows.Take("agent-1"));
        Assert.Null(windows.Take("agent-2"));

        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(windows.Take("agent-1"));
    }

    [Fact]
    public void WindowsThatEndedAreDroppedAndAKeySeenAgainStartsAfresh()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 3, 9, 21, 0, 0, TimeSpan.Zero));
        var windows = new AgentRateLimiter.Windows(1, time);
        Assert.Null(windows.Take("agent-1"));
        Assert.Null(windows.Take("agent-2"));
        Assert.NotNull(windows.Take("agent-2"));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(windows.Take("agent-3"));

        Assert.Equal(1, windows.Count);
        Assert.Null(windows.Take("agent-2"));
    }
}
