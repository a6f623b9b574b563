namespace Orchestrator.Agent.Configuration;

/// <summary>
/// Every setting, timeout and limit of the agent, in one place. Bound from the <c>Agent</c> section
/// (JSON file given with <c>--config</c>, env vars <c>ORCHESTRATOR_AGENT__*</c>, command-line flags) and
/// validated before the agent touches the firewall or the network.
/// </summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>Base URL of the orchestrator server, e.g. <c>https://orchestrator.example:8443</c>, or the URLs of several
    /// server nodes separated by commas (the agent moves to the next one when its node cannot be reached; with a
    /// certificate pin, every node must present the pinned certificate). Required.</summary>
    public string ServerUrl { get; set; } = "";

    /// <summary>One-time enrollment token; needed only while <c>credential.json</c> is absent (or revoked).</summary>
    public string? EnrollmentToken { get; set; }

    /// <summary>Directory for the credential and remembered scan ids; created with mode 0700.</summary>
    public string StateDirectory { get; set; } = "/var/lib/orchestrator-agent";

    /// <summary>Hostname reported at enrollment; empty = the machine's hostname.</summary>
    public string? Hostname { get; set; }

    /// <summary>Addresses of this endpoint; empty = discovered from interfaces (no loopback, no link-local).</summary>
    public List<string> Addresses { get; set; } = [];

    /// <summary>Free-form tags reported at enrollment (the server may map them to groups).</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>TCP ports closed by default and opened only to allowed peers (Delivery Optimization = 7680).</summary>
    public List<int> GuardedPorts { get; set; } = [];

    /// <summary>Seconds the server may hold a desired-state long-poll (1..30, protocol limit).</summary>
    public int PollWaitSeconds { get; set; } = 25;

    /// <summary>Extra seconds on top of <see cref="PollWaitSeconds"/> before an HTTP call is abandoned.</summary>
    public int HttpGraceSeconds { get; set; } = 15;

    /// <summary>First delay after a failed poll/enroll; doubles per failure up to <see cref="MaxBackoffSeconds"/>, with jitter.</summary>
    public double MinBackoffSeconds { get; set; } = 1;

    /// <summary>Cap of the poll/enroll backoff.</summary>
    public double MaxBackoffSeconds { get; set; } = 60;

    /// <summary>Seconds between reports of counters, applied version and scan outcomes.</summary>
    public int ReportIntervalSeconds { get; set; } = 5;

    /// <summary>Retries of one report POST (exponential backoff with jitter) before it waits for the next interval.</summary>
    public int ReportRetryAttempts { get; set; } = 3;

    /// <summary>Seconds the report circuit stays open after repeated failures.</summary>
    public int ReportBreakSeconds { get; set; } = 30;

    /// <summary>Shell command (run with <c>/bin/sh -c</c>) that triggers an update scan; empty = scans are reported Failed.</summary>
    public string ScanCommand { get; set; } = "";

    /// <summary>Upper bound for one scan; a request's own TimeoutSeconds may only shorten it.</summary>
    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>SHA-256 thumbprint (64 hex characters) of the server's TLS certificate. When set, only that certificate is
    /// accepted (a self-signed one too); when empty, the system's trusted roots verify the server.</summary>
    public string? ServerCertificateSha256 { get; set; }

    /// <summary>Path of the nft binary.</summary>
    public string Nft { get; set; } = "/usr/sbin/nft";

    /// <summary>Longest time one nft invocation may take before the agent treats it as failed.</summary>
    public TimeSpan NftTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the agent compares its live firewall rules with what it installed, and repairs them, even when
    /// no change event arrived (events are the fast path on Linux; on Windows this period is the only check). Also the
    /// pause before the change watcher (<c>nft monitor</c>) is started again after it ended.</summary>
    public TimeSpan FirewallVerifyInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most scan ids remembered (in the state directory) so that a repeated request never runs twice.</summary>
    public int RememberedScanIds { get; set; } = 1000;

    /// <summary>Most addresses one run's peer set may hold; a larger set is refused (and its run left closed). Ranges cost
    /// nftables one element each whatever their size, but Windows Firewall rules list addresses, and a set is never
    /// wider than the run's members, so this only stops a state that could not describe a real site.</summary>
    public long MaxPeerSetAddresses { get; set; } = 1_000_000;

    /// <summary>Windows-only settings (scan method, command timeout, …); see docs/windows-agent.md.</summary>
    public Windows.WindowsAgentOptions Windows { get; set; } = new();

    /// <summary>Guarded ports used when <see cref="GuardedPorts"/> is empty.</summary>
    public static IReadOnlyList<int> DefaultGuardedPorts { get; } = [7680];

    /// <summary>The guarded ports in effect (configured or the default), sorted and distinct.</summary>
    public IReadOnlyList<int> EffectiveGuardedPorts =>
        (GuardedPorts.Count == 0 ? DefaultGuardedPorts : GuardedPorts).Distinct().Order().ToArray();
}
