using Orchestrator.Core.Schedules;
using Quartz;

namespace Orchestrator.Core.Tests.Schedules;

/// <summary>
/// The engine fires when a real Quartz 4.7.3 cron trigger in the same zone fires (offset 0), over 2027–2028.
/// One documented corner differs, and docs/design.md wins: when the minute or hour field is written as an interval
/// (<c>*</c>, a range or a step), Quartz fires the wall times of a fall-back overlap a second time, at their
/// standard-offset instants ("interval expressions fire through both passes"); docs/design.md starts an overlap time once.
/// Those second-pass instants, and only those, are excluded from the comparison.
/// </summary>
public class QuartzAgreementTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset From = new(2026, 12, 30, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = new(2029, 1, 2, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];

    private static readonly string[] Crons =
    [
        "0 0 22 ? * TUE#2",
        "0 30 2 * * ?",
        "0 0 22 L * ?",
        "0 15 10 ? * 6L",
        "0 0 12 15W * ?",
        "0 0/30 1-3 ? * SUN",
        "0 15 2 ? * SUN",
        "0 45 1 * * ?",
        "0 0,30 1,2 ? * SUN",
        "0 0/10 * ? * SUN",
    ];

    public static TheoryData<string, string> ZonesAndCrons()
    {
        var data = new TheoryData<string, string>();
        foreach (var zone in Zones)
        {
            foreach (var cron in Crons)
            {
                data.Add(zone, cron);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ZonesAndCrons))]
    public void EngineAndQuartzFireAtTheSameInstantsExceptQuartzSecondOverlapPass(string zoneId, string cron)
    {
        var rules = ZoneRulesTests.Rules(zoneId);
        var quartz = QuartzFireTimes(cron, rules.Zone, From, Until);
        var engine = EngineStarts(cron, zoneId);

        var secondPass = quartz.Where(rules.IsSecondOverlapPass).ToList();
        foreach (var instant in secondPass)
        {
            output.WriteLine($"Quartz second overlap pass: {instant:O} = {TimeZoneInfo.ConvertTime(instant, rules.Zone):O}");

            // Each excluded fire repeats a wall time the engine already started at its first instant.
            var wall = TimeZoneInfo.ConvertTime(instant, rules.Zone).DateTime;
            Assert.Contains(rules.ExpectedStart(wall), engine);
        }

        Assert.NotEmpty(engine);
        Assert.Equal(quartz.Except(secondPass), engine);
    }

    [Fact]
    public void QuartzFiresAnIntervalExpressionTwiceInTheRepeatedHourWhereDesignStartsOnce()
    {
        // Berlin 2027-10-31: 02:00 and 02:30 happen at +02:00 (00:00Z, 00:30Z) and again at +01:00 (01:00Z, 01:30Z).
        var day = new DateTimeOffset(2027, 10, 30, 12, 0, 0, TimeSpan.Zero);
        var dayEnd = day.AddDays(1);
        DateTimeOffset[] firstPass = [Schedules.Utc(2027, 10, 31, 0, 0), Schedules.Utc(2027, 10, 31, 0, 30)];
        DateTimeOffset[] bothPasses = [.. firstPass, Schedules.Utc(2027, 10, 31, 1, 0), Schedules.Utc(2027, 10, 31, 1, 30)];

        Assert.Equal(bothPasses, QuartzFireTimes("0 0/30 2 * * ?", ZoneRules.Berlin.Zone, day, dayEnd));
        Assert.Equal(firstPass, QuartzFireTimes("0 0,30 2 * * ?", ZoneRules.Berlin.Zone, day, dayEnd));
        Assert.Equal(firstPass, EngineStarts("0 0/30 2 * * ?", "Europe/Berlin", day, dayEnd));
        Assert.Equal(firstPass, EngineStarts("0 0,30 2 * * ?", "Europe/Berlin", day, dayEnd));
    }

    private static List<DateTimeOffset> EngineStarts(string cron, string zoneId) => EngineStarts(cron, zoneId, From, Until);

    private static List<DateTimeOffset> EngineStarts(string cron, string zoneId, DateTimeOffset from, DateTimeOffset until) =>
    [
        .. OccurrenceCalculator.From(Schedules.Cron(cron, zoneId), from).TakeWhile(o => o.StartUtc < until).Select(o => o.StartUtc),
    ];

    private static List<DateTimeOffset> QuartzFireTimes(string cron, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset until)
    {
        var trigger = TriggerBuilder.Create()
            .WithIdentity("agreement")
            .WithCronSchedule(cron, x => x.InTimeZone(zone))
            .StartAt(from)
            .Build();
        var times = new List<DateTimeOffset>();
        for (var next = trigger.GetFireTimeAfter(from.AddSeconds(-1)); next is { } t && t < until; next = trigger.GetFireTimeAfter(t))
        {
            times.Add(t.ToUniversalTime());
        }

        return times;
    }
}
