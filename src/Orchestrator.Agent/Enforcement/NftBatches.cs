using System.Globalization;
using System.Text;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// The exact text handed to <c>nft -f -</c>. Every change is one batch so the kernel applies it atomically:
/// there is never a moment with half a ruleset.
/// </summary>
internal static class NftBatches
{
    public const string Family = "inet";
    public const string Table = "orchestrator";

    /// <summary>
    /// Creates (or re-creates) the agent's table in the closed state. "table …; delete table …" first makes
    /// the batch idempotent: the empty declaration guarantees the delete finds a table on a fresh host.
    /// </summary>
    /// <remarks>
    /// Rule choices, all for "closed means closed":
    /// <list type="bullet">
    /// <item>No <c>ct state established accept</c>: when a peer's element expires, its in-flight packets drop too.</item>
    /// <item>Counting rules are separate from verdict rules: a full counter set makes <c>update</c> stop its rule,
    /// which must never skip a drop.</item>
    /// <item>Priority <c>filter - 10</c> runs before the host's usual filter chains; an accept here does not
    /// override their drops (every base chain must accept), but our drop is final.</item>
    /// <item>Counter sets forget an address after an idle hour so they cannot fill up over months.</item>
    /// <item>The allow sets are interval sets, so a run's peer set is installed as its exact ranges (one element per
    /// range, not per address); elements must then be disjoint, which <see cref="AllowanceUnion"/> guarantees.</item>
    /// </list>
    /// </remarks>
    public static string InstallClosed(IReadOnlyList<int> guardedPorts)
    {
        var ports = string.Join(", ", guardedPorts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        return $$"""
            table inet orchestrator
            delete table inet orchestrator
            table inet orchestrator {
            	set guarded_ports {
            		type inet_service
            		elements = { {{ports}} }
            	}
            	set allowed4 {
            		type ipv4_addr . inet_service
            		flags interval,timeout
            	}
            	set allowed6 {
            		type ipv6_addr . inet_service
            		flags interval,timeout
            	}
            {{CounterSet("served4", "ipv4_addr")}}
            {{CounterSet("served6", "ipv6_addr")}}
            {{CounterSet("received4", "ipv4_addr")}}
            {{CounterSet("received6", "ipv6_addr")}}
            {{CounterSet("blocked4", "ipv4_addr . inet_service")}}
            {{CounterSet("blocked6", "ipv6_addr . inet_service")}}
            	chain input {
            		type filter hook input priority filter - 10; policy accept;
            		tcp sport @guarded_ports update @received4 { ip saddr counter }
            		tcp sport @guarded_ports update @received6 { ip6 saddr counter }
            		ip saddr . tcp dport @allowed4 accept
            		ip6 saddr . tcp dport @allowed6 accept
            		tcp dport @guarded_ports update @blocked4 { ip saddr . tcp dport counter }
            		tcp dport @guarded_ports update @blocked6 { ip6 saddr . tcp dport counter }
            		tcp dport @guarded_ports drop
            	}
            	chain output {
            		type filter hook output priority filter - 10; policy accept;
            		ip daddr . tcp sport @allowed4 update @served4 { ip daddr counter }
            		ip6 daddr . tcp sport @allowed6 update @served6 { ip6 daddr counter }
            		ip daddr . tcp sport @allowed4 accept
            		ip6 daddr . tcp sport @allowed6 accept
            		tcp sport @guarded_ports drop
            	}
            }

            """;
    }

    /// <summary>
    /// Replaces the allowed peers. Flush and add in one batch: re-adding an existing element would not
    /// refresh its timeout, and a reader never sees the sets empty. Timeouts are relative seconds, so the
    /// endpoint's clock never matters; the kernel removes each element at expiry with no agent involved.
    /// </summary>
    public static string Apply(IReadOnlyList<PeerAllowance> allowances)
    {
        var batch = new StringBuilder();
        batch.Append("flush set inet orchestrator allowed4\n");
        batch.Append("flush set inet orchestrator allowed6\n");
        AppendElements(batch, "allowed4", allowances.Where(a => !a.IsIPv6));
        AppendElements(batch, "allowed6", allowances.Where(a => a.IsIPv6));
        return batch.ToString();
    }

    private static void AppendElements(StringBuilder batch, string set, IEnumerable<PeerAllowance> allowances)
    {
        var elements = allowances
            .Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Peer} . {a.Port} timeout {a.Seconds}s"))
            .ToList();
        if (elements.Count > 0)
        {
            batch.Append(CultureInfo.InvariantCulture, $"add element inet orchestrator {set} {{ {string.Join(", ", elements)} }}\n");
        }
    }

    private static string CounterSet(string name, string type) => $$"""
        	set {{name}} {
        		type {{type}}
        		size 65536
        		flags dynamic,timeout
        		timeout 1h
        	}
        """;
}
