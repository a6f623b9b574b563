using Orchestrator.Agent.Windows.Firewall;

namespace Orchestrator.Agent.Tests.Windows.Firewall;

/// <summary>The firewall log parser on hand-written lines in the format of Microsoft's pfirewall.log examples (not
/// captured on a real host).</summary>
public sealed class DropLogLinesTests
{
    [Fact]
    public void Only_drop_lines_come_out_with_their_protocol_source_port_and_direction()
    {
        var drops = new DropLogLines().Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Windows", "Samples", "firewall-drops.log"))).ToList();

        Assert.Equal(7, drops.Count);
        Assert.Equal(new DroppedPacket("TCP", "2001:db8::66", 7680, "RECEIVE"), drops[2]);
        Assert.Equal(new DroppedPacket("UDP", "198.18.0.67", 7680, "RECEIVE"), drops[4]);
        Assert.Equal("SEND", drops[6].Path);
        Assert.DoesNotContain(drops, d => d.Source == "198.18.0.4");
        Assert.DoesNotContain(drops, d => d.Source == "198.18.0.70");
    }

    [Fact]
    public void Columns_follow_the_fields_header_also_across_chunks_and_with_a_pid_column()
    {
        var lines = new DropLogLines();

        var header = lines.Parse("#Version: 1.5\r\n#Fields: date time action protocol dst-ip src-ip dst-port src-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\r\n").ToList();
        var drop = Assert.Single(lines.Parse("2026-03-10 22:01:05 DROP TCP 198.18.0.1 ::ffff:198.18.0.66 7680 51000 52 S 1 0 64240 - - - RECEIVE 1360\r\n"));

        Assert.Empty(header);
        Assert.Equal(new DroppedPacket("TCP", "198.18.0.66", 7680, "RECEIVE"), drop);
    }

    [Fact]
    public void Malformed_lines_are_skipped() =>
        Assert.Empty(new DropLogLines().Parse("garbage\n2026-03-10 22:01:05 DROP TCP not-an-ip 198.18.0.1 1 7680\n2026-03-10 22:01:05 DROP TCP 198.18.0.9 198.18.0.1 1 x\n"));
}
