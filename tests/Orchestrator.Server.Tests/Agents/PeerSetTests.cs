using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// Peer sets by reference: an agent that asks (<c>features=peer-sets</c>) gets its run's peer set by hash and fetches it
/// once; an agent that does not ask keeps getting every peer listed, with the same version.
/// </summary>
public sealed class PeerSetTests
{
    [Fact]
    public async Task AnAgentThatAsksForPeerSetsGetsTheSetByHashAndAnOldAgentTheFullListWithTheSameVersion()
    {
        await using var site = await AgentSite.StartAsync(3);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var agent = site.Agents[0];

        var byReference = await agent.StateAsync(AgentProtocolV1.PeerSetsFeature);
        var listed = await agent.StateAsync();

        var opening = Assert.Single(byReference.Openings);
        Assert.Empty(opening.AllowedPeers);
        Assert.NotNull(opening.PeerSet);
        Assert.Equal(3, opening.PeerSet.Addresses);
        Assert.Equal([agent.Address], opening.PeerSet.Except);
        var old = Assert.Single(listed.Openings);
        Assert.Null(old.PeerSet);
        Assert.Equal(["198.18.0.12", "198.18.0.13"], old.AllowedPeers);
        Assert.Equal(listed.Version, byReference.Version);
        // Unknown features are ignored; the features list may name several.
        Assert.Equal(Json(opening), Json(Assert.Single((await agent.StateAsync($"future-thing,{AgentProtocolV1.PeerSetsFeature}")).Openings)));

        using var response = await agent.PeerSetAsync(opening.PeerSet.Hash);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var set = await response.Content.ReadFromJsonAsync<PeerSetV1>(JsonSerializerOptions.Web, TestContext.Current.CancellationToken);
        Assert.Equal(["198.18.0.11-198.18.0.13"], set!.Ranges);
        Assert.Equal(opening.PeerSet.Hash, set.Hash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', set.Ranges)))), set.Hash);
        Assert.Equal($"\"{set.Hash}\"", response.Headers.ETag?.ToString());
        var cache = response.Headers.CacheControl!;
        Assert.True(cache.Private);
        Assert.Equal(TimeSpan.FromDays(1), cache.MaxAge);
        Assert.Contains(cache.Extensions, e => e.Name == "immutable");

        // An agent that holds the set fetches nothing.
        using var again = await agent.PeerSetAsync(set.Hash, ifNoneMatch: $"\"{set.Hash}\"");
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        // The run API answers the set once, and no member carries a list of peers.
        var detail = await site.RunDetailAsync(runId);
        Assert.Equal(set.Hash, (string?)detail["peerSet"]!["hash"]);
        Assert.Equal(["198.18.0.11-198.18.0.13"], detail["peerSet"]!["ranges"]!.AsArray().Select(r => (string?)r));
        Assert.All(detail["members"]!.AsArray(), m => Assert.False(m!.AsObject().ContainsKey("allowedPeers")));
    }

    [Fact]
    public async Task APeerSetIsAnsweredOnlyToAMemberOfAnOpenRunThatHoldsIt()
    {
        await using var site = await AgentSite.StartAsync(3);
        var outsider = await EnrollOutsiderAsync(site);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var hash = Assert.Single((await site.Agents[0].StateAsync(AgentProtocolV1.PeerSetsFeature)).Openings).PeerSet!.Hash;

        using var fromOutsider = await outsider.PeerSetAsync(hash);
        using var unknown = await site.Agents[0].PeerSetAsync(new string('a', 64));
        using var malformed = await site.Agents[0].PeerSetAsync("ABC");
        using var anonymous = await site.Agents[0].PeerSetAsync(hash, authorization: $"{AgentProtocolV1.AuthScheme} nobody:wrong");
        using var member = await site.Agents[1].PeerSetAsync(hash);

        Assert.Equal(HttpStatusCode.NotFound, fromOutsider.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("\"hash\"", await malformed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, member.StatusCode);

        // Once the run is closed, its set is nobody's to fetch.
        await site.Client.PostAsync($"/api/v1/runs/{runId}/close", null, TestContext.Current.CancellationToken);
        await site.WaitRunStateAsync(runId, "Closed");
        using var afterClose = await ApiClientPeerSetEventuallyAsync(site.Agents[1], hash, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, afterClose.StatusCode);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task APeerSetIsSentCompressedToAnAgentThatAcceptsIt(string encoding)
    {
        await using var site = await AgentSite.StartAsync(3);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var hash = Assert.Single((await site.Agents[0].StateAsync(AgentProtocolV1.PeerSetsFeature)).Openings).PeerSet!.Hash;

        using var plain = await site.Agents[0].PeerSetAsync(hash);
        using var compressed = await site.Agents[0].PeerSetAsync(hash, acceptEncoding: encoding);

        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal([encoding], compressed.Content.Headers.ContentEncoding);
        var raw = await compressed.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        await using Stream decoder = encoding == "br"
            ? new BrotliStream(new MemoryStream(raw), CompressionMode.Decompress)
            : new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        var text = await new StreamReader(decoder).ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.Equal(await plain.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), text);
    }

    /// <summary>A run opening or closing elsewhere moves the notifier of its own members only, and this run's version
    /// (and so its set) is not sent again.</summary>
    [Fact]
    public async Task ARunOfAnotherGroupOpeningChangesNeitherTheVersionNorTheSetOfThisRunsMembers()
    {
        await using var site = await AgentSite.StartAsync(2);
        var outsider = await EnrollOutsiderAsync(site);
        await EnrollOutsiderAsync(site, "outsider-2", "198.18.1.51");
        await site.Client.CreateAsync("/api/v1/groups", new { name = "floor-4", tags = new[] { "floor-4" } });
        var other = await site.Client.CreateAsync("/api/v1/windows", new
        {
            name = "floor-4-window", cron = "0 0 3 1 1 ?", timeZone = "Etc/UTC", duration = "PT1H", cutoff = "PT0S",
            groups = new[] { "floor-4" }, scan = new { enabled = false },
        });
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var before = await site.Agents[0].StateAsync(AgentProtocolV1.PeerSetsFeature);

        var otherRun = await site.StartRunAsync((long)other["id"]!);
        await site.WaitRunStateAsync(otherRun, "Open");

        var after = await site.Agents[0].StateAsync(AgentProtocolV1.PeerSetsFeature);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(Json(before.Openings.Select(o => o with { SecondsRemaining = 0 })), Json(after.Openings.Select(o => o with { SecondsRemaining = 0 })));
        var (status, _) = await site.Agents[0].PollAsync(before.Version, 1, features: AgentProtocolV1.PeerSetsFeature);
        Assert.Equal(HttpStatusCode.NotModified, status);
        var outsiderOpening = Assert.Single((await outsider.StateAsync(AgentProtocolV1.PeerSetsFeature)).Openings);
        Assert.Equal(otherRun, outsiderOpening.RunId);
        Assert.NotEqual(before.Openings[0].PeerSet!.Hash, outsiderOpening.PeerSet!.Hash);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);

    // An agent tagged floor-4: in no group of the site's windows.
    private static async Task<TestAgent> EnrollOutsiderAsync(AgentSite site, string hostname = "outsider", string address = "198.18.1.50")
    {
        var token = (string)(await site.Client.CreateAsync("/api/v1/enrollment-tokens", new { name = "other", expiresIn = "PT1H", tags = new[] { "floor-4" } }))["token"]!;
        return await TestAgent.EnrollAsync(site.Client, token, hostname, address, "floor-4");
    }

    private static async Task<HttpResponseMessage> ApiClientPeerSetEventuallyAsync(TestAgent agent, string hash, HttpStatusCode expected)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await agent.PeerSetAsync(hash);
            if (response.StatusCode == expected || DateTimeOffset.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
