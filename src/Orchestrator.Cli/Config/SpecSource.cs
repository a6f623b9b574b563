using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Cli.Config;

/// <summary>The YAML mapping an endpoint, group or window was read from, so that any error about one of its fields —
/// ours, a Core validator's or the server's (<c>ports[0].port</c>, <c>scan.maxConcurrency</c>) — points at its line.</summary>
internal sealed partial class SpecSource(string file, YamlMappingNode node, string kind)
{
    public string File { get; } = file;

    /// <summary>"endpoint", "group" or "window".</summary>
    public string Kind { get; } = kind;

    public SourceLocation Location => SourceLocation.At(File, node.Start);

    /// <summary>The value at <paramref name="fieldPath"/>, or the closest enclosing node when the field is absent (e.g. a
    /// required field that was left out points at the entity that lacks it).</summary>
    public SourceLocation Locate(string fieldPath)
    {
        YamlNode current = node;
        foreach (Match segment in Segment().Matches(fieldPath))
        {
            YamlNode? next = null;
            if (segment.Groups["name"].Success && current is YamlMappingNode mapping)
            {
                next = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: var k } && k == segment.Groups["name"].Value).Value;
            }
            else if (segment.Groups["index"].Success && current is YamlSequenceNode sequence
                && int.TryParse(segment.Groups["index"].Value, out var index) && index < sequence.Children.Count)
            {
                next = sequence.Children[index];
            }

            if (next is null)
            {
                break;
            }

            current = next;
        }

        return SourceLocation.At(File, current.Start);
    }

    /// <summary>Whether a finding lies inside this entity's YAML. (A mapping node's own End mark is its start in
    /// YamlDotNet's representation model, so the extent is taken from its descendants.)</summary>
    public bool Contains(SourceLocation location)
    {
        var end = node.AllNodes.Select(n => n.End).MaxBy(m => m.Index)!;
        return location.File == File
            && (location.Line > node.Start.Line || (location.Line == node.Start.Line && location.Column >= node.Start.Column))
            && (location.Line < end.Line || (location.Line == end.Line && location.Column <= end.Column));
    }

    public ConfigDiagnostic Error(string field, string message) => new(Locate(field), field, message);

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)|\[(?<index>\d+)\]")]
    private static partial Regex Segment();
}
