using System.Globalization;

namespace Orchestrator.Core.Schedules.Cron;

/// <summary>One position of a Quartz cron expression: its name in error messages, range and names.</summary>
internal sealed class CronField
{
    // Quartz refuses a step of 60 seconds or minutes and of 24 hours (it would fire once anyway), so Core does too.
    public static readonly CronField Second = new("second", 0, 59, "0-59", maxStep: 59);
    public static readonly CronField Minute = new("minute", 0, 59, "0-59", maxStep: 59);
    public static readonly CronField Hour = new("hour", 0, 23, "0-23", maxStep: 23);
    public static readonly CronField DayOfMonth = new("day-of-month", 1, 31, "1-31", "1-31, L, L-n, LW, L-nW, nW or ?");
    public static readonly CronField Month = new(
        "month", 1, 12, "1-12 or JAN-DEC", names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]);
    public static readonly CronField DayOfWeek = new(
        "day-of-week", 1, 7, "1-7 or SUN-SAT", "1-7 or SUN-SAT, L, nL, n#k or ?", ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]);
    public static readonly CronField Year = new("year", 1970, 2199, "1970-2199");

    private readonly string[] names;

    private CronField(string name, int min, int max, string acceptedValues, string? acceptedForms = null, string[]? names = null, int? maxStep = null)
    {
        MaxStep = maxStep ?? max - min + 1;
        Name = name;
        Min = min;
        Max = max;
        AcceptedValues = acceptedValues;
        AcceptedForms = acceptedForms ?? acceptedValues;
        this.names = names ?? [];
    }

    public string Name { get; }

    public int Min { get; }

    public int Max { get; }

    public int Size => Max - Min + 1;

    /// <summary>The largest step (<c>*/n</c>) Quartz accepts in this field.</summary>
    public int MaxStep { get; }

    /// <summary>True when <paramref name="token"/> is one of the field's names (JAN, MON), not a number.</summary>
    public bool IsName(string token) => Array.IndexOf(names, token) >= 0;

    /// <summary>Values alone, for out-of-range messages.</summary>
    public string AcceptedValues { get; }

    /// <summary>Every form the field takes besides lists, ranges and steps, for syntax messages.</summary>
    public string AcceptedForms { get; }

    public bool TryValue(string token, out int value, out string? error)
    {
        error = null;
        var nameIndex = Array.IndexOf(names, token);
        if (nameIndex >= 0)
        {
            value = Min + nameIndex;
            return true;
        }

        if (!TryNumber(token, out value))
        {
            error = Unrecognised(token);
            return false;
        }

        if (value < Min || value > Max)
        {
            error = OutOfRange(token);
            return false;
        }

        return true;
    }

    /// <summary>Plain decimal digits only (no sign, no spaces), at most nine of them.</summary>
    public static bool TryNumber(string text, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 9 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        value = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    public string OutOfRange(string token) => $"{Name}: '{token}' is out of range; accepted {AcceptedValues}";

    public string Unrecognised(string token) =>
        $"{Name}: '{token}' is not understood; accepted {AcceptedForms}, lists (a,b), ranges (a-b) and steps (*/n, a/n, a-b/n)";
}
