using System.Diagnostics;
using System.Text;

namespace Orchestrator.Testing.Lab;

/// <summary>A long-running process inside a lab namespace; its output is collected line by line.</summary>
public sealed class LabProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly Lock sync = new();
    private bool disposed;
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> waiters = [];

    internal LabProcess(ProcessStartInfo startInfo)
    {
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.RedirectStandardInput = true;
        startInfo.UseShellExecute = false;
        process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(stdout, e.Data, notify: true);
        process.ErrorDataReceived += (_, e) => OnLine(stderr, e.Data, notify: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;

    public bool HasExited => disposed || process.HasExited;

    public int ExitCode => process.ExitCode;

    public string StandardOutput { get { lock (sync) { return stdout.ToString(); } } }

    public string StandardError { get { lock (sync) { return stderr.ToString(); } } }

    /// <summary>Waits for the first output line (stdout or stderr) that matches, including lines already seen.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        TaskCompletionSource<string> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (sync)
        {
            var seen = (stdout + "\n" + stderr).Split('\n').FirstOrDefault(l => match(l.TrimEnd('\r')));
            if (seen is not null)
            {
                return seen;
            }

            waiters.Add((match, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No matching output line within {timeout}. stdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode;
    }

    /// <summary>Sends SIGTERM (graceful stop, like systemd does).</summary>
    public async Task TerminateAsync()
    {
        if (!process.HasExited)
        {
            await Commands.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    public void Kill()
    {
        if (disposed)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // The namespace deletion that follows removes whatever is left.
        }

        disposed = true;
        process.Dispose();
    }

    private void OnLine(StringBuilder sink, string? line, bool notify)
    {
        if (line is null)
        {
            return;
        }

        lock (sync)
        {
            sink.AppendLine(line);
            if (!notify)
            {
                return;
            }

            foreach (var waiter in waiters.Where(w => w.Match(line)).ToList())
            {
                waiters.Remove(waiter);
                waiter.Done.TrySetResult(line);
            }
        }
    }
}
