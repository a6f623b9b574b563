using System.Text;
using Orchestrator.Data.Signals;

namespace Orchestrator.Data.Postgres.Signals;

/// <summary>
/// One notification's text: <c>1|node|topic|key,key,…</c>, or <c>*</c> for every key. The node lets a node skip what it
/// published itself (it applied that before sending). Keys are ASCII (see <see cref="ClusterSignal"/>), so characters
/// are bytes.
/// </summary>
internal static class SignalPayload
{
    private const string Version = "1";
    private const string EverythingMark = "*";

    /// <summary>The notifications that carry <paramref name="signal"/>: its keys in as few payloads of at most
    /// <paramref name="maxBytes"/> as fit, or one "everything" payload when they take more than <paramref name="maxCount"/>.</summary>
    public static IReadOnlyList<string> Encode(string node, ClusterSignal signal, int maxBytes, int maxCount)
    {
        var prefix = $"{Version}|{node}|{signal.Topic}|";
        var everything = prefix + EverythingMark;
        if (signal.IsEverything)
        {
            return [everything];
        }

        var payloads = new List<string>();
        var current = new StringBuilder(prefix);
        foreach (var key in signal.Keys)
        {
            var separator = current.Length > prefix.Length ? 1 : 0;
            if (current.Length + separator + key.Length > maxBytes)
            {
                payloads.Add(current.ToString());
                if (payloads.Count >= maxCount)
                {
                    return [everything];
                }

                current.Clear().Append(prefix);
                separator = 0;
            }

            if (separator == 1)
            {
                current.Append(',');
            }

            current.Append(key);
        }

        if (current.Length > prefix.Length)
        {
            payloads.Add(current.ToString());
        }

        return payloads.Count > maxCount ? [everything] : payloads;
    }

    /// <summary>The sender and the signal, or false for a payload this version cannot read.</summary>
    public static bool TryDecode(string payload, out string node, out ClusterSignal? signal)
    {
        node = "";
        signal = null;
        var parts = payload.Split('|');
        if (parts is not [Version, var sender, var topic, var keys] || sender.Length == 0)
        {
            return false;
        }

        try
        {
            signal = keys == EverythingMark
                ? ClusterSignal.Everything(topic)
                : new ClusterSignal(topic, keys.Split(',', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (ArgumentException)
        {
            return false;
        }

        node = sender;
        return true;
    }
}
