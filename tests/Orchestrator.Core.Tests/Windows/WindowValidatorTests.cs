using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;

namespace Orchestrator.Core.Tests.Windows;

public sealed class WindowValidatorTests
{
    private static readonly TimeSpan Production = TimeSpan.FromMinutes(5);

    private static readonly WindowDefinition Valid = new()
    {
        Name = "Patch Tuesday (Berlin)",
        Description = "second Tuesday, the day after",
        Schedule = new WindowSchedule { Cron = "0 0 22 ? * TUE#2", TimeZone = "Europe/Berlin", OffsetDays = 1, Duration = TimeSpan.FromHours(4), Cutoff = TimeSpan.FromMinutes(30) },
        Groups = ["berlin-floor-1", "berlin-floor-2"],
        Ports = [PortRule.DeliveryOptimization, new PortRule(7681, "tcp")],
        Scan = new ScanPolicy(true, ConcurrencyLimit.Parse("10"), 0),
    };

    [Fact]
    public void ACompleteWindowIsValid()
    {
        Assert.Empty(WindowValidator.Validate(Valid, Production));
        Assert.Empty(WindowValidator.Validate(Valid with { Scan = ScanPolicy.Default, Description = null }, Production));
    }

    [Fact]
    public void ScheduleErrorsComeThroughWithTheirFieldNames()
    {
        var errors = WindowValidator.Validate(Valid with { Schedule = Valid.Schedule with { TimeZone = "Mars/Olympus_Mons", OffsetDays = 7 } }, Production);

        Assert.Equal(["timeZone", "offsetDays"], errors.Select(e => e.Field));
    }

    [Fact]
    public void TheMinimumDurationIsTheCallersSetting()
    {
        var fourMinutes = Valid with { Schedule = Valid.Schedule with { Duration = TimeSpan.FromMinutes(4), Cutoff = TimeSpan.Zero } };

        Assert.Equal("duration", Assert.Single(WindowValidator.Validate(fourMinutes, Production)).Field);
        Assert.Empty(WindowValidator.Validate(fourMinutes, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void AWindowNamesAtLeastOneGroupEachOnce()
    {
        Assert.Equal("groups", Assert.Single(WindowValidator.Validate(Valid with { Groups = [] }, Production)).Field);
        var twice = Assert.Single(WindowValidator.Validate(Valid with { Groups = ["berlin-floor-1", "BERLIN-FLOOR-1"] }, Production));
        Assert.Equal(new FieldError("groups", "each group may be named once"), twice);
        Assert.Equal("groups", Assert.Single(WindowValidator.Validate(Valid with { Groups = Enumerable.Range(0, 51).Select(i => $"g{i}").ToList() }, Production)).Field);
        Assert.Empty(WindowValidator.Validate(Valid with { Groups = Enumerable.Range(0, 50).Select(i => $"g{i}").ToList() }, Production));
    }

    [Theory]
    [InlineData(0, "tcp", "ports[0].port")]
    [InlineData(65536, "tcp", "ports[0].port")]
    [InlineData(-1, "tcp", "ports[0].port")]
    [InlineData(7680, "udp", "ports[0].protocol")]
    [InlineData(7680, "sctp", "ports[0].protocol")]
    [InlineData(7680, "TCP", "ports[0].protocol")]
    public void PortsAre1To65535OverTcp(int port, string transport, string field)
    {
        var error = Assert.Single(WindowValidator.Validate(Valid with { Ports = [new PortRule(port, transport)] }, Production));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void AWindowOpensOneToEightPorts()
    {
        Assert.Equal("ports", Assert.Single(WindowValidator.Validate(Valid with { Ports = [] }, Production)).Field);
        Assert.Equal("ports", Assert.Single(WindowValidator.Validate(Valid with { Ports = Enumerable.Range(7680, 9).Select(p => new PortRule(p, "tcp")).ToList() }, Production)).Field);
        Assert.Empty(WindowValidator.Validate(Valid with { Ports = [new PortRule(1, "tcp"), new PortRule(65535, "tcp")] }, Production));
    }

    [Fact]
    public void MaxErrorsIsZeroOrMoreOrLeftOut()
    {
        Assert.Equal("scan.maxErrors", Assert.Single(WindowValidator.Validate(Valid with { Scan = Valid.Scan with { MaxErrors = -1 } }, Production)).Field);
        Assert.Empty(WindowValidator.Validate(Valid with { Scan = Valid.Scan with { MaxErrors = null } }, Production));
    }

    [Fact]
    public void NameAndDescriptionAreChecked()
    {
        var errors = WindowValidator.Validate(Valid with { Name = "", Description = new string('x', 1_001) }, Production);

        Assert.Equal(["name", "description"], errors.Select(e => e.Field));
    }
}
