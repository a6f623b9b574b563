namespace Orchestrator.Agent.Enforcement;

/// <summary>Runs one nft invocation. Production runs the nft binary directly; tests run the same
/// invocation inside a network namespace (<c>ip netns exec NS nft …</c>).</summary>
internal interface INftRunner
{
    /// <summary>Runs nft with <paramref name="arguments"/>, writing <paramref name="standardInput"/> (if any) to it.
    /// Throws <see cref="FirewallUnavailableException"/> when nft cannot be started at all.</summary>
    Task<NftResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken);
}

internal sealed record NftResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
