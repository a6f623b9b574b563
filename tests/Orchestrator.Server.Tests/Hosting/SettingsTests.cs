using System.Diagnostics;

namespace Orchestrator.Server.Tests.Hosting;

/// <summary>The real server binary started with a bad setting: it must stop at once and name the setting.</summary>
public sealed class SettingsTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Orchestrator__JobWorkers", "0", "Orchestrator:JobWorkers" },
        { "Orchestrator__MinimumWindowDuration", "00:00:01", "Orchestrator:MinimumWindowDuration" },
        { "Orchestrator__JobPollInterval", "soon", "Orchestrator:JobPollInterval" },
        { "Orchestrator__SchedulerName", "has spaces", "Orchestrator:SchedulerName" },
        { "Orchestrator__Unknown", "1", "Unknown" },
        { "Orchestrator__DatabaseBusyTimeout", "00:05:00", "Orchestrator:DatabaseBusyTimeout" },
        { "Orchestrator__HealthProbeTimeout", "00:00:00", "Orchestrator:HealthProbeTimeout" },
        { "Orchestrator__PublicUrl", "ftp://orchestrator.example.com", "Orchestrator:PublicUrl" },
        { "Orchestrator__PublicUrl", "https://orchestrator.example.com/?next=1", "Orchestrator:PublicUrl" },
        { "Orchestrator__PublicUrl", "orchestrator.example.com", "Orchestrator:PublicUrl" },
        { "Orchestrator__LogFormat", "xml", "Orchestrator:LogFormat" },
        { "Orchestrator__ScanDispatchSlice", "01:00:00", "Orchestrator:ScanDispatchSlice" },
        { "Orchestrator__Storage", "mysql", "Orchestrator:Storage: Storage must be sqlite or postgres" },
        { "Orchestrator__ClusterCheckinInterval", "00:00:00", "Orchestrator:ClusterCheckinInterval" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task ABadSettingStopsTheServerWithAMessageNamingIt(string variable, string value, string named)
    {
        var data = Path.Combine(Path.GetTempPath(), "orchestrator-settings", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Orchestrator.Server.dll"));
        start.Environment["Urls"] = "http://127.0.0.1:0";
        start.Environment["Orchestrator__DataDirectory"] = data;
        start.Environment[variable] = value;

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var exited = process.WaitForExit(30_000);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }

        Assert.True(exited, "the server stopped by itself");
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(named, await stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "orchestrator.db")), "nothing was created");
    }
}
