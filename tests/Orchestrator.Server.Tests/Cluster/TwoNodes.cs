using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>Two real server processes on one PostgreSQL database, each with its own data folder, as two hosts run them.</summary>
public sealed class TwoNodes : IAsyncDisposable
{
    private TwoNodes(ServerProcess a, ServerProcess b)
    {
        A = a;
        B = b;
    }

    public ServerProcess A { get; }

    public ServerProcess B { get; }

    public IReadOnlyList<ServerProcess> Both => [A, B];

    /// <summary>The settings of a cluster node (<see cref="ServerSettings.ClusterNode"/>).</summary>
    public static Dictionary<string, string> Settings(string connectionString) => ServerSettings.ClusterNode(connectionString);

    /// <summary>Starts node A (which migrates the empty database and creates the first admin key), then node B, both
    /// with <see cref="Settings"/> and <paramref name="extra"/>.</summary>
    public static async Task<TwoNodes> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = Settings(connectionString);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var a = await ServerProcess.StartAsync(settings: settings);
        try
        {
            return new TwoNodes(a, await ServerProcess.StartAsync(settings: settings));
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    public ServerProcess Other(ServerProcess node) => ReferenceEquals(node, A) ? B : A;

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
