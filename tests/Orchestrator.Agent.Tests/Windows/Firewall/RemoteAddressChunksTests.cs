using Orchestrator.Agent.Windows.Firewall;

namespace Orchestrator.Agent.Tests.Windows.Firewall;

public sealed class RemoteAddressChunksTests
{
    [Fact]
    public void Addresses_and_ranges_count_one_entry_each_and_keep_their_order()
    {
        var entries = Enumerable.Range(0, 2_001).Select(i => i % 2 == 0 ? $"10.0.{i / 250}.{i % 250}" : $"10.1.{i / 250}.0-10.1.{i / 250}.{i % 250}").ToList();

        var parts = RemoteAddressChunks.Split(entries);

        Assert.Equal([1_000, 1_000, 1], parts.Select(p => p.Count));
        Assert.Equal(entries, parts.SelectMany(p => p));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(1_000, 1)]
    [InlineData(1_001, 2)]
    [InlineData(10_000, 10)]
    public void A_list_becomes_the_fewest_parts_of_at_most_1000(int count, int expectedParts)
    {
        var parts = RemoteAddressChunks.Split(Enumerable.Range(0, count).Select(i => $"198.18.{i / 256 % 256}.{i % 256}"));

        Assert.Equal(expectedParts, parts.Count);
        Assert.All(parts, p => Assert.True(p.Count <= RemoteAddressChunks.MaxEntriesPerRule));
    }
}
