using System.Net;
using Orchestrator.Core.Enforcement;

namespace Orchestrator.Core.Tests.Enforcement;

public sealed class OpeningTests
{
    private static readonly DateTimeOffset End = new(2027, 3, 10, 1, 0, 0, TimeSpan.Zero);
    private static readonly Opening Open = new(1, [PortRule.DeliveryOptimization], [IPAddress.Parse("198.18.0.2")], End);

    [Fact]
    public void SecondsRemainingRoundUpSoARunNeverClosesEarly()
    {
        Assert.Equal(3_600, Open.SecondsRemaining(End.AddHours(-1)));
        Assert.Equal(1, Open.SecondsRemaining(End.AddMilliseconds(-1)));
        Assert.Equal(2, Open.SecondsRemaining(End.AddMilliseconds(-1_001)));
    }

    [Fact]
    public void NothingRemainsAtOrAfterTheEnd()
    {
        Assert.Equal(0, Open.SecondsRemaining(End));
        Assert.Equal(0, Open.SecondsRemaining(End.AddDays(1)));
    }

    [Fact]
    public void TheDeliveryOptimizationPortIs7680OverTcp()
    {
        Assert.Equal("7680/tcp", PortRule.DeliveryOptimization.ToString());
    }
}
