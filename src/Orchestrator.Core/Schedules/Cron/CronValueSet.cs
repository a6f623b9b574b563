using System.Globalization;

namespace Orchestrator.Core.Schedules.Cron;

/// <summary>The plain values of one field: <c>*</c>, lists, ranges (wrapping past the end), steps, names.</summary>
internal sealed class CronValueSet
{
    private readonly bool[] contains;

    private CronValueSet(CronField field, bool[] contains)
    {
        this.contains = contains;
        Values = [.. Enumerable.Range(field.Min, field.Size).Where(v => contains[v - field.Min])];
        Min = field.Min;
    }

    public int Min { get; }

    /// <summary>Ascending.</summary>
    public IReadOnlyList<int> Values { get; }

    public static CronValueSet All(CronField field) => new(field, [.. Enumerable.Repeat(true, field.Size)]);

    public bool Contains(int value) => value >= Min && value - Min < contains.Length && contains[value - Min];

    public static string? TryParse(string text, CronField field, out CronValueSet? set)
    {
        set = null;
        var contains = new bool[field.Size];
        foreach (var item in text.Split(','))
        {
            if (TryParseItem(item, field, contains) is { } error)
            {
                return error;
            }
        }

        set = new CronValueSet(field, contains);
        return null;
    }

    private static string? TryParseItem(string item, CronField field, bool[] contains)
    {
        if (item.Length == 0)
        {
            return $"{field.Name}: empty item in a list; accepted {field.AcceptedForms} separated by commas";
        }

        var slash = item.IndexOf('/', StringComparison.Ordinal);
        var rangeText = slash < 0 ? item : item[..slash];
        var step = 1;
        if (slash >= 0 && TryParseStep(item[(slash + 1)..], field, out step) is { } stepError)
        {
            return stepError;
        }

        if (slash >= 0 && rangeText != "*" && rangeText.Split('-').Any(field.IsName))
        {
            // Quartz 4.7.3 reads FEB/4 as FEB and JAN-MAR/2 as JAN-MAR: it ignores the step. Refused rather than guessed.
            return $"{field.Name}: '{item}' has a step after a name; accepted a step after a number or * (e.g. 2/4, */2), or the names listed (FEB,JUN,OCT)";
        }

        int first, last;
        if (rangeText == "*")
        {
            (first, last) = (field.Min, field.Max);
        }
        else if (rangeText.Split('-') is [var from, var to])
        {
            if (!field.TryValue(from, out first, out var error) || !field.TryValue(to, out last, out error))
            {
                return error;
            }

            // Quartz refuses a range from a number to a name or back (2-FRI, AUG-8).
            if (field.IsName(from) != field.IsName(to))
            {
                return $"{field.Name}: range '{rangeText}' mixes a number and a name; accepted two numbers or two names (e.g. 2-6 or MON-FRI)";
            }

            // Quartz reads a backwards range as wrapping (FRI-MON, 22-2); a backwards year range is a mistake.
            if (first > last && field == CronField.Year)
            {
                return $"{field.Name}: range '{rangeText}' runs backwards; accepted ascending ranges within {field.AcceptedValues}";
            }
        }
        else if (!field.TryValue(rangeText, out first, out var error))
        {
            return error;
        }
        else
        {
            last = slash < 0 ? first : field.Max;
        }

        var span = (last - first + field.Size) % field.Size;
        for (var k = 0; k <= span; k += step)
        {
            contains[(first - field.Min + k) % field.Size] = true;
        }

        return null;
    }

    private static string? TryParseStep(string text, CronField field, out int step)
    {
        step = 0;
        if (!CronField.TryNumber(text, out step) || step < 1 || step > field.MaxStep)
        {
            return $"{field.Name}: step '/{text}' is not understood; accepted a step of 1-{field.MaxStep.ToString(CultureInfo.InvariantCulture)}";
        }

        return null;
    }
}
