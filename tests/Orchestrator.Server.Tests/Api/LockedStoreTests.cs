using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

/// <summary>
/// Regression: with a database file locked by another process (here another connection holding BEGIN EXCLUSIVE),
/// /healthz answered healthy and a write answered a generic 500 after 30 s. Now /healthz is unhealthy, naming the
/// store, and a write answers 503 with Retry-After within the busy timeout (5 s) and some slack.
/// </summary>
public sealed class LockedStoreTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(12);

    [Theory]
    [InlineData("orchestrator.db", "database")]
    [InlineData("quartz.db", "quartz")]
    [InlineData("hangfire.db", "hangfire")]
    public async Task HealthIsUnhealthyWhileAStoreIsLocked(string file, string part)
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        await ApiClient.EventuallyAsync(() => client.SendAsync(HttpMethod.Get, "/healthz"), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "healthy");

        await using (await LockAsync(Path.Combine(factory.DataDirectory, file)))
        {
            var clock = Stopwatch.StartNew();
            var (status, body) = await client.SendAsync(HttpMethod.Get, "/healthz");
            clock.Stop();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("unhealthy", (string?)body!["status"]);
            Assert.False((bool)body[part]!["ok"]!, body.ToJsonString());
            Assert.Contains(file, (string?)body[part]!["detail"], StringComparison.Ordinal);
            Assert.True(clock.Elapsed < Bound, $"/healthz took {clock.Elapsed}");
        }

        await ApiClient.EventuallyAsync(() => client.SendAsync(HttpMethod.Get, "/healthz"), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "healthy again once the lock is gone");
    }

    [Fact]
    public async Task AWriteThatCannotGetTheLockAnswers503WithRetryAfterInBoundedTime()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        // Authenticated once, so that the key's last-used time is fresh and the POST below is the first write.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/v1/groups")).Status);

        await using (await LockAsync(Path.Combine(factory.DataDirectory, "orchestrator.db")))
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.PostAsync(
                new Uri("/api/v1/groups", UriKind.Relative),
                new StringContent(Bodies.Group("locked-out"), System.Text.Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken);
            clock.Stop();
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.True(clock.Elapsed < Bound, $"the answer took {clock.Elapsed}");
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        }

        var (status, _) = await client.SendAsync(HttpMethod.Get, "/api/v1/groups");
        Assert.Equal(HttpStatusCode.OK, status);
        var groups = await client.GetJsonAsync("/api/v1/groups");
        Assert.DoesNotContain("locked-out", groups.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Another connection, as another process would hold it: the write lock until disposed.</summary>
    private static async Task<SqliteConnection> LockAsync(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE";
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}
