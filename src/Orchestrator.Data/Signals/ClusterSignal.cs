using System.Text.RegularExpressions;

namespace Orchestrator.Data.Signals;

/// <summary>
/// What changed: a <see cref="Topic"/> (which kind of cached thing) and the <see cref="Keys"/> of the things (ids as
/// text), or <see cref="IsEverything"/> when they cannot be named (too many to send, or some may have been missed).
/// </summary>
public sealed partial record ClusterSignal
{
    /// <summary>Longest topic name (it travels in every notification).</summary>
    public const int MaxTopicLength = 32;

    /// <summary>Longest key: ids and agent ids are far shorter.</summary>
    public const int MaxKeyLength = 64;

    public ClusterSignal(string topic, IEnumerable<string> keys)
        : this(topic, keys?.ToList() ?? throw new ArgumentNullException(nameof(keys)), everything: false)
    {
    }

    private ClusterSignal(string topic, IReadOnlyList<string> keys, bool everything)
    {
        if (string.IsNullOrEmpty(topic) || !TopicPattern().IsMatch(topic))
        {
            throw new ArgumentException($"'{topic}' is not a signal topic; accepted: lower-case letters, digits and '-', at most {MaxTopicLength} characters, starting with a letter", nameof(topic));
        }

        foreach (var key in keys)
        {
            if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength || !KeyPattern().IsMatch(key))
            {
                throw new ArgumentException($"'{key}' is not a signal key; accepted: 1-{MaxKeyLength} letters, digits, '-', '_' or '.'", nameof(keys));
            }
        }

        Topic = topic;
        Keys = keys;
        IsEverything = everything;
    }

    public string Topic { get; }

    /// <summary>The things that changed; empty when <see cref="IsEverything"/>.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Anything of the topic may have changed: drop all of it, wake everyone.</summary>
    public bool IsEverything { get; }

    /// <summary>Heard from another node (set by the bus that received it): the node that made the change has not read
    /// anything for this node, so a subscriber may read ahead what its woken callers will ask for.</summary>
    public bool FromOtherNode { get; init; }

    /// <summary>Anything of <paramref name="topic"/> may have changed.</summary>
    public static ClusterSignal Everything(string topic) => new(topic, [], everything: true);

    /// <summary>The keys as numbers (endpoint ids); keys that are not numbers are left out.</summary>
    public IEnumerable<long> KeysAsIds() =>
        Keys.Select(k => long.TryParse(k, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var id) ? (long?)id : null)
            .OfType<long>();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicPattern();

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
