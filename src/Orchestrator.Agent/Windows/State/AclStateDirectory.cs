using Orchestrator.Agent.Enrollment;

namespace Orchestrator.Agent.Windows.State;

/// <summary>The state folder restricted by an ACL (SYSTEM and Administrators); files inherit it.</summary>
internal sealed class AclStateDirectory(Action<string> ensure) : IStateDirectory
{
    public void Ensure(string directory) => ensure(directory);

    public FileStreamOptions NewPrivateFile() => new() { Mode = FileMode.CreateNew, Access = FileAccess.Write };

    public void Protect(string file)
    {
        // The folder's inheritable ACL already covers the file.
    }
}
