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
/// <para>As a cluster (<see cref="StartClusterAsync"/>) hosts <c>srv</c>, <c>srv-2</c>, … each run one server node on
/// one PostgreSQL database, and every agent is given every node's URL, in an order that spreads the agents over the
/// nodes.</para>
/// <para>Dispose kills every process and deletes every namespace, also when the test failed, and writes the
/// processes' output to the test log first.</para>
/// </summary>
public sealed class OrchestratorLab : IAsyncDisposable
{
    public const string ServerHost = "srv";

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, LabProcess> agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<LabNode>> agentNodes = new(StringComparer.Ordinal);
    private readonly List<LabProcess> contentServers = [];
    private readonly string scratch;
    private readonly ITestOutputHelper log;
    private readonly IReadOnlyDictionary<string, string> nodeSettings;

    private OrchestratorLab(
        NetworkLab network, IReadOnlyList<(string Host, int Port)> nodes, IReadOnlyDictionary<string, string> nodeSettings, string scratch, ITestOutputHelper log)
    {
        Network = network;
        this.nodeSettings = nodeSettings;
        this.scratch = scratch;
        this.log = log;
        Nodes = nodes.Select(n =>
        {
            var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{network[n.Host].Address}:{n.Port}"));
            var http = NamespaceSockets.CreateHttpClient(network[n.Host].Namespace, url, TimeSpan.FromSeconds(30));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            return new LabNode(n.Host, url, new OpsClient(http));
        }).ToList();
    }

    /// <summary>The first admin API key, handed to the fresh server as its bootstrap key.</summary>
    public string AdminKey { get; } = "e2e-admin-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    public NetworkLab Network { get; }

    /// <summary>The server nodes, first the one that started first (one node unless started as a cluster).</summary>
    public IReadOnlyList<LabNode> Nodes { get; }

    /// <summary>The first node's ops API.</summary>
    public OpsClient Api => Nodes[0].Api;

    /// <summary>The first node's process.</summary>
    public LabProcess Server => Nodes[0].Process;

    public IReadOnlyDictionary<string, LabProcess> Agents => agents;

    /// <summary>The first node's URL; each node listens on a port the kernel reported free inside its namespace when
    /// the lab was built.</summary>
    public Uri ServerUrl => Nodes[0].Url;

    /// <summary>The nodes in the order the agent on <paramref name="host"/> was given them: it talks to the first until
    /// that one fails.</summary>
    public IReadOnlyList<LabNode> NodesOf(string host) => agentNodes[host];

    public IPAddress this[string host] => Network[host].Address;

    /// <summary>Builds the LAN, starts the server, enrolls an agent on every endpoint host and waits until all are online.</summary>
    public static Task<OrchestratorLab> StartAsync(IReadOnlyList<string> endpointHosts, ITestOutputHelper log, CancellationToken cancellationToken) =>
        StartAsync(endpointHosts, [ServerHost], new Dictionary<string, string>(ServerSettings.ShortWindows), log, cancellationToken);

    /// <summary>As <see cref="StartAsync(IReadOnlyList{string}, ITestOutputHelper, CancellationToken)"/> with
    /// <paramref name="nodeCount"/> server nodes (hosts <c>srv</c>, <c>srv-2</c>, …) on the PostgreSQL database at
    /// <paramref name="postgresConnectionString"/>, which must be reachable from inside the nodes' namespaces.</summary>
    public static Task<OrchestratorLab> StartClusterAsync(
        IReadOnlyList<string> endpointHosts, int nodeCount, string postgresConnectionString, ITestOutputHelper log, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 2);
        var hosts = Enumerable.Range(1, nodeCount).Select(i => i == 1 ? ServerHost : string.Create(CultureInfo.InvariantCulture, $"{ServerHost}-{i}")).ToList();
        return StartAsync(endpointHosts, hosts, ServerSettings.ClusterNode(postgresConnectionString), log, cancellationToken);
    }

    private static async Task<OrchestratorLab> StartAsync(
        IReadOnlyList<string> endpointHosts, IReadOnlyList<string> serverHosts, IReadOnlyDictionary<string, string> nodeSettings,
        ITestOutputHelper log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpointHosts);
        var network = await NetworkLab.CreateAsync([.. serverHosts, .. endpointHosts]);
        var scratch = Directory.CreateTempSubdirectory("orchestrator-e2e-").FullName;
        OrchestratorLab lab;
        try
        {
            var ports = await Task.WhenAll(serverHosts.Select(h => FreePortAsync(network[h].Namespace)));
            lab = new OrchestratorLab(network, serverHosts.Zip(ports).ToList(), nodeSettings, scratch, log);
        }
        catch
        {
            await network.DisposeAsync();
            Directory.Delete(scratch, recursive: true);
            throw;
        }

        try
        {
            // The first node alone: it migrates the (empty) database and creates the first admin key; the others
            // then start on a database that is ready.
            await lab.StartServerAsync(lab.Nodes[0], cancellationToken);
            await Task.WhenAll(lab.Nodes.Skip(1).Select(n => lab.StartServerAsync(n, cancellationToken)));
            var token = await lab.Api.CreateEnrollmentTokenAsync("e2e-" + network.Id, cancellationToken);
            await Task.WhenAll(endpointHosts.Select((h, i) => lab.StartAgentAsync(h, i, token.Token)));
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
    /// <param name="via">The API to ask; the first node's when null.</param>
    public async Task<RunInfo> WaitForRunAsync(
        long windowId, Func<RunInfo, bool> done, TimeSpan timeout, CancellationToken cancellationToken, OpsClient? via = null)
    {
        var api = via ?? Api;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        RunInfo[] runs = [];
        try
        {
            while (true)
            {
                runs = await api.ListRunsAsync(windowId, deadline.Token);
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
            foreach (var node in Nodes)
            {
                node.Api.Dispose();
            }
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

    private async Task StartServerAsync(LabNode node, CancellationToken cancellationToken)
    {
        var data = Directory.CreateDirectory(Path.Combine(scratch, "server-data-" + node.Host)).FullName;
        // One scheduler name for every node: Quartz's cluster is the nodes sharing a name (and a database).
        var environment = ServerSettings.Base(node.Url, data, AdminKey, nodeSettings, new Dictionary<string, string>
        {
            ["Orchestrator__SchedulerName"] = "e2e-" + Network.Id,
        });
        var server = Network.Start(node.Host, new LabCommand(Commands.DotnetHost, [Path.Combine(AppContext.BaseDirectory, "Orchestrator.Server.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            Environment = environment,
        });
        node.Process = server;

        await ServerHealth.WaitAsync(
            node.Api.Http,
            () => server.HasExited ? server.ExitCode : null,
            () => $"{server.StandardOutput}\n{server.StandardError}",
            StartupTimeout,
            cancellationToken);
    }

    /// <summary>Starts the agent of <paramref name="host"/>, the <paramref name="index"/>-th endpoint host: its node list
    /// starts at node <paramref name="index"/> (modulo the node count), so consecutive hosts park on different nodes.</summary>
    private async Task StartAgentAsync(string host, int index, string token)
    {
        var state = Directory.CreateDirectory(Path.Combine(scratch, "agent-" + host)).FullName;
        IReadOnlyList<LabNode> order = [.. Nodes.Skip(index % Nodes.Count), .. Nodes.Take(index % Nodes.Count)];
        lock (agents)
        {
            agentNodes[host] = order;
        }

        var agent = Network.Start(host, new LabCommand(Commands.DotnetHost,
        [
            Path.Combine(AppContext.BaseDirectory, "orchestrator-agent.dll"),
            "--server-url", string.Join(',', order.Select(n => n.AgentUrl)),
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
            [.. Nodes.Select(n => (Nodes.Count == 1 ? "server" : "server node " + n, (LabProcess?)n.Process)), .. agents.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => ("agent " + a.Key, (LabProcess?)a.Value))];
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
