using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>
/// Two real server processes on one PostgreSQL database (Orchestrator:Storage=postgres): Quartz's clustered job store
/// fires each trigger on one node and hands a dead node's triggers to the other; the run row's uniqueness keeps every
/// occurrence to one run; agents given both URLs move to the live node.
/// </summary>
[Collection(ChildProcesses.OnPostgres)]
public sealed partial class TwoNodeTests(ClusterDatabase database) : IClassFixture<ClusterDatabase>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWindowOnTwoNodesOpensOnceAndTheSurvivorClosesItAtItsEndWhenTheOpenerIsKilled()
    {
        await using var nodes = await TwoNodes.StartAsync(await database.CreateAsync("failover"));
        var admin = nodes.A.Client;
        var token = (string)(await admin.CreateAsync("/api/v1/enrollment-tokens", new { name = "site", expiresIn = "PT1H", tags = new[] { Seed.Group } }))["token"]!;
        await admin.CreateAsync("/api/v1/groups", new { name = Seed.Group, tags = new[] { Seed.Group } });

        // Agents park on both nodes (their first URL), so whichever node is killed, one of them was on it.
        var clock = Stopwatch.StartNew();
        var agents = new List<FailoverAgent>();
        for (var i = 1; i <= 4; i++)
        {
            var enrolled = await TestAgent.EnrollAsync(admin, token, $"pc-{i}", $"198.18.0.{10 + i}", Seed.Group);
            var first = i % 2 == 0 ? nodes.A : nodes.B;
            agents.Add(new FailoverAgent(enrolled.Credential, enrolled.Address, clock, first.BaseAddress, nodes.Other(first).BaseAddress) { Hostname = $"pc-{i}" });
        }

        try
        {
            agents.ForEach(a => a.Start());
            var start = DateTimeOffset.UtcNow.AddSeconds(8);
            start = start.AddTicks(-(start.Ticks % TimeSpan.TicksPerSecond));
            var windowId = await Seed.OneOffWindowAsync(admin, "two nodes", start, "PT50S");

            var open = await ApiClient.EventuallyAsync(
                () => Seed.RunsOfAsync(nodes.B.Client, windowId),
                runs => runs.Count == 1 && (string?)runs[0]!["state"] == "Open",
                TimeSpan.FromSeconds(30),
                "the window's run to open");
            var runId = (long)open[0]!["id"]!;
            var plannedEnd = At(open[0]!, "plannedEnd");
            var opened = RunLogLines.Opened(runId, "two nodes");
            // The node whose worker opened it logs so just after the state change.
            var openers = await ApiClient.EventuallyAsync(
                () => Task.FromResult(nodes.Both.Where(n => n.Output.Contains(opened, StringComparison.Ordinal)).ToList()),
                found => found.Count > 0, TimeSpan.FromSeconds(10), "the opening node's log line");
            Assert.True(openers.Count == 1, $"opened by exactly one node:\nA:\n{nodes.A.Output}\nB:\n{nodes.B.Output}");
            var opener = openers[0];
            var survivor = nodes.Other(opener);
            // An agent parked on the node that did not open the run hears of it when its 25 s poll ends, unless a
            // cross-node signal wakes it earlier.
            await ApiClient.EventuallyAsync(
                () => Task.FromResult(agents.All(a => a.Answers.Any(x => x.State.Openings.Count == 1))),
                all => all, TimeSpan.FromSeconds(30), "every agent to see the opening");

            // Killed 8 s before the planned end: by then a node has usually acquired the end trigger (Quartz acquires up
            // to 30 s ahead), so the close must survive the loss of the node holding it.
            await Task.Delay(Until(plannedEnd.AddSeconds(-8)), Token);
            var onDeadNode = agents.Where(a => a.Current == opener.BaseAddress).ToList();
            Assert.NotEmpty(onDeadNode);
            var killedAt = clock.Elapsed;
            opener.KillHard();

            // Failover: every agent that was on the dead node is on the survivor (its parked poll resent there).
            var moved = await ApiClient.EventuallyAsync(
                () => Task.FromResult(onDeadNode.All(a => a.Current == survivor.BaseAddress) ? clock.Elapsed : (TimeSpan?)null),
                at => at is not null, TimeSpan.FromSeconds(10), "the dead node's agents to move to the survivor");
            var failover = moved!.Value - killedAt;

            var closed = await ApiClient.EventuallyAsync(
                () => Seed.RunAsync(survivor.Client, runId),
                run => (string?)run["state"] == "Closed",
                TimeSpan.FromSeconds(60),
                $"the survivor to close run {runId}; survivor output:\n{survivor.Output}");
            var closedAt = At(closed, "closedAt");
            var late = closedAt - plannedEnd;
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"agents moved to the survivor {failover.TotalMilliseconds:0} ms after the kill; the close came {late.TotalSeconds:0.0} s after the planned end");

            Assert.Equal("Ended", (string?)closed["closeReason"]);
            Assert.True(closedAt >= plannedEnd, "never before its planned end");
            // Check-in interval (2 s) + misfire threshold (3 s) + Quartz's and Hangfire's polling: well under 15 s.
            Assert.True(late < TimeSpan.FromSeconds(15), $"closed {late.TotalSeconds:0.0} s after its planned end");
            Assert.Single(await Seed.RunsOfAsync(survivor.Client, windowId));
            // The node logs the close just after the state change the API already shows.
            var closedLine = RunLogLines.Closed(runId, "two nodes", "Ended");
            await ApiClient.EventuallyAsync(
                () => Task.FromResult(survivor.Output.Contains(closedLine, StringComparison.Ordinal)),
                logged => logged, TimeSpan.FromSeconds(10), $"the survivor's log line '{closedLine}'");

            // The agents that moved are parked on the survivor: the close reaches them there.
            var closedSeen = clock.Elapsed;
            foreach (var agent in onDeadNode)
            {
                var last = await ApiClient.EventuallyAsync(
                    () => Task.FromResult(agent.Answers[^1]),
                    answer => answer.State.Openings.Count == 0 && answer.At > killedAt,
                    TimeSpan.FromSeconds(10),
                    $"{agent.Hostname} to get the close from the survivor");
                Assert.Equal(survivor.BaseAddress, last.Node);
            }

            Assert.True(failover < TimeSpan.FromSeconds(5), $"agents moved {failover.TotalSeconds:0.0} s after the kill");
            Assert.True(clock.Elapsed - closedSeen < TimeSpan.FromSeconds(10), "the close reached the moved agents");
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AWindowEveryFiveSecondsMakesExactlyOneRunPerOccurrenceOnTwoNodes()
    {
        await using var nodes = await TwoNodes.StartAsync(await database.CreateAsync("occurrences"));
        await Seed.SiteAsync(nodes.A.Client);
        var window = await nodes.B.Client.CreateAsync("/api/v1/windows", new
        {
            name = "every five seconds",
            cron = "0/5 * * * * ?",
            timeZone = "Etc/UTC",
            duration = "PT5S",
            groups = new[] { Seed.Group },
        });
        var windowId = (long)window["id"]!;

        await ApiClient.EventuallyAsync(
            () => Seed.RunsOfAsync(nodes.A.Client, windowId),
            runs => runs.Count(r => (string?)r!["state"] == "Closed") >= 4,
            TimeSpan.FromSeconds(60),
            "four occurrences opened and closed");
        var runs = await Seed.RunsOfAsync(nodes.B.Client, windowId);
        var keys = runs.Select(r => (string)r!["occurrenceKey"]!).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
        var first = DateTime.Parse(keys[0], CultureInfo.InvariantCulture);
        Assert.Equal(
            Enumerable.Range(0, keys.Count).Select(i => first.AddSeconds(5 * i).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
            keys);
        // Each run opened by one node only: the open line appears once across both nodes' logs (closed runs: their
        // open line was written long ago).
        var closed = runs.Where(r => (string?)r!["state"] == "Closed").ToList();
        foreach (var run in closed)
        {
            var opened = RunLogLines.Opened((long)run!["id"]!, "every five seconds");
            Assert.Equal(1, nodes.Both.Sum(n => Occurrences(n.Output, opened)));
        }
    }

    [Fact]
    public async Task AdminKeyIssueOnOneHostGivesAKeyThatWorksOnEveryNode()
    {
        var connectionString = await database.CreateAsync("adminkey");
        await using var nodes = await TwoNodes.StartAsync(connectionString);
        // A host with a data folder of its own: the key is written to the shared database, not to a node's folder.
        var elsewhere = Directory.CreateTempSubdirectory("orchestrator-admin-key-").FullName;
        try
        {
            var (exit, output) = await ServerProcess.RunCommandAsync(elsewhere, TwoNodes.Settings(connectionString), "admin-key", "issue");

            Assert.True(exit == 0, output);
            Assert.Contains("(PostgreSQL database adminkey_", output, StringComparison.Ordinal);
            var key = Key().Match(output).Value;
            foreach (var node in nodes.Both)
            {
                using var client = new HttpClient { BaseAddress = node.BaseAddress };
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
                using var keys = await client.GetAsync(new Uri("/api/v1/keys", UriKind.Relative), Token);
                Assert.Equal(System.Net.HttpStatusCode.OK, keys.StatusCode);
            }
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static TimeSpan Until(DateTimeOffset moment)
    {
        var wait = moment - DateTimeOffset.UtcNow;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private static DateTimeOffset At(JsonNode node, string field) => DateTimeOffset.Parse((string)node[field]!, CultureInfo.InvariantCulture);

    [System.Text.RegularExpressions.GeneratedRegex("ork_[A-Za-z0-9_-]{20,}")]
    private static partial System.Text.RegularExpressions.Regex Key();
}
