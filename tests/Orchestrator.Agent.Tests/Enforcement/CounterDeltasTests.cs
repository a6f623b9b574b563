using Orchestrator.Agent.Enforcement;

namespace Orchestrator.Agent.Tests.Enforcement;

public sealed class CounterDeltasTests
{
    private static FirewallCounters Served(params (string Peer, long Bytes)[] rows) => new(
        rows.ToDictionary(r => r.Peer, r => r.Bytes), new Dictionary<string, long>(), new Dictionary<BlockedKey, long>());

    [Fact]
    public void The_first_reading_is_reported_whole_because_the_table_starts_at_zero() =>
        Assert.Equal(100, new CounterDeltas().Next(Served(("198.18.0.2", 100))).ServedBytes["198.18.0.2"]);

    [Fact]
    public void Later_readings_report_only_the_growth_and_leave_out_idle_peers()
    {
        var deltas = new CounterDeltas();
        deltas.Next(Served(("198.18.0.2", 100), ("198.18.0.3", 50)));

        var next = deltas.Next(Served(("198.18.0.2", 250), ("198.18.0.3", 50)));

        Assert.Equal(new Dictionary<string, long> { ["198.18.0.2"] = 150 }, next.ServedBytes);
    }

    [Fact]
    public void A_counter_that_went_backwards_is_a_new_baseline_after_a_table_reinstall()
    {
        var deltas = new CounterDeltas();
        deltas.Next(Served(("198.18.0.2", 1000)));

        Assert.Equal(40, deltas.Next(Served(("198.18.0.2", 40))).ServedBytes["198.18.0.2"]);
    }

    [Fact]
    public void An_address_that_vanished_and_came_back_counts_from_zero()
    {
        var deltas = new CounterDeltas();
        deltas.Next(Served(("198.18.0.2", 1000)));
        Assert.Empty(deltas.Next(Served()).ServedBytes);

        Assert.Equal(1200, deltas.Next(Served(("198.18.0.2", 1200))).ServedBytes["198.18.0.2"]);
    }

    [Fact]
    public void Blocked_attempts_are_deltas_per_source_and_port()
    {
        var deltas = new CounterDeltas();
        var key = new BlockedKey("198.18.0.3", 7680);
        deltas.Next(new FirewallCounters(new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<BlockedKey, long> { [key] = 3 }));

        var next = deltas.Next(new FirewallCounters(new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<BlockedKey, long> { [key] = 7 }));

        Assert.Equal(4, next.BlockedPackets[key]);
    }
}
