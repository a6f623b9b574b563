using Orchestrator.Server.Tests.Access;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Hosting;

/// <summary>The data folder holds credential hashes, the audit log and the cookie keys: only the server's user reads it.</summary>
public sealed class DataFolderTests
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task TheDataFolderIs0700AndEveryDatabaseAndCookieKeyFile0600EvenWhenAnOlderInstallMadeThemWider()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var factory = new OrchestratorFactory();
        var wide = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(factory.DataDirectory, wide);
        var old = Path.Combine(factory.DataDirectory, "orchestrator.db");
        await File.WriteAllBytesAsync(old, [], TestContext.Current.CancellationToken);
        File.SetUnixFileMode(old, File600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var admin = factory.CreateClient();
        var key = (string)(await admin.CreateAsync("/api/v1/keys", new { name = "v", role = "viewer" }))["key"]!;
        using var browser = Browser.For(factory);
        (await browser.SignInAsync(key)).Dispose();

        Assert.Equal(Folder, File.GetUnixFileMode(factory.DataDirectory));
        var keys = Path.Combine(factory.DataDirectory, "keys");
        Assert.Equal(Folder, File.GetUnixFileMode(keys));
        Assert.NotEmpty(Directory.GetFiles(keys, "*.xml"));
        var files = Directory.GetFiles(factory.DataDirectory).Concat(Directory.GetFiles(keys)).ToList();
        foreach (var name in new[] { "orchestrator.db", "quartz.db", "hangfire.db", "orchestrator.db-wal", "orchestrator.db-shm", "quartz.db-wal" })
        {
            Assert.Contains(Path.Combine(factory.DataDirectory, name), files);
        }

        var wider = new List<string>();
        foreach (var file in files)
        {
            if (File.GetUnixFileMode(file) is var mode && mode != File600)
            {
                wider.Add($"{file} is {mode}");
            }
        }

        Assert.Empty(wider);
    }
}
