namespace Orchestrator.Agent;

/// <summary>Process exit codes; systemd logs them and the unit's RestartPreventExitStatus keeps a
/// misconfigured agent from restarting in a loop.</summary>
internal static class ExitCodes
{
    public const int InvalidConfiguration = 2;
    public const int FirewallUnavailable = 3;
}
