using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Protocol.Tests;

/// <summary>
/// Pins every v1 message on the wire in both directions: a canonical instance serializes to the checked-in file
/// byte for byte, and the file reads back to the same message. A change to the wire is a visible diff of Golden/.
/// The "-future" files add fields a newer peer might send, at every level: they must read as the same message, also
/// under the server's strict options (unknown members disallowed for the ops API).
/// </summary>
public sealed class GoldenMessagesTests
{
    /// <summary>What both sides use on the wire: ASP.NET Core's and HttpClient's web defaults.</summary>
    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web) { WriteIndented = true, NewLine = "\n" };

    /// <summary>The server's HTTP JSON options for every route (OrchestratorHost).</summary>
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static TheoryData<string> Messages => [.. CanonicalMessages.All.Keys];

    [Theory]
    [MemberData(nameof(Messages))]
    public void AMessageSerializesToItsGoldenFile(string name)
    {
        var message = CanonicalMessages.All[name];

        Assert.Equal(Golden(name), JsonSerializer.Serialize(message, message.GetType(), Wire));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void TheGoldenFileReadsBackToTheSameMessage(string name)
    {
        var message = CanonicalMessages.All[name];

        var read = JsonSerializer.Deserialize(Golden(name), message.GetType(), Strict);

        Assert.Equal(JsonSerializer.Serialize(message, message.GetType(), Wire), JsonSerializer.Serialize(read, message.GetType(), Wire));
    }

    [Theory]
    [InlineData("enroll-request")]
    [InlineData("enroll-response")]
    [InlineData("desired-state")]
    [InlineData("desired-state-delivery-optimization-settings")]
    [InlineData("agent-report")]
    [InlineData("agent-report-repairs")]
    [InlineData("desired-state-peer-set")]
    [InlineData("peer-set")]
    [InlineData("desired-state-inline-peer-set")]
    [InlineData("agent-report-delivery-optimization")]
    public void AMessageWithFieldsFromANewerPeerReadsAsTheSameMessage(string name)
    {
        var message = CanonicalMessages.All[name];
        var future = Golden(name + "-future");
        Assert.Contains("\"addedInAFutureVersion\"", future, StringComparison.Ordinal);

        foreach (var options in new[] { Strict, JsonSerializerOptions.Web })
        {
            var read = JsonSerializer.Deserialize(future, message.GetType(), options);
            Assert.Equal(JsonSerializer.Serialize(message, message.GetType(), Wire), JsonSerializer.Serialize(read, message.GetType(), Wire));
        }
    }

    [Fact]
    public void EveryGoldenFileIsPinnedByATest()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.json")
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal);

        Assert.Equal(
            CanonicalMessages.All.Keys.Concat(["enroll-request-future", "enroll-response-future", "desired-state-future", "agent-report-future", "agent-report-repairs-future", "desired-state-peer-set-future", "peer-set-future", "agent-report-delivery-optimization-future", "desired-state-delivery-optimization-settings-future", "desired-state-inline-peer-set-future"]).Order(StringComparer.Ordinal),
            files);
    }

    private static string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name + ".json")).ReplaceLineEndings("\n").TrimEnd('\n');
}
