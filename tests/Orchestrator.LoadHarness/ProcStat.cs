using System.Globalization;

namespace Orchestrator.LoadHarness;

/// <summary>A process's line in /proc/PID/stat (Linux): its parent and the CPU time it and its reaped children used.</summary>
internal sealed class ProcStat
{
    /// <summary>USER_HZ: the unit of the CPU times in /proc/PID/stat.</summary>
    public const double TicksPerSecond = 100;

    // The fields after the command name "(…)", which may itself hold spaces: [1] ppid, [11] utime, [12] stime,
    // [13] cutime, [14] cstime (fields 4, 14-17 of the whole line, 1-based).
    private readonly string[] _fields;

    private ProcStat(string[] fields) => _fields = fields;

    public int ParentPid => int.Parse(_fields[1], CultureInfo.InvariantCulture);

    /// <summary>User + system CPU seconds of the process itself.</summary>
    public double OwnSeconds => (Field(11) + Field(12)) / TicksPerSecond;

    /// <summary>User + system CPU seconds of its children that have exited and been waited for.</summary>
    public double ReapedChildrenSeconds => (Field(13) + Field(14)) / TicksPerSecond;

    /// <summary>The process's stat line; null when it is gone (or was never there).</summary>
    public static ProcStat? Of(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return new ProcStat(text[(text.LastIndexOf(')') + 2)..].Split(' '));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private long Field(int index) => long.Parse(_fields[index], CultureInfo.InvariantCulture);
}
