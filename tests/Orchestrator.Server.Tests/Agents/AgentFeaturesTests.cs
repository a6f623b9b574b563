using Orchestrator.Protocol;
using Orchestrator.Server.Agents;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>The features an agent names in its state poll: a comma-separated list, items trimmed, unknown ones ignored,
/// and a feature counts only when named exactly (read at every poll, without splitting the list into strings).</summary>
public sealed class AgentFeaturesTests
{
    [Theory]
    [InlineData("peer-sets", true)]
    [InlineData("ack-by-poll,peer-sets", true)]
    [InlineData(" ack-by-poll , peer-sets ", true)]
    [InlineData("future-thing,,peer-sets", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData(",", false)]
    [InlineData("ack-by-poll", false)]
    [InlineData("peer-sets-v2", false)]
    [InlineData("peer", false)]
    [InlineData("PEER-SETS", false)]
    [InlineData("peer-sets;ack-by-poll", false)]
    public void AFeatureIsAskedOnlyWhenTheListNamesIt(string? features, bool asked) =>
        Assert.Equal(asked, AgentFeatures.Asked(features, AgentProtocolV1.PeerSetsFeature));
}
