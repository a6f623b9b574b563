using System.Text.RegularExpressions;

namespace Orchestrator.Core;

/// <summary>Names of groups, windows, API keys and enrollment tokens: what people type in config files and URLs.</summary>
public static partial class Names
{
    public const int MaxLength = 100;

    public static void Validate(string? name, string field, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!FreeText.Validate(name, field, errors))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxLength || !Pattern().IsMatch(name))
        {
            errors.Add(new(field, $"required; 1-{MaxLength} characters: letters, digits, spaces and - _ . ( ) starting with a letter or digit"));
        }
    }

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} _.()-]*$")]
    private static partial Regex Pattern();
}
