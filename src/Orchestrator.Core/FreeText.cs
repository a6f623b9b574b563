using System.Globalization;
using System.Text;

namespace Orchestrator.Core;

/// <summary>
/// The one rule for text that people read: names, hostnames, tags, descriptions, OS strings and what agents report,
/// shown in reports, CSV files and the dashboard. Control characters, bidi overrides and isolates, bidi marks,
/// zero-width characters, byte-order marks, line/paragraph separators and unpaired surrogates are not text a person
/// meant to write: they hide or reorder what a reader sees ("Trojan Source"), break CSV and terminal output, or are
/// not valid Unicode. Input that a person types is refused with <see cref="Validate"/>; text an agent reports while it
/// runs is cleaned with <see cref="Sanitize"/> (see docs/decisions.md).
/// </summary>
public static class FreeText
{
    /// <summary>Put in place of every unsafe character by <see cref="Sanitize"/>.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>Why <paramref name="c"/> is unsafe, or null when it is fine. Tab, line feed and carriage return count as
    /// text only where <paramref name="multiLine"/> text is accepted (descriptions, error messages).</summary>
    public static string? Unsafe(char c, bool multiLine = false) => c switch
    {
        '\t' or '\n' or '\r' when multiLine => null,
        < '\u0020' or (>= '\u007F' and <= '\u009F') => "a control character",
        >= '\u202A' and <= '\u202E' => "a bidi embedding or override",
        >= '\u2066' and <= '\u2069' => "a bidi isolate",
        '\u200E' or '\u200F' or '\u061C' => "a bidi mark",
        >= '\u200B' and <= '\u200D' or '\u2060' => "a zero-width character",
        '\uFEFF' => "a byte-order mark (zero-width no-break space)",
        '\u2028' or '\u2029' => "a line or paragraph separator",
        _ when char.IsSurrogate(c) => "half of a surrogate pair",
        _ => null,
    };

    /// <summary>The first unsafe character of <paramref name="text"/> described for an error message, or null.</summary>
    public static string? Problem(string? text, bool multiLine = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (Unsafe(c, multiLine) is { } why)
            {
                return string.Create(CultureInfo.InvariantCulture, $"holds U+{(int)c:X4} ({why}) at position {i + 1}; control, bidi-override, zero-width and byte-order-mark characters are not accepted");
            }
        }

        return null;
    }

    /// <summary>Adds an error for <paramref name="field"/> when <paramref name="text"/> holds an unsafe character.
    /// True when the text is clean.</summary>
    public static bool Validate(string? text, string field, List<FieldError> errors, bool multiLine = false)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Problem(text, multiLine) is { } problem)
        {
            errors.Add(new(field, problem));
            return false;
        }

        return true;
    }

    /// <summary><paramref name="text"/> with every unsafe character replaced by <see cref="Replacement"/>.</summary>
    public static string Sanitize(string text, bool multiLine = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Problem(text, multiLine) is null)
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(c).Append(text[++i]);
                continue;
            }

            clean.Append(Unsafe(c, multiLine) is null ? c : Replacement);
        }

        return clean.ToString();
    }
}
