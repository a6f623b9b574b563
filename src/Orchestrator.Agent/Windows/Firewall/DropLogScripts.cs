using System.Globalization;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.State;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>
/// Windows Firewall drop logging for a window (opt-in, Agent:Windows:LogDroppedPackets). Set-NetFirewallProfile's
/// -LogBlocked, -LogFileName and -LogMaxSizeKilobytes (learn.microsoft.com, NetSecurity, "Set-NetFirewallProfile":
/// False/True/NotConfigured, a path that the firewall service MpsSvc can write, 1 through 32767 KB, computer defaults
/// False, %windir%\system32\logfiles\firewall\pfirewall.log and 4096) are set on every profile while a run is open and put
/// back to the takeover record's values when none is. Both lines are free of double quotes, so the close task can run them.
/// </summary>
internal static class DropLogScripts
{
    private const string Profiles = "Domain, Private, Public";

    /// <summary>Windows' values for a computer, used for a profile whose recorded value is NotConfigured (valid only in a
    /// Group Policy object) or missing.</summary>
    private const string DefaultFile = @"%windir%\system32\logfiles\firewall\pfirewall.log";

    private const string DefaultKilobytes = "4096";

    public static string Enable(string fileName, int maxKilobytes) => string.Create(CultureInfo.InvariantCulture,
        $"Set-NetFirewallProfile -Name {Profiles} -LogBlocked True -LogFileName {PowerShell.Quote(fileName)} -LogMaxSizeKilobytes {maxKilobytes}");

    /// <summary>Each recorded profile's logging back as it was; null when the record holds no logging settings (an
    /// older record, or drop logging never recorded), and then nothing is changed.</summary>
    public static string? Restore(HostSnapshot? recorded)
    {
        if (recorded?.ProfileLogs is not { Count: > 0 } profiles)
        {
            return null;
        }

        return string.Join("; ", profiles.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"Set-NetFirewallProfile -Name {PowerShell.Quote(p.Name)} -LogBlocked {(string.Equals(p.LogBlocked, "True", StringComparison.OrdinalIgnoreCase) ? "True" : "False")} " +
            $"-LogFileName {PowerShell.Quote(string.IsNullOrWhiteSpace(p.LogFileName) || p.LogFileName.Equals("NotConfigured", StringComparison.OrdinalIgnoreCase) ? DefaultFile : p.LogFileName)} " +
            $"-LogMaxSizeKilobytes {(ulong.TryParse(p.LogMaxSizeKilobytes, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) && kb is >= 1 and <= 32767 ? kb.ToString(CultureInfo.InvariantCulture) : DefaultKilobytes)}")));
    }
}
