using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace Orchestrator.Agent.Windows.State;

/// <summary>The state directory on Windows: SYSTEM and Administrators only, inheritance from the parent cut, so
/// the recorded host state and restore.ps1 (run elevated at uninstall) cannot be changed by ordinary users. The
/// counterpart of the Linux 0700 directory.</summary>
[SupportedOSPlatform("windows")]
internal static class WindowsStateDirectory
{
    public static void Ensure(string directory)
    {
        var security = new DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        foreach (var sid in new[] { WellKnownSidType.LocalSystemSid, WellKnownSidType.BuiltinAdministratorsSid })
        {
            security.AddAccessRule(new FileSystemAccessRule(
                new SecurityIdentifier(sid, null),
                FileSystemRights.FullControl,
                InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit,
                PropagationFlags.None,
                AccessControlType.Allow));
        }

        var info = new DirectoryInfo(directory);
        if (info.Exists)
        {
            info.SetAccessControl(security);
        }
        else
        {
            info.Create(security);
        }
    }
}
