using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Orchestrator.Testing.Server;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Hosting;

/// <summary>The real server process at its first start: nothing it prints or stores may lock the operator out.</summary>
[Collection(ChildProcesses.OnSqlite)]
public sealed partial class FirstStartTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Settings with no BootstrapAdminKey: the server must generate the first key itself.</summary>
    private static readonly Dictionary<string, string> NoConfiguredKey = new(StringComparer.Ordinal) { ["Orchestrator__BootstrapAdminKey"] = "" };

    [Fact]
    public async Task APortTakenAtFirstStartPrintsNoKeyConsumesNothingAndTheNextStartTakesTheConfiguredKey()
    {
        var data = Directory.CreateTempSubdirectory("orchestrator-first-start-").FullName;
        try
        {
            using (var taken = new TcpListener(IPAddress.Loopback, 0))
            {
                taken.Start();
                var port = ((IPEndPoint)taken.LocalEndpoint).Port;
                await using var failed = ServerProcess.Launch(data, NoConfiguredKey, new Uri($"http://127.0.0.1:{port}"));
                var exit = await failed.WaitForExitAsync(ExitTimeout);

                Assert.Equal(2, exit);
                Assert.DoesNotMatch(Key(), failed.Output);
                Assert.Contains("Could not listen", failed.Output, StringComparison.Ordinal);
            }

            // The failed start stored no key, so the configured one is taken now.
            await using var server = await ServerProcess.StartAsync(data);
            using var keys = await server.Client.GetAsync(new Uri("/api/v1/keys", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AGeneratedFirstKeyIsPrintedOnceTheServerServesAndOnlyOnce()
    {
        var data = Directory.CreateTempSubdirectory("orchestrator-first-start-").FullName;
        try
        {
            string key;
            await using (var first = await ServerProcess.StartAsync(data, NoConfiguredKey))
            {
                key = (await ApiClientEventually(() => Key().Match(first.Output))).Value;
                using var client = new HttpClient { BaseAddress = first.BaseAddress };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/v1/keys", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
            }

            await using var second = await ServerProcess.StartAsync(data, NoConfiguredKey);
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.DoesNotMatch(Key(), second.Output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AdminKeyIssueOnTheHostCreatesAWorkingAdminKeyWhileTheServerRuns()
    {
        await using var server = await ServerProcess.StartAsync();

        var (exit, output) = await ServerProcess.RunCommandAsync(server.DataDirectory, null, "admin-key", "issue");

        Assert.True(exit == 0, output);
        var key = Key().Match(output).Value;
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var created = await client.PostAsync(
            new Uri("/api/v1/keys", UriKind.Relative),
            new StringContent("""{"name":"personal","role":"admin"}""", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audit = await client.GetStringAsync(new Uri("/api/v1/audit?actor=host:admin-key", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("\"created\"", audit, StringComparison.Ordinal);

        var (usage, help) = await ServerProcess.RunCommandAsync(server.DataDirectory, null, "admin-key");
        Assert.Equal(2, usage);
        Assert.Contains("admin-key issue", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyGivenOnTheServersCommandLineIsWarnedAbout()
    {
        var data = Directory.CreateTempSubdirectory("orchestrator-first-start-").FullName;
        try
        {
            var (_, output) = await ServerProcess.RunCommandAsync(data, null, "admin-key", "issue", $"--Orchestrator:BootstrapAdminKey={ServerProcess.AdminKey}");
            Assert.Contains("other local users can read it", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<Match> ApiClientEventually(Func<Match> read)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var match = read();
            if (match.Success || DateTime.UtcNow > deadline)
            {
                Assert.True(match.Success, "the first admin key was printed");
                return match;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    [GeneratedRegex("ork_[A-Za-z0-9_-]{20,}")]
    private static partial Regex Key();
}
