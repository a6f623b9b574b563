using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Orchestrator.Agent.Enforcement;

/// <summary>Starts <c>fileName prefixArguments… arguments…</c> as a child process. In production
/// fileName is the nft binary and there is no prefix.</summary>
internal sealed class ProcessNftRunner(string fileName, IReadOnlyList<string> prefixArguments, TimeSpan timeout) : INftRunner
{
    public ProcessNftRunner(string nftPath, TimeSpan timeout) : this(nftPath, [], timeout) { }

    public async IAsyncEnumerable<string> StreamAsync(
        IReadOnlyList<string> arguments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(arguments) };
        process.StartInfo.RedirectStandardInput = false;
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new FirewallUnavailableException($"Cannot start '{fileName}': {ex.Message}.", ex);
        }

        // stderr is drained so that a chatty child can never block on a full pipe.
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                yield return line;
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private ProcessStartInfo StartInfo(IReadOnlyList<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in prefixArguments.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    public async Task<NftResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(arguments) };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new FirewallUnavailableException($"Cannot start '{fileName}': {ex.Message}. Install nftables or set Agent:Nft to the nft binary.", ex);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), timeoutSource.Token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(timeoutSource.Token);
            return new NftResult(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return new NftResult(-1, "", $"'{fileName}' did not finish within {timeout}.");
        }
    }
}
