using System.Net;
using System.Text;
using Orchestrator.Agent.Enforcement;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>
/// Counts inbound TCP drops on the guarded ports from the firewall log the agent turned on (see
/// <see cref="DropLogScripts"/>), as absolute counts per source and port since the agent started; the report loop
/// turns them into deltas like every counter. Reads only what was appended since the previous read; a log that got
/// shorter was rotated by Windows (at LogMaxSizeKilobytes) and is read from its start. Not thread-safe: the report loop
/// alone reads it.
/// </summary>
internal sealed class DropLog(string fileName, int maxKilobytes)
{
    private readonly DropLogLines lines = new();
    private readonly Dictionary<BlockedKey, long> totals = [];
    private long? offset;

    /// <summary>The file as given to Set-NetFirewallProfile (environment variables unexpanded).</summary>
    public string FileName => fileName;

    public int MaxKilobytes => maxKilobytes;

    /// <summary>Totals after reading what was appended. <paramref name="allowed"/> = per port, the peers an open run admits:
    /// a drop from one of them (before its rule was in place, after its window) is not an attempt from outside.
    /// Throws <see cref="IOException"/> when the log cannot be read.</summary>
    public IReadOnlyDictionary<BlockedKey, long> Read(IReadOnlyList<int> guardedPorts, Func<int, IReadOnlySet<IPAddress>> allowed)
    {
        var path = Environment.ExpandEnvironmentVariables(fileName);
        if (!File.Exists(path))
        {
            // Windows creates the file when logging starts: everything in it then is new.
            offset ??= 0;
            return new Dictionary<BlockedKey, long>(totals);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // The first sight of an existing log: what it holds happened before this agent ran, and counts nothing.
        offset ??= stream.Length;
        if (stream.Length < offset)
        {
            offset = 0;
        }

        stream.Seek(offset.Value, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - offset.Value];
        stream.ReadExactly(buffer);
        // Only whole lines: the firewall may be in the middle of writing the last one.
        var end = Array.LastIndexOf(buffer, (byte)'\n') + 1;
        offset += end;
        foreach (var drop in lines.Parse(Encoding.UTF8.GetString(buffer, 0, end)))
        {
            if (drop.Protocol == "TCP" && guardedPorts.Contains(drop.DestinationPort) && !"SEND".Equals(drop.Path, StringComparison.OrdinalIgnoreCase) &&
                !allowed(drop.DestinationPort).Contains(IPAddress.Parse(drop.Source)))
            {
                var key = new BlockedKey(drop.Source, drop.DestinationPort);
                totals[key] = totals.GetValueOrDefault(key) + 1;
            }
        }

        return new Dictionary<BlockedKey, long>(totals);
    }
}
