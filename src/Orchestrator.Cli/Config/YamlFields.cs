using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Cli.Config;

/// <summary>
/// Reads the fields of one YAML mapping into typed values. Every problem becomes a diagnostic at the offending node that
/// names the field and what is accepted; reading goes on, so that one run reports all the mistakes of a file.
/// </summary>
internal sealed partial class YamlFields
{
    private readonly string _file;
    private readonly string _prefix;
    private readonly List<ConfigDiagnostic> _diagnostics;
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);

    public YamlFields(string file, YamlMappingNode node, string prefix, IReadOnlyList<string> accepted, List<ConfigDiagnostic> diagnostics)
    {
        _file = file;
        _prefix = prefix;
        _diagnostics = diagnostics;
        foreach (var (key, value) in node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!accepted.Contains(name, StringComparer.Ordinal))
            {
                var hint = Closest(name, accepted) is { } close ? $"did you mean '{close}'? " : "";
                Add(key, Field(name), $"unknown field; {hint}accepted: {string.Join(", ", accepted)}");
            }
            else
            {
                _values[name] = value;
            }
        }
    }

    public bool Has(string name) => _values.ContainsKey(name) && !IsNull(_values[name]);

    public string? String(string name) => Scalar(name, "text") is { } node ? node.Value : null;

    public int? Int(string name, string accepted)
    {
        if (Scalar(name, accepted) is not { } node)
        {
            return null;
        }

        if (int.TryParse(node.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Add(node, Field(name), $"'{node.Value}' is not accepted; {accepted}");
        return null;
    }

    public long? Long(string name, string accepted)
    {
        if (Scalar(name, accepted) is not { } node)
        {
            return null;
        }

        if (long.TryParse(node.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Add(node, Field(name), $"'{node.Value}' is not accepted; {accepted}");
        return null;
    }

    public bool? Bool(string name)
    {
        if (Scalar(name, "true or false") is not { } node)
        {
            return null;
        }

        switch (node.Value?.ToLowerInvariant())
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                Add(node, Field(name), $"'{node.Value}' is not accepted; true or false");
                return null;
        }
    }

    /// <summary>An instant with an explicit offset: without one, the same file would mean different instants on machines
    /// in different zones.</summary>
    public DateTimeOffset? Instant(string name)
    {
        if (Scalar(name, "a date-time with offset") is not { } node)
        {
            return null;
        }

        if (OffsetSuffix().IsMatch(node.Value ?? "")
            && DateTimeOffset.TryParse(node.Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }

        Add(node, Field(name), $"'{node.Value}' is not accepted; a date-time with offset such as 2027-01-01T00:00:00+01:00 or 2027-01-01T00:00:00Z");
        return null;
    }

    /// <summary>A list of text values; a single value is refused rather than guessed to be a one-item list.</summary>
    public IReadOnlyList<string>? StringList(string name, string itemDescription)
    {
        if (Sequence(name, $"a list of {itemDescription}") is not { } sequence)
        {
            return null;
        }

        var items = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlScalarNode { Value: { } text } scalar && !IsNull(scalar))
            {
                items.Add(text);
            }
            else
            {
                Add(sequence.Children[i], $"{Field(name)}[{i}]", $"expected {itemDescription}, found {Describe(sequence.Children[i])}");
            }
        }

        return items;
    }

    public YamlSequenceNode? Sequence(string name, string accepted)
    {
        if (!_values.TryGetValue(name, out var node) || IsNull(node))
        {
            return null;
        }

        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }

        Add(node, Field(name), $"expected {accepted}, found {Describe(node)}");
        return null;
    }

    public YamlMappingNode? Mapping(string name, string accepted)
    {
        if (!_values.TryGetValue(name, out var node) || IsNull(node))
        {
            return null;
        }

        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        Add(node, Field(name), $"expected {accepted}, found {Describe(node)}");
        return null;
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping (key: value)",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing (null)",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an alias",
    };

    private YamlScalarNode? Scalar(string name, string accepted)
    {
        if (!_values.TryGetValue(name, out var node) || IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar;
        }

        Add(node, Field(name), $"expected {accepted}, found {Describe(node)}");
        return null;
    }

    private string Field(string name) => _prefix + name;

    private void Add(YamlNode node, string field, string message) => _diagnostics.Add(new(SourceLocation.At(_file, node.Start), field, message));

    private static string? Closest(string name, IReadOnlyList<string> accepted) =>
        accepted.Select(a => (Name: a, Distance: Distance(name.ToLowerInvariant(), a.ToLowerInvariant())))
            .Where(a => a.Distance <= Math.Max(1, name.Length / 3))
            .OrderBy(a => a.Distance)
            .Select(a => a.Name)
            .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"(Z|z|[+-]\d{2}:?\d{2})$")]
    private static partial Regex OffsetSuffix();
}
