using Orchestrator.Data.Signals;

namespace Orchestrator.Data.Tests.Signals;

/// <summary>The one-node bus (SQLite): a signal reaches this process's subscribers of its topic before the publish returns.</summary>
public sealed class InProcessClusterSignalsTests
{
    [Fact]
    public async Task ASignalReachesEverySubscriberOfItsTopicBeforeThePublishReturns()
    {
        var signals = new InProcessClusterSignals();
        var heard = new List<string>();
        using var first = signals.Subscribe("desired-state", s => heard.Add("first:" + string.Join(',', s.Keys)));
        using var second = signals.Subscribe("desired-state", s => heard.Add("second:" + string.Join(',', s.Keys)));
        using var other = signals.Subscribe("agent-credential", s => heard.Add("other"));

        var publish = signals.PublishAsync(new ClusterSignal("desired-state", ["7", "9"]), TestContext.Current.CancellationToken);

        Assert.True(publish.IsCompletedSuccessfully);
        Assert.Equal(["first:7,9", "second:7,9"], heard);
        await publish;
    }

    [Fact]
    public async Task OneNodeHasNoOtherNodesToTellAndDeliveringHereReachesItsSubscribersAtOnce()
    {
        var signals = new InProcessClusterSignals();
        var heard = new List<string>();
        using var subscription = signals.Subscribe("desired-state", s => heard.Add(string.Join(',', s.Keys)));

        var tell = signals.TellOtherNodesAsync(new ClusterSignal("desired-state", ["7"]), TestContext.Current.CancellationToken);
        Assert.True(tell.IsCompletedSuccessfully);
        Assert.Empty(heard);
        signals.DeliverHere(new ClusterSignal("desired-state", ["8"]));

        Assert.Equal(["8"], heard);
        await tell;
    }

    [Fact]
    public async Task ADisposedSubscriptionHearsNothingMore()
    {
        var signals = new InProcessClusterSignals();
        var count = 0;
        var subscription = signals.Subscribe("desired-state", _ => count++);
        await signals.PublishAsync(ClusterSignal.Everything("desired-state"), TestContext.Current.CancellationToken);
        subscription.Dispose();
        subscription.Dispose();

        await signals.PublishAsync(ClusterSignal.Everything("desired-state"), TestContext.Current.CancellationToken);

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task AFailingHandlerDoesNotKeepTheOthersFromHearingAndItsFailureIsThrown()
    {
        var signals = new InProcessClusterSignals();
        var heard = 0;
        using var failing = signals.Subscribe("desired-state", _ => throw new InvalidOperationException("handler bug"));
        using var working = signals.Subscribe("desired-state", _ => heard++);

        var failure = await Assert.ThrowsAsync<AggregateException>(() => signals.PublishAsync(new ClusterSignal("desired-state", ["1"]), TestContext.Current.CancellationToken));

        Assert.Equal(1, heard);
        Assert.Equal("handler bug", Assert.Single(failure.InnerExceptions).Message);
    }

    [Theory]
    [InlineData("Desired", "7", "topic")]
    [InlineData("desired state", "7", "topic")]
    [InlineData("desired-state", "7,8", "keys")]
    [InlineData("desired-state", "a|b", "keys")]
    [InlineData("desired-state", "", "keys")]
    public void ABadTopicOrKeyIsRefusedNamingWhatIsAccepted(string topic, string key, string parameter)
    {
        var refused = Assert.Throws<ArgumentException>(() => new ClusterSignal(topic, [key]));

        Assert.Equal(parameter, refused.ParamName);
        Assert.Contains("accepted", refused.Message, StringComparison.Ordinal);
    }
}
