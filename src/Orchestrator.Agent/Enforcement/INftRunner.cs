namespace Orchestrator.Agent.Enforcement;

/// <summary>Runs one nft invocation. Production runs the nft binary directly; tests run the same
/// invocation inside a network namespace (<c>ip netns exec NS nft …</c>).</summary>
internal interface INftRunner
{
    /// <summary>Runs nft with <paramref name="arguments"/>, writing <paramref name="standardInput"/> (if any) to it.
    /// Throws <see cref="FirewallUnavailableException"/> when nft cannot be started at all.</summary>
    Task<NftResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken);

    /// <summary>As <see cref="RunAsync"/>, with the input built once nft
    /// has started: a batch whose timeouts count down from now is written as late as possible, so however long the
    /// process takes to start (seconds on a loaded machine), the kernel's expiry is not pushed past what the server said.</summary>
    Task<NftResult> RunWithLateInputAsync(IReadOnlyList<string> arguments, Func<string> standardInput, CancellationToken cancellationToken) =>
        RunAsync(arguments, standardInput(), cancellationToken);

    /// <summary>Starts a long-running nft (<c>nft monitor</c>) and yields its output lines until it exits or
    /// <paramref name="cancellationToken"/> ends it (the process is then killed).</summary>
    IAsyncEnumerable<string> StreamAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

internal sealed record NftResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
