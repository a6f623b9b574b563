namespace Orchestrator.Core.Tests.Schedules;

/// <summary>The hand-written rules the other tests rely on agree with known tz database transitions.</summary>
public class ZoneRulesTests
{
    public static TheoryData<string, string, string> KnownTransitions => new()
    {
        { "Europe/Berlin", "2027-03-28T01:00:00Z", "2027-10-31T01:00:00Z" },
        { "Europe/Berlin", "2028-03-26T01:00:00Z", "2028-10-29T01:00:00Z" },
        { "America/New_York", "2027-03-14T07:00:00Z", "2027-11-07T06:00:00Z" },
        { "America/New_York", "2028-03-12T07:00:00Z", "2028-11-05T06:00:00Z" },
        { "Australia/Lord_Howe", "2027-10-02T15:30:00Z", "2027-04-03T15:00:00Z" },
        { "Australia/Lord_Howe", "2028-09-30T15:30:00Z", "2028-04-01T15:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(KnownTransitions))]
    public void HandWrittenRulesGiveTheKnownTransitionInstants(string zoneId, string daylightStarts, string daylightEnds)
    {
        var rules = Rules(zoneId);
        var starts = DateTimeOffset.Parse(daylightStarts, System.Globalization.CultureInfo.InvariantCulture);
        var ends = DateTimeOffset.Parse(daylightEnds, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(starts, rules.DaylightStartsUtc(starts.Year));
        Assert.Equal(ends, rules.DaylightEndsUtc(ends.Year));
    }

    [Theory]
    [MemberData(nameof(KnownTransitions))]
    public void SystemTimeZoneChangesOffsetAtTheKnownTransitionInstants(string zoneId, string daylightStarts, string daylightEnds)
    {
        var rules = Rules(zoneId);
        var starts = DateTimeOffset.Parse(daylightStarts, System.Globalization.CultureInfo.InvariantCulture);
        var ends = DateTimeOffset.Parse(daylightEnds, System.Globalization.CultureInfo.InvariantCulture);
        var second = TimeSpan.FromSeconds(1);

        Assert.Equal(rules.Standard, rules.Zone.GetUtcOffset(starts - second));
        Assert.Equal(rules.Daylight, rules.Zone.GetUtcOffset(starts));
        Assert.Equal(rules.Daylight, rules.Zone.GetUtcOffset(ends - second));
        Assert.Equal(rules.Standard, rules.Zone.GetUtcOffset(ends));
    }

    internal static ZoneRules Rules(string zoneId) =>
        new[] { ZoneRules.Berlin, ZoneRules.NewYork, ZoneRules.LordHowe, ZoneRules.Kolkata }.Single(r => r.ZoneId == zoneId);
}
