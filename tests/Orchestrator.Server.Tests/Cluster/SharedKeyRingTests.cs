using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Keys;
using Orchestrator.Data.Postgres;
using Orchestrator.Data.Postgres.Signals;
using Orchestrator.Server.Cluster;
using Orchestrator.Testing.Postgres;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>
/// Several nodes on one PostgreSQL database share one Data Protection key ring (table key_ring): what one node
/// protected (a dashboard cookie, a webhook secret) another node reads. With a key ring per node's data folder, a
/// webhook created through one node could not be delivered by another, and a cookie worked on one node only.
/// </summary>
public sealed class SharedKeyRingTests
{
    private const string Purpose = "Orchestrator.Notifications.WebhookSecret.v1";

    [Fact]
    public async Task WhatOneNodeProtectedAnotherNodeReads()
    {
        PostgresPrerequisites.Require();
        await using var cluster = await PostgresCluster.StartAsync(TestContext.Current.CancellationToken);
        var database = await KeyRingDatabaseAsync(cluster);
        await using var a = Node(database);
        await using var b = Node(database);

        var secret = a.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("whsec_from_node_a");

        Assert.Equal("whsec_from_node_a", b.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(secret));
        Assert.Single(a.GetRequiredService<IKeyRingStore>().ListAll());
    }

    [Fact]
    public async Task NodesStartingTogetherOnAnEmptyRingReadWhatEachOtherProtected()
    {
        PostgresPrerequisites.Require();
        await using var cluster = await PostgresCluster.StartAsync(TestContext.Current.CancellationToken);
        var database = await KeyRingDatabaseAsync(cluster);
        await using var a = Node(database);
        await using var b = Node(database);

        // Both look at the (empty) ring before either has stored a key: each creates its own.
        var fromA = Task.Run(() => a.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("a"), TestContext.Current.CancellationToken);
        var fromB = Task.Run(() => b.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("b"), TestContext.Current.CancellationToken);
        var (protectedByA, protectedByB) = (await fromA, await fromB);
        Console.WriteLine($"Shared key ring: {a.GetRequiredService<IKeyRingStore>().ListAll().Count} key(s) after two nodes protected at once");

        Assert.Equal("a", b.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedByA));
        Assert.Equal("b", a.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedByB));
    }

    /// <summary>A database migrated as the server migrates it (db/postgres/, key_ring among its tables).</summary>
    private static async Task<string> KeyRingDatabaseAsync(PostgresCluster cluster)
    {
        var database = await cluster.CreateDatabaseAsync("key_ring_" + Guid.NewGuid().ToString("N")[..8], TestContext.Current.CancellationToken);
        await using var postgres = new PostgresDatabase(database);
        await PostgresMigrator.MigrateAsync(postgres, TimeProvider.System, TestContext.Current.CancellationToken);
        return database;
    }

    /// <summary>One node's Data Protection, configured as the server does with a shared key ring.</summary>
    private static ServiceProvider Node(string database)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddOrchestratorPostgres(database).AddOrchestratorPostgresCluster(database);
        services.AddDataProtection().SetApplicationName("Orchestrator");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IKeyRingStore, TimeProvider>((o, ring, time) => o.XmlRepository = new SharedKeyRepository(ring, time));
        return services.BuildServiceProvider();
    }
}
