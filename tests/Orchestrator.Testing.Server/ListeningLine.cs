using System.Text.RegularExpressions;

namespace Orchestrator.Testing.Server;

/// <summary>
/// The line the server's host writes once it listens ("Now listening on: http://127.0.0.1:41234"): how whoever started
/// the server on port 0 learns the port the kernel gave it. A port found free beforehand and handed to the server could
/// be taken in between by anything else that listens on port 0, and the caller would then talk to that instead.
/// </summary>
public static partial class ListeningLine
{
    /// <summary>Urls for a server that listens on a loopback port the kernel picks.</summary>
    public const string AnyLoopbackPort = "http://127.0.0.1:0";

    /// <summary>Keeps the line at Information whatever else the settings say of logging.</summary>
    public static readonly KeyValuePair<string, string> Setting = new("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Information");

    /// <summary>The address in a "Now listening on" line, in the console's text or JSON format; null for any other line.</summary>
    public static Uri? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var match = Pattern().Match(line);
        return match.Success ? new Uri(match.Groups[1].Value) : null;
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex Pattern();
}
