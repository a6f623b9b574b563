using System.Globalization;

namespace Orchestrator.Core.Windows;

/// <summary>A count ("10") or a share of the run's members ("25%"), at least one endpoint either way.</summary>
public readonly record struct ConcurrencyLimit(int Value, bool IsPercent)
{
    public const string Accepted = "a whole number ≥ 1 (e.g. 10) or a percentage 1%-100% (e.g. 25%)";

    public int For(int members) =>
        IsPercent ? Math.Max(1, (int)Math.Ceiling(members * Value / 100.0)) : Value;

    public static bool TryParse(string? text, out ConcurrencyLimit limit)
    {
        limit = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var percent = text.EndsWith('%');
        var number = percent ? text[..^1] : text;
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || (percent && value > 100))
        {
            return false;
        }

        limit = new(value, percent);
        return true;
    }

    public static ConcurrencyLimit Parse(string text) =>
        TryParse(text, out var limit) ? limit : throw new FormatException($"'{text}' is not {Accepted}");

    public override string ToString() => IsPercent ? $"{Value}%" : Value.ToString(CultureInfo.InvariantCulture);
}
