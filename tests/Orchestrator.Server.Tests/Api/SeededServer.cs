using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

/// <summary>
/// One server for a whole test class, holding one of everything (an endpoint, two groups, a window naming the first
/// group, a closed run), so that duplicates, unknowns and conflicts have something to collide with. It runs with the
/// production minimum duration (5 minutes) and over Kestrel, so that limits answer as they do for users: the body size
/// limit is Kestrel's, and the in-memory test server does not apply it. It stores into SQLite files;
/// <see cref="SeededPostgresServer"/> is the same server on PostgreSQL.
/// </summary>
public class SeededServer : IAsyncLifetime
{
    public const string Host = "seed-host.example";
    public const string GroupName = "seed-group";
    public const string SpareGroupName = "spare-group";
    public const string WindowName = "seed-window";

    private readonly OrchestratorFactory _root = new();

    public SeededServer()
    {
        Factory = _root.WithWebHostBuilder(b => b.UseSetting("Orchestrator:MinimumWindowDuration", "00:05:00"));
        Factory.UseKestrel(0);
    }

    public WebApplicationFactory<Program> Factory { get; }

    public HttpClient Client { get; private set; } = null!;

    public ProductTables Tables { get; private set; } = null!;

    public long EndpointId { get; private set; }

    public long GroupId { get; private set; }

    public long SpareGroupId { get; private set; }

    public long WindowId { get; private set; }

    public long ClosedRunId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        _root.PostgresConnectionString = await PostgresDatabaseAsync();
        Client = Factory.CreateClient();
        Tables = _root.Tables;
        EndpointId = await CreateAsync("/api/v1/endpoints", Bodies.Endpoint(Host));
        GroupId = await CreateAsync("/api/v1/groups", Bodies.Group(GroupName));
        SpareGroupId = await CreateAsync("/api/v1/groups", Bodies.Group(SpareGroupName, g => g["staticMembers"] = null));
        WindowId = await CreateAsync("/api/v1/windows", Bodies.Window(WindowName));
        ClosedRunId = await CreateAsync($"/api/v1/windows/{WindowId}/runs", """{"duration":"PT1H"}""");
        var (closed, body) = await Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{ClosedRunId}/close");
        Assert.True(closed == HttpStatusCode.Accepted, $"closing the seed run answered {(int)closed}: {body}");

        // The close finishes in a Hangfire job; the table rows must be still before rows compare snapshots.
        await ApiClient.EventuallyAsync(
            () => Client.GetJsonAsync($"/api/v1/runs/{ClosedRunId}"),
            run => (string?)run["run"]!["state"] is "Cancelled"
                   || ((string?)run["run"]!["state"] == "Closed" && run["members"]!.AsArray().All(m => m!["closeState"] is not null)),
            TimeSpan.FromSeconds(30),
            "the seed run reaching a final state and its members' close states settled (the grace is 5 s)");
    }

    public string Resolve(string path) => path
        .Replace("{endpoint}", EndpointId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{group}", GroupId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{spareGroup}", SpareGroupId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{window}", WindowId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{closedRun}", ClosedRunId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        GC.SuppressFinalize(this);
        // Disposes the derived factory too, then removes the data folder.
        await _root.DisposeAsync();
    }

    /// <summary>The PostgreSQL database to store into, or null for SQLite files.</summary>
    protected virtual Task<string?> PostgresDatabaseAsync() => Task.FromResult<string?>(null);

    private async Task<long> CreateAsync(string path, string json)
    {
        var (status, body) = await Client.SendAsync(HttpMethod.Post, path, json);
        Assert.True(status is HttpStatusCode.Created, $"seeding POST {path} answered {(int)status}: {body}");
        return (long)body!["id"]!;
    }
}
