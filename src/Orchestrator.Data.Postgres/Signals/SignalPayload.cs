using System.Text;
using Orchestrator.Data.Signals;

namespace Orchestrator.Data.Postgres.Signals;

/// <summary>
/// One notification's text: <c>2|number|node|topic|key,key,…</c>, or <c>*</c> for every key. The number is the
/// notification's place in sequence <c>signal_number</c>, taken by the database as it is sent (see
/// <see cref="PostgresClusterSignals.IsCaughtUp"/>); the node lets a node skip what it published itself (it applied
/// that before sending). <see cref="Encode"/> makes what follows the number; the statement that sends it puts
/// <see cref="Head"/> and the number in front. Keys are ASCII (see <see cref="ClusterSignal"/>), so characters are bytes.
/// </summary>
internal static class SignalPayload
{
    private const string Version = "2";

    /// <summary>What the sending statement puts before the number.</summary>
    public const string Head = Version + "|";

    /// <summary>The most bytes the head and the number take (a bigint has at most 19 digits), with the separator after.</summary>
    public const int NumberBytes = 2 + 19 + 1;
    private const string EverythingMark = "*";

    /// <summary>The notifications that carry <paramref name="signal"/>, without their head and number: its keys in as
    /// few payloads as fit in <paramref name="maxBytes"/> each with the number, or one "everything" payload when they
    /// take more than <paramref name="maxCount"/>.</summary>
    public static IReadOnlyList<string> Encode(string node, ClusterSignal signal, int maxBytes, int maxCount)
    {
        maxBytes -= NumberBytes;
        var prefix = $"{node}|{signal.Topic}|";
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

    /// <summary>The number, the sender and the signal, or false for a payload this version cannot read.</summary>
    public static bool TryDecode(string payload, out long number, out string node, out ClusterSignal? signal)
    {
        number = 0;
        node = "";
        signal = null;
        var parts = payload.Split('|');
        if (parts is not [Version, var digits, var sender, var topic, var keys] || sender.Length == 0
            || !long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number)
            || number <= 0)
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
