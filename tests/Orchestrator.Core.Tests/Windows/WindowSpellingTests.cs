using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Windows;

namespace Orchestrator.Core.Tests.Windows;

public sealed class WindowSpellingTests
{
    private static readonly WindowFields Minimal = new()
    {
        Name = "Patch Tuesday",
        Cron = "0 0 22 ? * TUE#2",
        TimeZone = "Europe/Berlin",
        Duration = "PT4H",
        Groups = ["office"],
    };

    [Fact]
    public void AMinimalWindowTakesTheDefaults()
    {
        var errors = new List<FieldError>();

        var window = WindowSpelling.ReadWithDefaults(Minimal, errors);

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromHours(4), window.Schedule.Duration);
        Assert.Equal(TimeSpan.Zero, window.Schedule.Cutoff);
        Assert.Equal(0, window.Schedule.OffsetDays);
        Assert.Null(window.Schedule.At);
        Assert.Empty(window.Schedule.BlackoutDates);
        Assert.Equal([PortRule.DeliveryOptimization], window.Ports);
        Assert.Equal(ScanPolicy.Default, window.Scan);
        Assert.Equal(PeeringMode.Group, window.Peering);
        Assert.True(window.Enabled);
    }

    [Fact]
    public void EveryFieldIsReadFromItsSpelling()
    {
        var fields = Minimal with
        {
            Cron = null,
            At = "2027-03-09T22:00",
            OffsetDays = -1,
            Cutoff = "PT30M",
            BlackoutDates = ["2027-12-31", "2027-12-24", "2027-12-31"],
            Ports = [new PortFields(7681, "TCP"), new PortFields(7682, null)],
            Scan = new ScanFields(false, "10", 3),
            Peering = "LAN",
            Enabled = false,
        };

        var window = WindowSpelling.ReadWithDefaults(fields, []);

        Assert.Equal(new DateTime(2027, 3, 9, 22, 0, 0, DateTimeKind.Unspecified), window.Schedule.At);
        Assert.Equal(DateTimeKind.Unspecified, window.Schedule.At!.Value.Kind);
        Assert.Equal(-1, window.Schedule.OffsetDays);
        Assert.Equal(TimeSpan.FromMinutes(30), window.Schedule.Cutoff);
        Assert.Equal([new DateOnly(2027, 12, 24), new DateOnly(2027, 12, 31)], window.Schedule.BlackoutDates);
        Assert.Equal([new PortRule(7681, "tcp"), new PortRule(7682, "tcp")], window.Ports);
        Assert.Equal(new ScanPolicy(false, ConcurrencyLimit.Parse("10"), 3), window.Scan);
        Assert.Equal(PeeringMode.Lan, window.Peering);
        Assert.False(window.Enabled);
    }

    public static TheoryData<WindowFields, string, string> Unreadable => new()
    {
        { Minimal with { Duration = null }, "duration", "required; an ISO-8601 duration such as PT4H or PT90M" },
        { Minimal with { Duration = "4h" }, "duration", "'4h' is not an ISO-8601 duration such as PT4H or PT90M" },
        { Minimal with { Cutoff = "30m" }, "cutoff", "'30m' is not an ISO-8601 duration such as PT4H or PT90M" },
        { Minimal with { TimeZone = null }, "timeZone", "required; an IANA time zone id such as Europe/Berlin" },
        { Minimal with { At = "2027-03-09T22:00:00+01:00" }, "at", "'2027-03-09T22:00:00+01:00' is not a local date-time such as 2027-03-09T22:00:00 (no offset: it is read in timeZone)" },
        { Minimal with { BlackoutDates = ["2027-12-24", "24.12.2027"] }, "blackoutDates[1]", "'24.12.2027' is not a date such as 2027-12-24" },
        { Minimal with { BlackoutDates = [null] }, "blackoutDates[0]", "'' is not a date such as 2027-12-24" },
        { Minimal with { BlackoutDates = Enumerable.Repeat("2027-12-24", 1_001).ToList() }, "blackoutDates", "at most 1000 dates" },
        { Minimal with { Ports = [new PortFields(7680, "tcp"), new PortFields(null, "tcp")] }, "ports[1].port", "required; 1-65535" },
        { Minimal with { Scan = new ScanFields(null, "0%", null) }, "scan.maxConcurrency", $"'0%' is not accepted; use {ConcurrencyLimit.Accepted}" },
        { Minimal with { Peering = "internet" }, "peering", "'internet' is not accepted; use group (Delivery Optimization mode 2) or lan (mode 1)" },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public void AFieldThatCannotBeReadIsNamedWithWhatIsAccepted(WindowFields fields, string field, string message)
    {
        var errors = new List<FieldError>();

        WindowSpelling.ReadWithDefaults(fields, errors);

        Assert.Equal(new FieldError(field, message), Assert.Single(errors));
    }

    [Fact]
    public void TheMaxConcurrencyErrorQuotesTheValueAsTheSenderWroteIt()
    {
        var errors = new List<FieldError>();

        WindowSpelling.ReadWithDefaults(Minimal with { Scan = new ScanFields(null, "abc", null, "\"abc\"") }, errors);

        Assert.StartsWith("'\"abc\"' is not accepted", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FieldsThatCannotBeReadTakeDefaultsSoTheOthersCanStillBeChecked()
    {
        var errors = new List<FieldError>();
        var fields = Minimal with
        {
            Duration = "4h",
            At = "soon",
            BlackoutDates = ["never", "2027-12-24"],
            Ports = [new PortFields(null, null), new PortFields(7681, "tcp")],
            Scan = new ScanFields(true, "many", 2),
            Peering = "wan",
            TimeZone = null,
        };

        var window = WindowSpelling.ReadWithDefaults(fields, errors);

        Assert.Equal(["duration", "at", "blackoutDates[0]", "ports[0].port", "scan.maxConcurrency", "peering", "timeZone"], errors.Select(e => e.Field));
        Assert.Equal(TimeSpan.Zero, window.Schedule.Duration);
        Assert.Null(window.Schedule.At);
        Assert.Equal("", window.Schedule.TimeZone);
        Assert.Equal([new DateOnly(2027, 12, 24)], window.Schedule.BlackoutDates);
        Assert.Equal([new PortRule(7681, "tcp")], window.Ports);
        Assert.Equal(2, window.Scan.MaxErrors);
        Assert.Equal(PeeringMode.Group, window.Peering);
        Assert.Equal(["office"], window.Groups);
    }

    [Fact]
    public void ErrorsAreAddedToThoseAlreadyThere()
    {
        var errors = new List<FieldError> { new("name", "taken") };

        WindowSpelling.ReadWithDefaults(Minimal with { Peering = "wan" }, errors);

        Assert.Equal(["name", "peering"], errors.Select(e => e.Field));
    }

    [Fact]
    public void FormattingWritesWhatReadingReads()
    {
        var fields = Minimal with { Cron = null, At = "2027-03-09T22:00:00", BlackoutDates = ["2027-12-24", "2028-01-01"], Peering = "lan" };
        var window = WindowSpelling.ReadWithDefaults(fields, []);

        Assert.Equal("2027-03-09T22:00:00", WindowSpelling.FormatAt(window.Schedule.At));
        Assert.Null(WindowSpelling.FormatAt(null));
        Assert.Equal(["2027-12-24", "2028-01-01"], WindowSpelling.FormatDates(window.Schedule.BlackoutDates));
        Assert.Equal("lan", WindowSpelling.FormatPeering(window.Peering));
        Assert.Equal("group", WindowSpelling.FormatPeering(PeeringMode.Group));
    }
}
