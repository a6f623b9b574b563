using Orchestrator.Agent.Windows.DeliveryOptimization;

namespace Orchestrator.Agent.Tests.Windows.DeliveryOptimization;

/// <summary>
/// Parsers of Delivery Optimization cmdlet output, on the hand-written samples in Windows/Samples (see its README:
/// field names from Microsoft's documentation, not captured on a real host). On Windows this is verified only by
/// these tests.
/// </summary>
public sealed class DeliveryOptimizationParsersTests_WindowsVerifiedOnlyByTheseTests
{
    private static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Windows", "Samples", name));

    [Fact]
    public void Status_rows_sum_to_bytes_from_http_versus_peers()
    {
        var files = DeliveryOptimizationStatusParser.Parse(Sample("do-status-three-files.json"));

        var sources = ContentSources.Sum(files);

        Assert.Equal(3, files.Count);
        Assert.Equal("Caching", files[0].Status);
        Assert.Equal(
            new ContentSources(
                FromHttp: 209715200 + 52428800 + 2097152, FromPeers: 524288000 + 8388608, FromLanPeers: 419430400 + 8388608,
                FromGroupPeers: 104857600, FromInternetPeers: 0, FromCacheServer: 1048576,
                ToLanPeers: 314572800, ToGroupPeers: 52428800, ToInternetPeers: 0),
            sources);
    }

    [Fact]
    public void A_single_row_printed_as_an_object_with_odd_spellings_string_numbers_and_nulls_still_parses()
    {
        var file = Assert.Single(DeliveryOptimizationStatusParser.Parse(Sample("do-status-one-file-object.json")));

        Assert.Equal((209715200L, 314572800L, 0L), (file.BytesFromHttp, file.BytesToLanPeers, file.BytesToInternetPeers));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    public void No_files_is_no_rows(string output) => Assert.Empty(DeliveryOptimizationStatusParser.Parse(output));

    [Fact]
    public void Connections_are_summed_per_peer_address_without_ports_and_http_rows_are_left_out()
    {
        var connections = ConnectionListParser.Parse(Sample("do-connections.json"));
        var peers = DeliveryOptimizationStatistics.From([], connections).Peers;

        Assert.Equal(4, connections.Count);
        Assert.Equal(["198.18.0.2", "198.18.0.3", "2001:db8::7"], peers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new PeerBytes(0, 419430400), peers["198.18.0.2"]);
        Assert.Equal(new PeerBytes(314572800, 104857600), peers["198.18.0.3"]);
        Assert.Equal("0x80D0000A", connections.Single(c => c.Peer == "2001:db8::7").StatusCode);
    }

    [Fact]
    public void Connections_nested_in_a_summary_object_with_other_spellings_are_found()
    {
        var connections = ConnectionListParser.Parse(Sample("do-connections-in-summary.json"));

        Assert.Equal(
            [new PeerConnection("198.18.0.2", "Lan", "0x0", 1024, 2048, "a3b2"), new PeerConnection("198.18.0.3", "Group", "0x0", 4096, 0, "a3b2")],
            connections);
    }

    [Fact]
    public void Since_gives_what_happened_between_two_readings_and_a_counter_that_went_back_counts_from_zero()
    {
        var before = new DeliveryOptimizationStatistics(
            new ContentSources(100, 50, 50, 0, 0, 0, 10, 0, 0),
            new Dictionary<string, PeerBytes> { ["198.18.0.2"] = new(10, 20), ["198.18.0.3"] = new(5, 5) });
        var after = new DeliveryOptimizationStatistics(
            new ContentSources(150, 30, 30, 0, 0, 0, 10, 0, 0),
            new Dictionary<string, PeerBytes> { ["198.18.0.2"] = new(15, 20), ["198.18.0.3"] = new(5, 5), ["198.18.0.4"] = new(0, 7) });

        var delta = after.Since(before);

        Assert.Equal(new ContentSources(50, 30, 30, 0, 0, 0, 0, 0, 0), delta.Sources);
        Assert.Equal(new Dictionary<string, PeerBytes> { ["198.18.0.2"] = new(5, 0), ["198.18.0.4"] = new(0, 7) }, delta.Peers);
    }
}
