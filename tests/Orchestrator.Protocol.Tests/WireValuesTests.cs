using System.Text.RegularExpressions;

namespace Orchestrator.Protocol.Tests;

/// <summary>Every wire value of v1 is a constant of Orchestrator.Protocol: the server's agent routes and the agent use
/// the constants, never their own spelling, so the two cannot drift apart.</summary>
public sealed class WireValuesTests
{
    private static readonly string[] WireValues =
    [
        .. PeeringModeV1.All, .. PeerSelectionV1.All, .. ScanOutcomeNameV1.All, TransportV1.Tcp, AgentProtocolV1.BasePath,
        AgentProtocolV1.StateRoute, AgentProtocolV1.ReportRoute, AgentProtocolV1.RotateRoute,
    ];

    [Fact]
    public void TheServersAgentRoutesAndTheAgentSpellNoWireValueThemselves()
    {
        var src = Path.Combine(Repository(), "src");
        var files = Directory.GetFiles(Path.Combine(src, "Orchestrator.Agent"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(src, "Orchestrator.Server", "Agents"), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        var found = (
            from file in files
            from line in File.ReadLines(file).Select((text, index) => (text, number: index + 1))
            where !line.text.TrimStart().StartsWith("//", StringComparison.Ordinal)
            from value in WireValues
            where Regex.IsMatch(line.text, "\"" + Regex.Escape(value) + "[\"/?]")
            select $"{Path.GetRelativePath(src, file)}:{line.number}: \"{value}\"").ToList();

        Assert.True(found.Count == 0, "use the constants of Orchestrator.Protocol:\n" + string.Join('\n', found));
    }

    [Fact]
    public void PathsAreTheirRoutesBelowTheBasePath()
    {
        Assert.Equal("/agent/v1/enroll", AgentProtocolV1.EnrollPath);
        Assert.Equal("/agent/v1/state", AgentProtocolV1.StatePath);
        Assert.Equal("/agent/v1/reports", AgentProtocolV1.ReportPath);
        Assert.Equal("/agent/v1/rotate", AgentProtocolV1.RotatePath);
        Assert.Equal(["HttpOnly", "Lan", "Group"], PeeringModeV1.All);
        Assert.Equal("peer-sets", AgentProtocolV1.PeerSetsFeature);
        Assert.Equal("ack-by-poll", AgentProtocolV1.AckByPollFeature);
        Assert.Equal("applied", AgentProtocolV1.AppliedQuery);
        Assert.Equal(["Succeeded", "Failed", "TimedOut"], ScanOutcomeNameV1.All);
    }

    private static string Repository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }
}
