namespace Orchestrator.Agent.Enforcement;

/// <summary>Runs one nft invocation. Production runs the nft binary directly; tests run the same
/// invocation inside a network namespace (<c>ip netns exec NS nft …</c>).</summary>
internal interface INftRunner
{
    /// <summary>Runs nft with <paramref name="arguments"/>, writing <paramref name="standardInput"/> (if any) to it.
    /// Throws <see cref="FirewallUnavailableException"/> when nft cannot be started at all.</summary>
    Task<NftResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken);

    /// <summary>Starts a long-running nft (<c>nft monitor</c>) and yields its output lines until it exits or
    /// <paramref name="cancellationToken"/> ends it (the process is then killed).</summary>
    IAsyncEnumerable<string> StreamAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

internal sealed record NftResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
