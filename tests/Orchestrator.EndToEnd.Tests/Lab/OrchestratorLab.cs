using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Orchestrator.EndToEnd.Tests.Api;
using Orchestrator.Testing.Lab;
using Orchestrator.Testing.Server;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// The product on a namespace LAN: host <c>srv</c> (198.18.0.1) runs the built server; every endpoint host runs the
/// built agent with real nftables, enrolled through the ops API with a fresh token. The test process reaches the
/// server with sockets made inside <c>srv</c>, so nothing is added to the root namespace.
/// <para>Dispose kills every process and deletes every namespace, also when the test failed, and writes the
/// processes' output to the test log first.</para>
/// </summary>
public sealed class OrchestratorLab : IAsyncDisposable
{
    public const string ServerHost = "srv";

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, LabProcess> agents = new(StringComparer.Ordinal);
    private readonly List<LabProcess> contentServers = [];
    private readonly string scratch;
    private readonly ITestOutputHelper log;

    private OrchestratorLab(NetworkLab network, int serverPort, string scratch, ITestOutputHelper log)
    {
        Network = network;
        ServerPort = serverPort;
        this.scratch = scratch;
        this.log = log;
        var http = NamespaceSockets.CreateHttpClient(network[ServerHost].Namespace, ServerUrl, TimeSpan.FromSeconds(30));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        Api = new OpsClient(http);
    }

    /// <summary>The first admin API key, handed to the fresh server as its bootstrap key.</summary>
    public string AdminKey { get; } = "e2e-admin-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    public NetworkLab Network { get; }

    public OpsClient Api { get; }

    public LabProcess Server { get; private set; } = null!;

    public IReadOnlyDictionary<string, LabProcess> Agents => agents;

    /// <summary>A port the kernel reported free inside the server's namespace when the lab was built.</summary>
    public int ServerPort { get; }

    public Uri ServerUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://{Network[ServerHost].Address}:{ServerPort}"));

    public IPAddress this[string host] => Network[host].Address;

    /// <summary>Builds the LAN, starts the server, enrolls an agent on every endpoint host and waits until all are online.</summary>
    public static async Task<OrchestratorLab> StartAsync(IReadOnlyList<string> endpointHosts, ITestOutputHelper log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpointHosts);
        var network = await NetworkLab.CreateAsync([ServerHost, .. endpointHosts]);
        var scratch = Directory.CreateTempSubdirectory("orchestrator-e2e-").FullName;
        var lab = new OrchestratorLab(network, await FreePortAsync(network[ServerHost].Namespace), scratch, log);
        try
        {
            await lab.StartServerAsync(cancellationToken);
            var token = await lab.Api.CreateEnrollmentTokenAsync("e2e-" + network.Id, cancellationToken);
            await Task.WhenAll(endpointHosts.Select(h => lab.StartAgentAsync(h, token.Token)));
            await lab.WaitUntilAgentsOnlineAsync(endpointHosts, cancellationToken);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        return lab;
    }

    /// <summary>A peer content server on 7680 in each host, serving <paramref name="bytes"/> to every connection.</summary>
    public async Task StartContentServersAsync(IReadOnlyList<string> hosts, long bytes)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        foreach (var server in await Task.WhenAll(hosts.Select(h => PeerContent.StartServerAsync(Network, h, bytes))))
        {
            contentServers.Add(server);
        }
    }

    /// <summary>Polls the run list of <paramref name="windowId"/> until a run satisfies <paramref name="done"/>.</summary>
    public async Task<RunInfo> WaitForRunAsync(long windowId, Func<RunInfo, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        RunInfo[] runs = [];
        try
        {
            while (true)
            {
                runs = await Api.ListRunsAsync(windowId, deadline.Token);
                if (runs.FirstOrDefault(done) is { } run)
                {
                    return run;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"No run of window {windowId} reached the expected state within {timeout}; runs: " +
                string.Join("; ", runs.Select(r => $"{r.Id} {r.State} opened {r.OpenedAt:O}")));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            WriteProcessOutput();
            Api.Dispose();
        }
        finally
        {
            try
            {
                await Network.DisposeAsync();
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var data = Directory.CreateDirectory(Path.Combine(scratch, "server-data")).FullName;
        var environment = ServerSettings.Base(ServerUrl, data, AdminKey, ServerSettings.ShortWindows, new Dictionary<string, string>
        {
            ["Orchestrator__SchedulerName"] = "e2e-" + Network.Id,
        });
        Server = Network.Start(ServerHost, new LabCommand(Commands.DotnetHost, [Path.Combine(AppContext.BaseDirectory, "Orchestrator.Server.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            Environment = environment,
        });

        await ServerHealth.WaitAsync(
            Api.Http,
            () => Server.HasExited ? Server.ExitCode : null,
            () => $"{Server.StandardOutput}\n{Server.StandardError}",
            StartupTimeout,
            cancellationToken);
    }

    private async Task StartAgentAsync(string host, string token)
    {
        var state = Directory.CreateDirectory(Path.Combine(scratch, "agent-" + host)).FullName;
        var agent = Network.Start(host, new LabCommand(Commands.DotnetHost,
        [
            Path.Combine(AppContext.BaseDirectory, "orchestrator-agent.dll"),
            "--server-url", ServerUrl.ToString().TrimEnd('/'),
            "--token", token,
            "--state-dir", state,
            "--hostname", host,
            "--nft", LabPrerequisites.NftPath,
        ])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            Environment = new Dictionary<string, string>
            {
                // Reports every second so that the run's traffic is complete a moment after the end.
                ["ORCHESTRATOR_AGENT__REPORTINTERVALSECONDS"] = "1",
                ["ORCHESTRATOR_AGENT__MINBACKOFFSECONDS"] = "0.5",
                ["ORCHESTRATOR_AGENT__MAXBACKOFFSECONDS"] = "2",
            },
        });
        lock (agents)
        {
            agents[host] = agent;
        }

        await agent.WaitForLineAsync(l => l.Contains("Firewall closed", StringComparison.Ordinal), StartupTimeout);
    }

    private async Task WaitUntilAgentsOnlineAsync(IReadOnlyList<string> hosts, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetUtcNow() + StartupTimeout;
        AgentInfo[] seen = [];
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            seen = await Api.ListAgentsAsync(cancellationToken);
            if (hosts.All(h => seen.Any(a => a.Online && string.Equals(a.Hostname, h, StringComparison.OrdinalIgnoreCase))))
            {
                return;
            }

            foreach (var (host, agent) in agents.Where(a => a.Value.HasExited))
            {
                throw new InvalidOperationException($"The agent on {host} exited with {agent.ExitCode}:\n{agent.StandardOutput}\n{agent.StandardError}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        throw new TimeoutException(
            $"Agents not all online within {StartupTimeout}; GET /api/v1/agents: " +
            string.Join("; ", seen.Select(a => $"{a.Hostname} online={a.Online} lastSeen={a.LastSeenAt:O}")));
    }

    private void WriteProcessOutput()
    {
        IEnumerable<(string Name, LabProcess? Process)> all =
            [("server", Server), .. agents.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => ("agent " + a.Key, (LabProcess?)a.Value))];
        foreach (var (name, process) in all)
        {
            if (process is null)
            {
                continue;
            }

            try
            {
                log.WriteLine($"----- {name} output -----\n{process.StandardOutput}{process.StandardError}");
            }
            catch (InvalidOperationException)
            {
                // No test is running any more (output after the test ended); the output is only a diagnostic.
            }
        }
    }

    /// <summary>Binds port 0 inside the namespace and releases it: the namespace is this lab's own, so nothing else can
    /// take the port before the server does.</summary>
    private static async Task<int> FreePortAsync(string networkNamespace)
    {
        using var socket = await NamespaceSockets.CreateTcpAsync(networkNamespace);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
