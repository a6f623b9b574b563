using System.Xml;

namespace Orchestrator.Core;

/// <summary>ISO-8601 durations (PT4H, PT90M, P1D) as used in the API and config files.</summary>
public static class IsoDurations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith('P'))
        {
            return false;
        }

        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return duration >= TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static string Format(TimeSpan duration) => XmlConvert.ToString(duration);
}
