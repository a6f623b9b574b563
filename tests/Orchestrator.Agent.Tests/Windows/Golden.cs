using System.Runtime.CompilerServices;

namespace Orchestrator.Agent.Tests.Windows;

/// <summary>
/// Exact-text comparison with <c>Windows/Golden/NAME.golden</c>. A change in a golden file is a change of what the
/// agent runs on Windows and must be reviewed as such. To accept a deliberate change, run the tests once with
/// ORCHESTRATOR_ACCEPT_GOLDEN=1 (rewrites the files in the source tree) and review the diff.
/// </summary>
internal static class Golden
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        var source = Path.Combine(SourceDirectory(callerFile), name + ".golden");
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_ACCEPT_GOLDEN") == "1")
        {
            File.WriteAllText(source, actual);
        }

        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Windows", "Golden", name + ".golden"));
        Assert.Equal(expected.ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
    }

    private static string SourceDirectory(string callerFile)
    {
        var directory = Path.GetDirectoryName(callerFile)!;
        while (Path.GetFileName(directory) != "Windows")
        {
            directory = Path.GetDirectoryName(directory)!;
        }

        return Path.Combine(directory, "Golden");
    }
}
