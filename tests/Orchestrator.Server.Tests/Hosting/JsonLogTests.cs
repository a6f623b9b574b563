using System.Text.Json;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Hosting;

/// <summary>Orchestrator:LogFormat=json: the real server binary writes one JSON object per line, for a log shipper.</summary>
[Collection(ChildProcesses.OnSqlite)]
public sealed class JsonLogTests
{
    [Fact]
    public async Task WithLogFormatJsonEveryLineTheServerWritesParsesAsJson()
    {
        var settings = new Dictionary<string, string>(ServerSettings.ShortWindows, StringComparer.Ordinal) { ["Orchestrator__LogFormat"] = "json" };
        await using var server = await ServerProcess.StartAsync(settings: settings);
        await Seed.SiteAsync(server.Client);
        var windowId = await Seed.YearlyWindowAsync(server.Client);
        var run = await server.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10S" });
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(server.Client, (long)run["id"]!), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "run open");
        await ApiClient.EventuallyAsync(() => Task.FromResult(server.Output), o => o.Contains("open for", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the open logged");

        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length >= 3, server.Output);
        var entries = new List<JsonElement>();
        foreach (var line in lines)
        {
            try
            {
                entries.Add(JsonDocument.Parse(line).RootElement);
            }
            catch (JsonException e)
            {
                Assert.Fail($"not a JSON line: {line} ({e.Message})");
            }
        }

        Assert.All(entries, e => Assert.Equal(JsonValueKind.Object, e.ValueKind));
        Assert.All(entries, e => Assert.True(e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _) && e.TryGetProperty("Timestamp", out _), e.ToString()));
        var opened = Assert.Single(entries, e => e.GetProperty("Category").GetString() == "Orchestrator.Server.Runs.RunJobs" && e.GetProperty("Message").GetString()!.Contains("open for", StringComparison.Ordinal));
        Assert.Equal((long)run["id"]!, opened.GetProperty("State").GetProperty("RunId").GetInt64());
    }
}
