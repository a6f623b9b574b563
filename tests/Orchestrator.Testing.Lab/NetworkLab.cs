using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Orchestrator.Testing.Lab;

/// <summary>
/// A throw-away LAN made of Linux network namespaces: one bridge namespace (<c>br0</c>) and N host namespaces,
/// each with <c>eth0</c> (a veth whose other end is on the bridge) addressed from 198.18.0.0/15, the
/// benchmarking range, and no default route, so nothing leaves the lab. Needs root and iproute2.
/// <para>Names are <c>{prefix}-{pid}-{random}-{suffix}</c>: parallel runs never collide, and
/// <see cref="SweepStaleAsync"/> can tell a crashed run's namespaces (owner pid gone) from a live one's.
/// Veths are created inside the namespaces, so deleting the namespaces deletes every link.</para>
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    public const string DefaultPrefix = "orlab";
    private const string Ip = "ip";

    private readonly List<string> namespaces = [];
    private readonly List<LabProcess> processes = [];
    private readonly Dictionary<string, LabHost> hosts = new(StringComparer.Ordinal);

    private NetworkLab(string id) => Id = id;

    /// <summary>Unique name stem of this lab, e.g. <c>orlab-4711-9f3a</c>.</summary>
    public string Id { get; }

    public string BridgeNamespace => $"{Id}-br";

    public IReadOnlyList<LabHost> Hosts => [.. hosts.Values];

    /// <summary>Every namespace this lab created (bridge first).</summary>
    public IReadOnlyList<string> Namespaces => [.. namespaces];

    public LabHost this[string name] => hosts.TryGetValue(name, out var host)
        ? host
        : throw new ArgumentException($"The lab has no host '{name}' (hosts: {string.Join(", ", hosts.Keys)}).", nameof(name));

    /// <summary>Creates hosts <c>h1..hN</c> with addresses 198.18.&lt;subnet&gt;.1..N/24 (or named hosts, in order).</summary>
    public static Task<NetworkLab> CreateAsync(int hostCount, string prefix = DefaultPrefix, int subnet = 0) =>
        CreateAsync(Enumerable.Range(1, hostCount).Select(i => $"h{i}").ToArray(), prefix, subnet);

    public static async Task<NetworkLab> CreateAsync(IReadOnlyList<string> hostNames, string prefix = DefaultPrefix, int subnet = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hostNames.Count, 250);
        ArgumentOutOfRangeException.ThrowIfNegative(subnet);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subnet, 255);
        await SweepStaleAsync(prefix);

        var lab = new NetworkLab($"{prefix}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..2])}");
        try
        {
            await lab.AddNamespaceAsync(lab.BridgeNamespace);
            await RunIpAsync("-n", lab.BridgeNamespace, "link", "add", "br0", "type", "bridge");
            await RunIpAsync("-n", lab.BridgeNamespace, "link", "set", "br0", "up");
            for (var i = 0; i < hostNames.Count; i++)
            {
                var address = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"198.18.{subnet}.{i + 1}"));
                var host = new LabHost(hostNames[i], $"{lab.Id}-{hostNames[i]}", address, 24);
                await lab.AddHostAsync(host, i);
            }
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        return lab;
    }

    /// <summary>Runs <paramref name="arguments"/> inside <paramref name="host"/>'s namespace to completion.</summary>
    public Task<ExecResult> ExecAsync(string host, params string[] arguments) =>
        Commands.RunAsync(Ip, ["netns", "exec", this[host].Namespace, .. arguments]);

    /// <summary>Runs a command inside the namespace, writing <paramref name="standardInput"/> to it.</summary>
    public Task<ExecResult> ExecWithInputAsync(string host, string standardInput, params string[] arguments) =>
        Commands.RunAsync(Ip, ["netns", "exec", this[host].Namespace, .. arguments], standardInput: standardInput);

    /// <summary>Starts a long-running process inside <paramref name="host"/>; it is killed on dispose at the latest.</summary>
    public LabProcess StartProcess(string host, string file, params string[] arguments) =>
        Start(host, new LabCommand(file, arguments));

    /// <summary>Starts <paramref name="command"/> (with its environment and working directory) inside
    /// <paramref name="host"/>; it is killed on dispose at the latest. <c>ip netns exec</c> execs in place, so
    /// <see cref="LabProcess.Id"/> is the command's own pid.</summary>
    public LabProcess Start(string host, LabCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var startInfo = new ProcessStartInfo(Ip);
        foreach (var argument in (string[])["netns", "exec", this[host].Namespace, command.File, .. command.Arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in command.Environment)
        {
            startInfo.Environment[name] = value;
        }

        if (command.WorkingDirectory is not null)
        {
            startInfo.WorkingDirectory = command.WorkingDirectory;
        }

        var process = new LabProcess(startInfo);
        lock (processes)
        {
            processes.Add(process);
        }

        return process;
    }

    /// <summary>Kills what the lab started (and anything else left inside its namespaces), then deletes the
    /// namespaces. Safe to call twice; failures to delete are reported only after every deletion was tried.</summary>
    public async ValueTask DisposeAsync()
    {
        List<LabProcess> started;
        lock (processes)
        {
            started = [.. processes];
            processes.Clear();
        }

        foreach (var process in started)
        {
            await process.DisposeAsync();
        }

        var failures = new List<string>();
        foreach (var name in Enumerable.Reverse(namespaces).ToList())
        {
            if (await DeleteNamespaceAsync(name) is { } failure)
            {
                failures.Add(failure);
            }

            namespaces.Remove(name);
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException("Lab cleanup incomplete: " + string.Join("; ", failures));
        }
    }

    /// <summary>Deletes namespaces named <c>{prefix}-{pid}-…</c> whose owner process no longer exists.</summary>
    public static async Task SweepStaleAsync(string prefix = DefaultPrefix)
    {
        foreach (var name in await ListNamespacesAsync())
        {
            if (name.StartsWith(prefix + "-", StringComparison.Ordinal) &&
                OwnerPid(name, prefix) is { } pid && !Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
            {
                await DeleteNamespaceAsync(name);
            }
        }
    }

    /// <summary>Names of all network namespaces on this machine (<c>ip netns list</c>).</summary>
    public static async Task<IReadOnlyList<string>> ListNamespacesAsync()
    {
        var result = await Commands.RunAsync(Ip, ["netns", "list"]);
        return result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0])
            .ToList();
    }

    private static int? OwnerPid(string name, string prefix)
    {
        var rest = name[(prefix.Length + 1)..];
        var pidText = rest.Split('-')[0];
        return int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private async Task AddHostAsync(LabHost host, int index)
    {
        hosts[host.Name] = host;
        await AddNamespaceAsync(host.Namespace);
        var bridgeSide = string.Create(CultureInfo.InvariantCulture, $"v{index + 1}");
        await RunIpAsync("-n", BridgeNamespace, "link", "add", bridgeSide, "type", "veth", "peer", "name", "eth0", "netns", host.Namespace);
        await RunIpAsync("-n", BridgeNamespace, "link", "set", bridgeSide, "master", "br0", "up");
        await RunIpAsync("-n", host.Namespace, "link", "set", "lo", "up");
        await RunIpAsync("-n", host.Namespace, "addr", "add", $"{host.Address}/{host.PrefixLength.ToString(CultureInfo.InvariantCulture)}", "dev", "eth0");
        await RunIpAsync("-n", host.Namespace, "link", "set", "eth0", "up");
    }

    private async Task AddNamespaceAsync(string name)
    {
        await RunIpAsync("netns", "add", name);
        namespaces.Add(name);
    }

    private static async Task RunIpAsync(params string[] arguments) =>
        (await Commands.RunAsync(Ip, arguments)).EnsureSuccess("ip " + string.Join(' ', arguments));

    private static async Task<string?> DeleteNamespaceAsync(string name)
    {
        // A process still inside keeps the namespace alive after "ip netns del"; end them first.
        var pids = await Commands.RunAsync(Ip, ["netns", "pids", name]);
        foreach (var pid in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await Commands.RunAsync("kill", ["-KILL", pid]);
        }

        var deleted = await Commands.RunAsync(Ip, ["netns", "del", name]);
        return deleted.Succeeded || !(await ListNamespacesAsync()).Contains(name)
            ? null
            : $"ip netns del {name}: {deleted.StandardError.Trim()}";
    }
}
