namespace Orchestrator.Agent;

/// <summary>Process exit codes; systemd logs them and the unit's RestartPreventExitStatus keeps a
/// misconfigured agent from restarting in a loop.</summary>
internal static class ExitCodes
{
    public const int InvalidConfiguration = 2;
    public const int FirewallUnavailable = 3;

    /// <summary><c>uninstall</c> could not restore the endpoint (or there is nothing to restore on this platform).</summary>
    public const int UninstallFailed = 4;
}
