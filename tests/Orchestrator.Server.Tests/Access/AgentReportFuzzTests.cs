using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Reports;

namespace Orchestrator.Server.Tests.Access;

/// <summary>
/// 10,000 random and mutated bodies against the agent report endpoint. Every body is invalid by construction (it
/// breaks at least one rule, boundary counters included: -1, bound + 1, long.MaxValue); none may produce a 5xx or
/// store anything. Then counters at their boundaries (0, 1, bound − 1, bound) are accepted into an open run, those just
/// past them refused, and every report route of the run and its window still answers 200.
/// </summary>
public sealed class AgentReportFuzzTests
{
    private const int Bodies = 10_000;

    [Fact]
    public async Task TenThousandMutatedReportsGetNo5xxAndStoreNothing()
    {
        await using var root = new OrchestratorFactory();
        await using var factory = root.WithWebHostBuilder(b => b.UseSetting("Orchestrator:AgentRequestsPerMinute", "100000"));
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "fuzz" }))["token"]!;
        var agent = await TestAgent.EnrollAsync(client, token, "pc-1", "198.18.0.11");
        var tables = new ProductTables(root.DataDirectory);
        var before = await tables.SnapshotAsync();
        var random = new Random(20261126);
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < Bodies; i++)
        {
            var body = Mutations.Next(random);
            using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TryAddWithoutValidation("Authorization", agent.Authorization);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"body {i} got {status}: {Encoding.UTF8.GetString(body)}");
            Assert.True(status != 200, $"body {i} was accepted: {Encoding.UTF8.GetString(body)}");
        }

        TestContext.Current.SendDiagnosticMessage($"statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.Equal(before, await tables.SnapshotAsync());

        // Boundary counters, inside an open run this time, so that accepted ones are summed by its reports.
        var peer = await TestAgent.EnrollAsync(client, token, "pc-2", "198.18.0.12");
        await client.CreateAsync("/api/v1/groups", new { name = "fuzz-group", staticMembers = new[] { "pc-1", "pc-2" } });
        var windowId = (long)(await client.CreateAsync("/api/v1/windows", new
        {
            name = "fuzz-window", cron = "0 0 3 1 1 ?", timeZone = "Etc/UTC", duration = "PT1H", cutoff = "PT0S",
            groups = new[] { "fuzz-group" }, scan = new { enabled = false },
        }))["id"]!;
        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }))["id"]!;
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "the fuzz run opening");

        var accepted = 0;
        foreach (var (field, bound) in Boundaries)
        {
            foreach (var value in new[] { 0, 1, bound - 1, bound })
            {
                for (var copy = 0; copy < 2; copy++)
                {
                    var (status, body) = await agent.ReportAsync(Boundary(field, value, peer.Address));
                    Assert.True(status == HttpStatusCode.OK, $"{field} = {value} should be accepted: {(int)status} {body}");
                    accepted++;
                }
            }

            foreach (var value in new[] { -1, bound + 1, long.MaxValue, long.MinValue })
            {
                var (status, body) = await agent.ReportAsync(Boundary(field, value, peer.Address));
                Assert.True(status == HttpStatusCode.BadRequest, $"{field} = {value} should be refused: {(int)status} {body}");
                Assert.Contains(field.Split('.')[0] + "[0]." + field.Split('.')[1], body, StringComparison.Ordinal);
            }
        }

        TestContext.Current.SendDiagnosticMessage($"boundary reports accepted: {accepted}");
        await ReportRoutes.AllAnswer200Async(client, runId, windowId);
    }

    /// <summary>Each bounded counter of a report and its bound.</summary>
    private static readonly (string Field, long Bound)[] Boundaries =
    [
        ("traffic.bytesServed", AgentProtocolV1.MaxBytesPerRow),
        ("traffic.bytesReceived", AgentProtocolV1.MaxBytesPerRow),
        ("blocked.count", AgentProtocolV1.MaxBlockedPerRow),
        ("scans.durationMs", AgentProtocolV1.MaxScanDurationMs),
    ];

    private static AgentReportV1 Boundary(string field, long value, string peer) => field switch
    {
        "traffic.bytesServed" => new(Guid.NewGuid().ToString("N"), null, null, [], [new(peer, value, 0)], []),
        "traffic.bytesReceived" => new(Guid.NewGuid().ToString("N"), null, null, [], [new(peer, 0, value)], []),
        "blocked.count" => new(Guid.NewGuid().ToString("N"), null, null, [], [], [new("198.18.0.99", 7680, value)]),
        _ => new(Guid.NewGuid().ToString("N"), null, null, [new("no-such-scan", "Succeeded", 0, value)], [], []),
    };

    private static class Mutations
    {
        private static readonly string[] Junk = ["", "{", "[]", "null", "\"x\"", "1e309", "{\"reportId\":", "\u0000", "{}{}", "[{]}", "\uFEFF{"];

        public static byte[] Next(Random random) => random.Next(10) switch
        {
            0 => RandomBytes(random),
            1 => Encoding.UTF8.GetBytes(Junk[random.Next(Junk.Length)]),
            _ => Encoding.UTF8.GetBytes(Broken(random).ToJsonString()),
        };

        private static byte[] RandomBytes(Random random)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            return bytes;
        }

        private static JsonObject Valid(Random random) => new()
        {
            ["reportId"] = $"r{random.Next()}",
            ["appliedVersion"] = random.Next(1, 1000),
            ["applyError"] = null,
            ["scans"] = new JsonArray(),
            ["traffic"] = new JsonArray(new JsonObject { ["peer"] = "198.18.0.12", ["bytesServed"] = random.Next(), ["bytesReceived"] = 0 }),
            ["blocked"] = new JsonArray(new JsonObject { ["source"] = "198.18.0.99", ["port"] = 7680, ["count"] = 1 }),
        };

        /// <summary>A valid report with at least one rule broken, plus random noise that cannot repair it.</summary>
        private static JsonObject Broken(Random random)
        {
            var report = Valid(random);
            var traffic = (JsonObject)report["traffic"]![0]!;
            var blocked = (JsonObject)report["blocked"]![0]!;
            switch (random.Next(14))
            {
                case 0: report.Remove("reportId"); break;
                case 1: report["reportId"] = random.Next(2) == 0 ? "" : "bad id with spaces"; break;
                case 2: report["reportId"] = new string('r', 65 + random.Next(100)); break;
                case 3 when random.Next(4) == 0: blocked["source"] = Pick(random, "fe80::1%eth0", "198.18.0.99%2", "banana", "10.0.0.0/8"); break;
                case 3: traffic["peer"] = Pick(random, "10.0.0.0/8", "banana", "", "999.1.1.1", "1.2.3.4.5", new string('1', 60),
                    "fe80::1%eth0", "fe80::1%4", "198.18.0.12%1", "0.0.0.0", "::", "127.0.0.1", "::1", "169.254.1.1", "fe80::1",
                    "224.0.0.1", "ff02::1", "255.255.255.255", "240.0.0.1", "::ffff:198.18.0.12"); break;
                case 4: traffic[Pick(random, "bytesServed", "bytesReceived")] = Pick(random, -1 - random.Next(1000), AgentProtocolV1.MaxBytesPerRow + 1, AgentProtocolV1.MaxBytesPerRow + 1 + random.Next(), long.MaxValue, long.MinValue); break;
                case 5: blocked["port"] = Pick(random, 0, -5, 65536, 100000); break;
                case 6: blocked["count"] = Pick(random, -1 - random.Next(10), AgentProtocolV1.MaxBlockedPerRow + 1, long.MaxValue); break;
                case 7: report["traffic"] = null; break;
                case 8: report["scans"] = new JsonArray(new JsonObject { ["scanId"] = "s1", ["outcome"] = Pick(random, "Maybe", "", "succeeded!"), ["exitCode"] = 0, ["durationMs"] = 1 }); break;
                case 9: report["appliedVersion"] = -1 - random.Next(100); break;
                case 10: report["applyError"] = new string('e', 2_001 + random.Next(100)); break;
                case 11: report["scans"] = new JsonArray(new JsonObject { ["scanId"] = "s1", ["outcome"] = "Succeeded", ["exitCode"] = 0, ["durationMs"] = Pick(random, -1, AgentProtocolV1.MaxScanDurationMs + 1, long.MaxValue) }); break;
                case 12: report["traffic"] = new JsonArray(Enumerable.Range(0, AgentProtocolV1.MaxRowsPerReport + 1).Select(_ => (JsonNode)new JsonObject { ["peer"] = "198.18.0.12", ["bytesServed"] = 1, ["bytesReceived"] = 1 }).ToArray()); break;
                default: report[Pick(random, "reportId", "traffic", "blocked", "scans", "appliedVersion")] = WrongType(random); break;
            }

            return report;
        }

        /// <summary>A value of the wrong JSON type for the field it replaces.</summary>
        private static JsonNode? WrongType(Random random) => random.Next(3) switch
        {
            0 => true,
            1 => new JsonObject { ["x"] = 1 },
            _ => JsonValue.Create(random.NextDouble() + 0.5),
        };

        private static string Pick(Random random, params string[] values) => values[random.Next(values.Length)];

        private static int Pick(Random random, params int[] values) => values[random.Next(values.Length)];

        private static long Pick(Random random, params long[] values) => values[random.Next(values.Length)];
    }
}
