namespace Orchestrator.Agent.Server;

/// <summary>
/// The server nodes this agent may talk to (<c>Agent:ServerUrl</c>, one URL or several separated by commas) and the one
/// it talks to now. Kept as a singleton because HTTP handler chains are rebuilt every few minutes; the agent stays on
/// the node that last answered until that node fails.
/// </summary>
internal sealed class ServerNodes
{
    private int current;

    public ServerNodes(IReadOnlyList<Uri> urls)
    {
        ArgumentOutOfRangeException.ThrowIfZero(urls.Count);
        Urls = urls;
    }

    public IReadOnlyList<Uri> Urls { get; }

    public int CurrentIndex => Volatile.Read(ref current);

    public Uri Current => Urls[CurrentIndex];

    /// <summary>Moves on from <paramref name="failed"/> unless another request already did; returns the node now current.</summary>
    public int MoveOnFrom(int failed)
    {
        var next = (failed + 1) % Urls.Count;
        Interlocked.CompareExchange(ref current, next, failed);
        return CurrentIndex;
    }

    /// <summary>Parses the setting: comma-separated absolute http(s) URLs; null entries for those that are not.</summary>
    public static IReadOnlyList<Uri?> Parse(string? setting) =>
        (setting ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(text => Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null)
            .ToList();
}
