using System.Globalization;
using Quartz;

namespace Orchestrator.Server.Scheduling;

/// <summary>Quartz job data is stored as strings (UseProperties), so values go in and out through here.</summary>
internal static class JobData
{
    public static string Of(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Of(DateTimeOffset value) => value.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public static long Long(this JobDataMap map, string key) => long.Parse(map.Text(key), CultureInfo.InvariantCulture);

    public static DateTimeOffset Instant(this JobDataMap map, string key) => DateTimeOffset.FromUnixTimeMilliseconds(map.Long(key));

    public static string Text(this JobDataMap map, string key) =>
        map[key] as string ?? throw new InvalidOperationException($"job data '{key}' is missing");
}
