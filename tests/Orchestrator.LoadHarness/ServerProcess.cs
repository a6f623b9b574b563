using System.Diagnostics;
using System.Globalization;
using Orchestrator.Testing.Server;

namespace Orchestrator.LoadHarness;

/// <summary>The real server, started from its built dll as a child process on a loopback port the kernel picks (the
/// address it reports, <see cref="ListeningLine"/>).</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const string ServerOnlyPrefix = "SERVER_";

    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    public static Task<ServerProcess> StartAsync(string dll, string dataDirectory, string adminKey, CancellationToken cancellationToken) =>
        StartAsync(dll, dataDirectory, adminKey, settings: null, cancellationToken);

    /// <param name="settings">Environment variables added to the harness's defaults or overriding them (two-node mode:
    /// PostgreSQL storage and one scheduler name for both nodes).</param>
    public static async Task<ServerProcess> StartAsync(
        string dll, string dataDirectory, string adminKey, IReadOnlyDictionary<string, string>? settings, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = ListeningLine.AnyLoopbackPort;
        start.Environment[ListeningLine.Setting.Key] = ListeningLine.Setting.Value;
        start.Environment["Orchestrator__DataDirectory"] = dataDirectory;
        start.Environment["Orchestrator__BootstrapAdminKey"] = adminKey;
        start.Environment["Orchestrator__MinimumWindowDuration"] = "00:00:05";
        start.Environment["Orchestrator__AgentRequestsPerMinute"] = "100000";
        start.Environment["Orchestrator__SignInAttemptsPerMinute"] = "10000";
        start.Environment["Orchestrator__WritesPerMinute"] = "100000";
        start.Environment["Orchestrator__SchedulerName"] = "load-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        // SERVER_X=v in the harness's environment sets X=v for the server only (runtime knobs such as
        // SERVER_DOTNET_GCgen0size, tried on the server without changing the harness's own runtime).
        foreach (var entry in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>())
        {
            if (entry.Key is string key && key.StartsWith(ServerOnlyPrefix, StringComparison.Ordinal) && key.Length > ServerOnlyPrefix.Length)
            {
                start.Environment[key[ServerOnlyPrefix.Length..]] = entry.Value as string;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(Path.Combine(dataDirectory, "server.log")) { AutoFlush = true };
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            Write(log, e.Data);
            if (e.Data is not null && ListeningLine.Parse(e.Data) is { } address)
            {
                listening.TrySetResult(address);
            }
        };
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(process, await ListeningAddressAsync(process, listening.Task, dataDirectory, cancellationToken));
        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode}; see {dataDirectory}/server.log");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException("the server did not answer /healthz within 60 s");
    }

    /// <summary>Peak and current resident set (MiB), CPU seconds (user + system) and threads, from /proc.</summary>
    public ProcessSample Sample()
    {
        var status = File.ReadAllLines($"/proc/{Pid}/status");
        double Kb(string key) => double.Parse(
            status.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        var cpu = (ProcStat.Of(Pid) ?? throw new InvalidOperationException($"process {Pid} is gone")).OwnSeconds;
        return new ProcessSample(Kb("VmHWM:") / 1024, Kb("VmRSS:") / 1024, cpu, (int)Kb("Threads:"));
    }

    /// <summary>SIGKILL (kill -9): no shutdown hook runs, parked requests see their connections reset.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    private static async Task<Uri> ListeningAddressAsync(Process process, Task<Uri> listening, string dataDirectory, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var exited = process.WaitForExitAsync(timeout.Token);
        if (await Task.WhenAny(listening, exited) == listening)
        {
            return await listening;
        }

        try
        {
            await exited;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the server did not say where it listens within 60 s; see {dataDirectory}/server.log");
        }

        throw new InvalidOperationException($"the server exited with {process.ExitCode} before it listened; see {dataDirectory}/server.log");
    }
}

internal sealed record ProcessSample(double PeakRssMiB, double RssMiB, double CpuSeconds, int Threads);
