using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Orchestrator.Testing.Server;

/// <summary>
/// The built server (Orchestrator.Server.dll next to the test assembly) as a separate OS process over a data folder and
/// real SQLite files, the way ops run it: a test talks to it over HTTP, can kill it with SIGKILL (no shutdown hooks run)
/// and start it again on the same files.
/// </summary>
/// <remarks>
/// The server listens on a port the kernel picks, and <see cref="BaseAddress"/> is the one it reports
/// (<see cref="ListeningLine"/>).
/// </remarks>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>The server's first admin key (Orchestrator:BootstrapAdminKey); <see cref="Client"/> sends it.</summary>
    public const string AdminKey = "ork_test-admin-key-0123456789abcdefghijklmnop";

    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);

    private static readonly Uri AnyPort = new(ListeningLine.AnyLoopbackPort);

    private static readonly IReadOnlyDictionary<string, string> ReportsWhereItListens =
        new Dictionary<string, string>([ListeningLine.Setting], StringComparer.Ordinal);

    private readonly Process process;
    private readonly bool ownsDataDirectory;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process, Uri? baseAddress, string dataDirectory, bool ownsDataDirectory)
    {
        this.process = process;
        this.ownsDataDirectory = ownsDataDirectory;
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        if (baseAddress is not null)
        {
            listening.SetResult(baseAddress);
        }
    }

    /// <summary>Where the server listens; known once it said so (always after <see cref="StartAsync"/>).</summary>
    public Uri BaseAddress => listening.Task.IsCompletedSuccessfully
        ? listening.Task.Result
        : throw new InvalidOperationException("the server has not said where it listens yet");

    public string DataDirectory { get; }

    /// <summary>Sends <see cref="AdminKey"/>.</summary>
    public HttpClient Client { get; }

    /// <summary>What the server wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts the server and waits until it answers /healthz.</summary>
    /// <param name="dataDirectory">The folder to keep the files in; pass the same folder again to restart on the same files.
    /// Null: a fresh temporary folder, deleted on dispose.</param>
    /// <param name="settings">Environment variables added to <see cref="ServerSettings.Base"/> or overriding it.</param>
    public static async Task<ServerProcess> StartAsync(string? dataDirectory = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var server = Launch(dataDirectory, settings);
        try
        {
            await server.WaitUntilListeningAsync();
            await ServerHealth.WaitAsync(server.Client, () => server.process.HasExited ? server.process.ExitCode : null, () => server.Output, HealthTimeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server without waiting for it (a test that expects it to fail waits with <see cref="WaitForExitAsync"/>).</summary>
    /// <param name="settings">As for <see cref="StartAsync"/>; an empty value removes the setting (e.g. no BootstrapAdminKey).</param>
    /// <param name="baseAddress">Where it listens; null: a loopback port the kernel picks, which the server reports.</param>
    public static ServerProcess Launch(string? dataDirectory = null, IReadOnlyDictionary<string, string>? settings = null, Uri? baseAddress = null, params string[] arguments)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("orchestrator-server-").FullName;
        var environment = ServerSettings.Base(
            baseAddress ?? AnyPort, dataDirectory, AdminKey, ReportsWhereItListens, settings ?? new Dictionary<string, string>());
        var start = StartInfo(environment, arguments);
        var server = new ServerProcess(new Process { StartInfo = start }, baseAddress, dataDirectory, owns);
        server.Start();
        return server;
    }

    /// <summary>Starts the server on <paramref name="dataDirectory"/> expecting it to refuse to start: waits for it to
    /// exit by itself and answers its exit code and output. A server still running after <paramref name="timeout"/> is
    /// killed and reported as exit code -1.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(
        string dataDirectory, IReadOnlyDictionary<string, string>? settings, TimeSpan timeout)
    {
        await using var server = Launch(dataDirectory, settings);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await server.process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            server.KillHard();
            return (-1, server.Output);
        }

        return (server.process.ExitCode, server.Output);
    }

    /// <summary>Runs the server's executable with <paramref name="arguments"/> (a host command such as <c>admin-key issue</c>)
    /// over <paramref name="dataDirectory"/> and waits for it to exit.</summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings, params string[] arguments)
    {
        // Urls: a server that would start anyway (a build without the command) must not take the product's port.
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Orchestrator__DataDirectory"] = dataDirectory,
            ["Urls"] = ListeningLine.AnyLoopbackPort,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        using var process = new Process { StartInfo = StartInfo(environment, arguments) };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(HealthTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', arguments)}' did not exit within {HealthTimeout.TotalSeconds} s; output: {output}");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Waits until the process exits; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Orchestrator.Server.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return start;
    }

    /// <summary>Waits for the address the server reports, then talks to it.</summary>
    private async Task WaitUntilListeningAsync()
    {
        using var cancel = new CancellationTokenSource(HealthTimeout);
        var exited = process.WaitForExitAsync(cancel.Token);
        try
        {
            if (await Task.WhenAny(listening.Task, exited) == listening.Task)
            {
                Client.BaseAddress ??= listening.Task.Result;
                return;
            }

            await exited;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"the server did not say where it listens within {HealthTimeout.TotalSeconds} s:\n{Output}");
        }

        throw new InvalidOperationException($"the server exited with {process.ExitCode} before it listened:\n{Output}");
    }

    /// <summary>SIGKILL: the process gets no chance to close anything.</summary>
    public void KillHard()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    public ValueTask DisposeAsync()
    {
        if (IsRunning())
        {
            KillHard();
        }

        Client.Dispose();
        process.Dispose();
        if (ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temporary folder left behind does not make a test wrong.
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Start()
    {
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("could not start the server");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private bool IsRunning()
    {
        try
        {
            return !process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return false; // never started
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (!listening.Task.IsCompleted && ListeningLine.Parse(line) is { } address)
        {
            listening.TrySetResult(address);
        }
    }
}
