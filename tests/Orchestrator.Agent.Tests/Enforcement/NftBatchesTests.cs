using Orchestrator.Agent.Enforcement;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>Golden text of every batch the agent hands to nft; a change here is a change of the firewall.</summary>
public sealed class NftBatchesTests
{
    private const string InstallGolden = """
        table inet orchestrator
        delete table inet orchestrator
        table inet orchestrator {
        	set guarded_ports {
        		type inet_service
        		elements = { 7680 }
        	}
        	set allowed4 {
        		type ipv4_addr . inet_service
        		flags interval,timeout
        	}
        	set allowed6 {
        		type ipv6_addr . inet_service
        		flags interval,timeout
        	}
        	set served4 {
        		type ipv4_addr
        		size 65536
        		flags dynamic,timeout
        		timeout 1h
        	}
        	set served6 {
        		type ipv6_addr
        		size 65536
        		flags dynamic,timeout
        		timeout 1h
        	}
        	set received4 {
        		type ipv4_addr
        		size 65536
        		flags dynamic,timeout
        		timeout 1h
        	}
        	set received6 {
        		type ipv6_addr
        		size 65536
        		flags dynamic,timeout
        		timeout 1h
        	}
        	set blocked4 {
        		type ipv4_addr . inet_service
        		size 65536
        		flags dynamic,timeout
        		timeout 1h
        	}
        	set blocked6 {
        		type ipv6_addr . inet_service
        		size 65536
        		flags dynamic,timeout
        		timeout 1h
        	}
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

    [Fact]
    public void Install_batch_recreates_the_table_closed_in_one_transaction() =>
        Assert.Equal(InstallGolden, NftBatches.InstallClosed([7680]));

    [Fact]
    public void Install_batch_lists_every_guarded_port() =>
        Assert.Contains("elements = { 7680, 8080 }", NftBatches.InstallClosed([7680, 8080]), StringComparison.Ordinal);

    [Fact]
    public void Apply_batch_flushes_both_sets_then_adds_each_peer_with_a_relative_timeout()
    {
        var batch = NftBatches.Apply(
        [
            new PeerAllowance("198.18.0.2", false, 7680, 3),
            new PeerAllowance("198.18.0.3", false, 7680, 3600),
            new PeerAllowance("2001:db8::2", true, 7680, 90),
        ]);

        Assert.Equal("""
            flush set inet orchestrator allowed4
            flush set inet orchestrator allowed6
            add element inet orchestrator allowed4 { 198.18.0.2 . 7680 timeout 3s, 198.18.0.3 . 7680 timeout 3600s }
            add element inet orchestrator allowed6 { 2001:db8::2 . 7680 timeout 90s }

            """, batch);
    }

    [Fact]
    public void Apply_batch_for_no_openings_only_flushes() =>
        Assert.Equal("flush set inet orchestrator allowed4\nflush set inet orchestrator allowed6\n", NftBatches.Apply([]));
}
