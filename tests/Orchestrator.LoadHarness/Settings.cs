using System.Globalization;
using System.Net;

namespace Orchestrator.LoadHarness;

/// <summary>Command line: <c>load-harness AGENTS [--name value …]</c>; every limit has a default that fits this machine.</summary>
internal sealed record Settings
{
    public int Agents { get; init; } = 1_000;

    /// <summary>1: one server on SQLite (the default); 2: two server processes on one throwaway PostgreSQL database,
    /// the agents split between them, and a second window in which one node is killed (see TwoNodeRun).</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Endpoints per group (one window per group); equal to the agent count: all agents in one group, one window.</summary>
    public int GroupSize { get; init; } = 100;

    public int OpenSeconds { get; init; } = 60;

    public int SettleSeconds { get; init; } = 5;

    /// <summary>Length of the report burst while the runs are open; 0 skips the burst and the raw insert loops, so the
    /// CPU of the open → close cycle is the cycle's alone.</summary>
    public int IngestSeconds { get; init; } = 10;

    /// <summary>Agents ask for peer sets by reference (features=peer-sets) and fetch each set once; false: agents of
    /// before peer sets, sent every peer in every state.</summary>
    public bool PeerSets { get; init; } = true;

    /// <summary>Agents (with peer sets) ask for ack-by-poll: the next poll acknowledges an opening, no report at once;
    /// false: agents of before, which acknowledge every new state with a report.</summary>
    public bool AckByPoll { get; init; } = true;

    /// <summary>
    /// Burst senders, each waiting for its report's answer before sending the next. Enough that the server, not this
    /// closed loop, limits the burst: at 10,000 agents 8 senders gave 46,906 rows/s, 16 gave 88,438 and 32 gave 86,343
    /// (server CPU 10.1, 12.2 and 9.2 CPU-s over the 10 s), i.e. 8 measured the round trip, not the server.
    /// </summary>
    public int IngestSenders { get; init; } = 32;

    public int IngestRowsPerReport { get; init; } = 500;

    public int TrafficRowsPerReport { get; init; } = 3;

    /// <summary>Seconds between an agent's periodic reports; 0: none (agents with nothing to report).</summary>
    public int ReportIntervalSeconds { get; init; } = 5;

    public int ReportConcurrency { get; init; } = 256;

    public int SourceAddresses { get; init; } = 8;

    public int TimeoutSeconds { get; init; } = 900;

    public string ServerDll { get; init; } = "";

    public string? Out { get; init; }

    public string? Label { get; init; }

    public bool KeepData { get; init; }

    /// <summary>Seconds to pause right after the "connected" figure (pid printed), to attach dotnet-gcdump or read /proc.</summary>
    public int HoldConnectedSeconds { get; init; }

    /// <summary>One node: a window of this many seconds opened and closed before the measured one (0: none), so the
    /// figures are those of a server that has opened a window since it started, not of its first window.</summary>
    public int WarmUpSeconds { get; init; }

    /// <summary>With <see cref="WarmUpSeconds"/>: the warm-up window is for a group of only the agents whose address is
    /// in this network (agent i has 198.18.0.0 + i + 1), not for every group: how much of a first window's cost one
    /// smaller opening takes off.</summary>
    public IPNetwork? WarmUpNetwork { get; init; }

    public const string Usage = """
        usage: load-harness AGENTS --server PATH/Orchestrator.Server.dll [options]   (or tests/Orchestrator.LoadHarness/run.sh AGENTS [options])
          --nodes 1|2                 1: one server on SQLite (default); 2: two servers on one throwaway PostgreSQL
                                      database, agents split between them, node A killed in a second window
          --group-size N              endpoints per group and window (default 100)
          --open-seconds N            window length (default 60)
          --settle-seconds N          pause after every agent connected (default 5)
          --ingest-seconds N          report burst while the runs are open; 0 skips it and the raw loops (default 10)
          --ingest-senders N          burst senders (default 32)
          --ingest-rows N             rows per burst report (default 500)
          --traffic-rows N            rows per periodic report (default 3)
          --report-interval-seconds N seconds between an agent's periodic reports (default 5; 0: none, as real agents
                                      send nothing while they have nothing to report)
          --report-concurrency N      periodic reports in flight (default 256)
          --sources N                 loopback source addresses (default 8)
          --peer-sets true|false      agents ask for peer sets by reference (default true)
          --ack-by-poll true|false    agents acknowledge openings by their next poll (default true)
          --hold-connected-seconds N  pause after the connected figure, to inspect the server (one node)
          --warm-up-seconds N         open and close a window of N s first, then measure the next one (one node;
                                      default 0: the server's first window is measured)
          --warm-up-cidr CIDR         the warm-up window is for one group of the agents in CIDR only (agent i has
                                      198.18.0.0 + i + 1; 198.18.0.0/22 is the first 1,023)
          --timeout N                 stop after N s (default 900)
          --out PATH                  append the results line to PATH
          --label TEXT                label in the results line
          --keep-data true            keep the data folder and the server logs (--nodes 2 still removes its PostgreSQL cluster)
        """;

    public static Settings Parse(string[] args)
    {
        var settings = new Settings { Agents = int.Parse(args[0], CultureInfo.InvariantCulture) };
        for (var i = 1; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : "";
            var option = args[i];
            int Int() => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new ArgumentException($"{option}: '{value}' is not accepted; a whole number");
            settings = args[i] switch
            {
                "--nodes" => settings with { Nodes = Int() is 1 or 2 ? Int() : throw new ArgumentException($"--nodes: '{value}' is not accepted; 1 (SQLite, the default) or 2 (two nodes on PostgreSQL)") },
                "--group-size" => settings with { GroupSize = Int() },
                "--open-seconds" => settings with { OpenSeconds = Int() },
                "--settle-seconds" => settings with { SettleSeconds = Int() },
                "--ingest-seconds" => settings with { IngestSeconds = Int() },
                "--ingest-senders" => settings with { IngestSenders = Int() },
                "--ingest-rows" => settings with { IngestRowsPerReport = Int() },
                "--traffic-rows" => settings with { TrafficRowsPerReport = Int() },
                "--report-interval-seconds" => settings with { ReportIntervalSeconds = Int() >= 0 ? Int() : throw new ArgumentException($"--report-interval-seconds: '{value}' is not accepted; 0 (no periodic reports) or more seconds") },
                "--report-concurrency" => settings with { ReportConcurrency = Int() },
                "--sources" => settings with { SourceAddresses = Int() },
                "--timeout" => settings with { TimeoutSeconds = Int() },
                "--server" => settings with { ServerDll = Path.GetFullPath(value) },
                "--out" => settings with { Out = Path.GetFullPath(value) },
                "--label" => settings with { Label = value },
                "--keep-data" => settings with { KeepData = value == "true" },
                "--peer-sets" => settings with { PeerSets = value != "false" },
                "--ack-by-poll" => settings with { AckByPoll = value != "false" },
                "--hold-connected-seconds" => settings with { HoldConnectedSeconds = Int() },
                "--warm-up-seconds" => settings with { WarmUpSeconds = Int() },
                "--warm-up-cidr" => settings with { WarmUpNetwork = IPNetwork.TryParse(value, out var network) ? network : throw new ArgumentException($"--warm-up-cidr: '{value}' is not accepted; a network such as 198.18.0.0/22") },
                _ => throw new ArgumentException($"unknown option {args[i]}; see tests/Orchestrator.LoadHarness/run.sh"),
            };
        }

        if (settings.Nodes == 2 && settings.WarmUpSeconds > 0)
        {
            throw new ArgumentException("--warm-up-seconds: one node only; the two-node run measures a second window already (the failover window)");
        }

        if (settings.WarmUpNetwork is not null && settings.WarmUpSeconds <= 0)
        {
            throw new ArgumentException("--warm-up-cidr: needs --warm-up-seconds N (the warm-up window's length)");
        }

        if (!File.Exists(settings.ServerDll))
        {
            throw new ArgumentException($"--server: '{settings.ServerDll}' does not exist; build src/Orchestrator.Server first");
        }

        return settings;
    }
}
