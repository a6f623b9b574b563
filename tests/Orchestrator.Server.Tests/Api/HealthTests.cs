using System.Net;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

public sealed class HealthTests
{
    [Fact]
    public async Task HealthReportsDatabaseQuartzAndHangfire()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();

        var health = await ApiClient.EventuallyAsync(
            () => client.SendAsync(HttpMethod.Get, "/healthz"),
            r => r.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20),
            "healthy");

        Assert.Equal("healthy", (string?)health.Body!["status"]);
        Assert.Equal($"schema {LatestMigration()}", (string?)health.Body["database"]!["detail"]);
        Assert.Equal("running", (string?)health.Body["quartz"]!["detail"]);
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "orchestrator.db")), "orchestrator.db created in the configured folder");
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "quartz.db")), "quartz.db created");
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "hangfire.db")), "hangfire.db created");
    }

    /// <summary>The newest script in db/, found from the test's own folder upwards.</summary>
    private static string LatestMigration()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
        {
            dir = dir.Parent;
        }

        return Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(dir!.FullName, "db", "sqlite"), "*.sql").Order(StringComparer.Ordinal).Last());
    }

    [Fact]
    public async Task OpenApiDocumentListsTheApi()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();

        var doc = await client.GetJsonAsync("/openapi/v1.json");

        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/v1/windows", paths);
        Assert.Contains("/api/v1/windows/{id}/occurrences", paths);
        Assert.Contains("/api/v1/groups/{id}/members", paths);
        Assert.Contains("/api/v1/runs/{id}/close", paths);
    }
}
