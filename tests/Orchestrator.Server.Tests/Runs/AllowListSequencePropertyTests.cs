using System.Diagnostics;
using System.Net;
using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Enforcement;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Runs;

/// <summary>
/// Regression property: no sequence of API calls makes any member's allow-list contain an address that is not another
/// current member's address of the same run. Random sequences of endpoint registration, import, deletion, enrollment
/// and re-enrollment (with and without an administrator's mark, inside and outside the token's scope), group edits, and
/// runs started and closed, against the real in-process server; after every step every open run's allow-lists — as
/// the runs API shows them and as each member's agent receives them — are checked. Bounded in steps and in time.
/// </summary>
public sealed class AllowListSequencePropertyTests
{
    private const int Seeds = 3;
    private const int StepsPerSeed = 45;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(150);

    private static readonly string[] Hosts = ["pc-1", "PC-2", "pc-3", "pc-4", "pc-5", "db-1"];
    private static readonly string[] Tags = ["a", "b", "c"];

    private static readonly string[] Addresses =
    [
        "198.18.7.1", "198.18.7.2", "198.18.7.3", "198.18.7.4", "198.18.7.5", "198.18.7.6", "198.18.9.7", "2001:db8::7",
        "fe80::1%eth0", "fe80::1", "169.254.7.7", "::ffff:198.18.7.1", "0.7.7.7", "2001:DB8::8", "198.18.7.1/32", " 198.18.7.2",
    ];

    [Fact]
    public async Task NoSequenceOfApiCallsPutsANonMemberAddressInAnAllowList()
    {
        var clock = Stopwatch.StartNew();
        var (steps, checkedLists) = (0, 0);
        for (var seed = 0; seed < Seeds && clock.Elapsed < Budget; seed++)
        {
            var random = new Random(seed);
            await using var factory = new OrchestratorFactory();
            using var client = factory.CreateClient();
            var world = await World.CreateAsync(client);
            for (var step = 0; step < StepsPerSeed && clock.Elapsed < Budget; step++)
            {
                var action = await world.ActAsync(random);
                checkedLists += await world.CheckAsync($"seed {seed} step {step} after {action}");
                steps++;
            }
        }

        Assert.True(steps >= 40 && checkedLists >= 20, $"exercised {steps} steps and {checkedLists} allow-lists");
    }

    private sealed class World(HttpClient client, string token, long windowA, long windowB, long groupA)
    {
        private readonly Dictionary<long, TestAgent> _agents = [];

        public static async Task<World> CreateAsync(HttpClient client)
        {
            var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "fleet", tags = new[] { "a", "b" } }))["token"]!;
            var groupA = (long)(await client.CreateAsync("/api/v1/groups", new { name = "ga", tags = new[] { "a" } }))["id"]!;
            await client.CreateAsync("/api/v1/groups", new { name = "gb", tags = new[] { "b" }, cidrs = new[] { "198.18.7.0/29" } });
            return new World(client, token, await WindowAsync(client, "wa", "ga"), await WindowAsync(client, "wb", "gb"), groupA);
        }

        public async Task<string> ActAsync(Random random)
        {
            switch (random.Next(10))
            {
                case 0:
                case 1:
                    var body = Endpoint(random);
                    return $"register {Json(body)} → {(await client.PostAsync("/api/v1/endpoints", body)).Status}";
                case 2:
                    return $"import → {(await client.PostAsync("/api/v1/endpoints/import", new[] { Endpoint(random), Endpoint(random) })).Status}";
                case 3:
                    var doomed = await AnyEndpointAsync(random);
                    return $"delete {doomed} → {(doomed is null ? default : (await client.SendAsync(HttpMethod.Delete, $"/api/v1/endpoints/{doomed}")).Status)}";
                case 4:
                case 5:
                    if (random.Next(3) == 0 && await AnyEndpointAsync(random) is { } marked)
                    {
                        await client.PostAsync($"/api/v1/endpoints/{marked}/re-enrollable", new { });
                    }

                    return await EnrollAsync(random);
                case 6:
                    var tags = Pick(random, Tags, random.Next(0, 3));
                    return $"group ga tags [{string.Join(',', tags)}] → {(await client.SendAsync(HttpMethod.Put, $"/api/v1/groups/{groupA}", Json(new { name = "ga", tags, staticMembers = Pick(random, Hosts, random.Next(0, 2)) }))).Status}";
                case 7:
                case 8:
                    var window = random.Next(2) == 0 ? windowA : windowB;
                    return $"start run of {window} → {(await client.PostAsync($"/api/v1/windows/{window}/runs", new { duration = "PT30M" })).Status}";
                default:
                    var open = await OpenRunsAsync();
                    if (open.Count == 0)
                    {
                        return "close: no open run";
                    }

                    var run = open[random.Next(open.Count)];
                    return $"close run {run} → {(await client.PostAsync($"/api/v1/runs/{run}/close", new { })).Status}";
            }
        }

        /// <summary>Checks every open run; returns how many allow-lists it looked at.</summary>
        public async Task<int> CheckAsync(string where)
        {
            var current = (await client.GetJsonAsync("/api/v1/endpoints")).AsArray()
                .ToDictionary(e => (long)e!["id"]!, e => e!["addresses"]!.AsArray().Select(a => (string)a!).ToHashSet(StringComparer.Ordinal));
            var lists = 0;
            var peersOf = new Dictionary<long, HashSet<string>>();
            foreach (var runId in await OpenRunsAsync())
            {
                var detail = await client.GetJsonAsync($"/api/v1/runs/{runId}");
                var members = detail["members"]!.AsArray();
                // A member's allow-list is the run's one peer set without its own addresses.
                var set = RunPeerSet.Parse(string.Join('\n', detail["peerSet"]!["ranges"]!.AsArray().Select(r => (string)r!)));
                foreach (var member in members)
                {
                    var self = (long)member!["endpointId"]!;
                    var others = members.Where(o => (long)o!["endpointId"]! != self).Select(o => (long)o!["endpointId"]!).ToList();
                    var own = set.OwnIn(member["addresses"]!.AsArray().Select(a => System.Net.IPAddress.Parse((string)a!))).ToHashSet();
                    var allowed = set.Addresses().Where(a => !own.Contains(a)).Select(a => a.ToString()).ToList();
                    foreach (var peer in allowed)
                    {
                        Assert.True(PeerAddresses.TryParseUsable(peer, out _, out var why), $"{where}: run {runId} member {self} allows {peer}: {why}");
                        Assert.True(
                            others.Any(o => current.TryGetValue(o, out var held) && held.Contains(peer)),
                            $"{where}: run {runId} member {self} allows {peer}, which is no current address of another member ({string.Join(", ", others.Select(o => $"{o}: {string.Join(' ', current.GetValueOrDefault(o) ?? [])}"))})");
                        Assert.False(current.GetValueOrDefault(self)?.Contains(peer) == true, $"{where}: run {runId} member {self} allows its own {peer}");
                    }

                    peersOf.TryAdd(self, []);
                    peersOf[self].UnionWith(allowed);
                    lists++;
                }
            }

            // What each member's agent is actually sent: never more than the runs' allow-lists above.
            foreach (var (endpointId, agent) in _agents)
            {
                // Both forms of one state: the run's scan dispatch hands out scans on its own, which changes the version.
                if (await agent.OneStateInBothFormsAsync(Orchestrator.Protocol.AgentProtocolV1.PeerSetsFeature) is not { } both)
                {
                    continue;
                }

                var (state, byReference) = both;
                var sent = state.Openings.SelectMany(o => o.AllowedPeers).ToHashSet(StringComparer.Ordinal);
                Assert.True(sent.IsSubsetOf(peersOf.GetValueOrDefault(endpointId) ?? []), $"{where}: agent of {endpointId} is sent {string.Join(' ', sent)}");

                // An agent that takes peer sets is sent the same peers: each named set without its Except.
                foreach (var opening in byReference.Openings)
                {
                    using var response = await agent.PeerSetAsync(opening.PeerSet!.Hash);
                    var ranges = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Orchestrator.Protocol.PeerSetV1>(response.Content, System.Text.Json.JsonSerializerOptions.Web, TestContext.Current.CancellationToken))!.Ranges;
                    var named = RunPeerSet.Parse(string.Join('\n', ranges)).Addresses().Select(a => a.ToString()).Except(opening.PeerSet.Except).ToHashSet(StringComparer.Ordinal);
                    Assert.Equal(
                        state.Openings.Where(o => o.RunId == opening.RunId && o.Port == opening.Port).SelectMany(o => o.AllowedPeers).Order(StringComparer.Ordinal),
                        named.Order(StringComparer.Ordinal));
                }
            }

            return lists;
        }

        private async Task<string> EnrollAsync(Random random)
        {
            var hostname = Hosts[random.Next(Hosts.Length)];
            var addresses = Pick(random, Addresses, random.Next(1, 3));
            var tags = Pick(random, Tags, random.Next(0, 3));
            var (status, body) = await client.PostAsync("/agent/v1/enroll", new { token, hostname, addresses, os = "linux", tags, agentVersion = "t" });
            if (status == HttpStatusCode.OK)
            {
                var credential = System.Text.Json.JsonSerializer.Deserialize<Orchestrator.Protocol.EnrollResponseV1>(body!.ToJsonString(), System.Text.Json.JsonSerializerOptions.Web)!;
                _agents[credential.EndpointId] = new TestAgent(client, credential, addresses[0]);
            }

            return $"enroll {hostname} [{string.Join(',', addresses)}] [{string.Join(',', tags)}] → {status}";
        }

        private async Task<List<long>> OpenRunsAsync() =>
            (await client.GetJsonAsync("/api/v1/runs?limit=1000")).AsArray()
                .Where(r => (string?)r!["state"] is "Open" or "Cutoff")
                .Select(r => (long)r!["id"]!)
                .ToList();

        private async Task<long?> AnyEndpointAsync(Random random)
        {
            var all = (await client.GetJsonAsync("/api/v1/endpoints")).AsArray();
            return all.Count == 0 ? null : (long)all[random.Next(all.Count)]!["id"]!;
        }

        private static object Endpoint(Random random) => new
        {
            hostname = Hosts[random.Next(Hosts.Length)],
            addresses = Pick(random, Addresses, random.Next(1, 3)),
            tags = Pick(random, Tags, random.Next(0, 3)),
        };

        private static string[] Pick(Random random, string[] from, int count) =>
            Enumerable.Range(0, count).Select(_ => from[random.Next(from.Length)]).Distinct().ToArray();

        private static string Json(object body) => System.Text.Json.JsonSerializer.Serialize(body, System.Text.Json.JsonSerializerOptions.Web);

        private static async Task<long> WindowAsync(HttpClient client, string name, string group) =>
            (long)(await client.CreateAsync("/api/v1/windows", new { name, cron = "0 0 3 1 1 ?", timeZone = "Etc/UTC", duration = "PT1H", groups = new[] { group } }))["id"]!;
    }
}
