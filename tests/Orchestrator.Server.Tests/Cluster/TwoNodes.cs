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

    /// <summary>Starts node A (which migrates the empty database and creates the first admin key), then node B.</summary>
    public static async Task<TwoNodes> StartAsync(string connectionString)
    {
        var a = await ServerProcess.StartAsync(settings: Settings(connectionString));
        try
        {
            return new TwoNodes(a, await ServerProcess.StartAsync(settings: Settings(connectionString)));
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
