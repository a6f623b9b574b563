using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Access;
using Orchestrator.Data;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Hosting.Storage;

namespace Orchestrator.Server.Access;

/// <summary>
/// <c>Orchestrator.Server admin-key issue</c>: local recovery when no one holds an admin key (the first key was lost,
/// or every admin key expired). Run on the server's host by a user who can write its data folder — the same authority
/// as the files themselves — it creates a new admin key directly in the database and prints it. Works while the server
/// runs (SQLite serialises the write); audited with the actor <c>host:admin-key</c>.
/// </summary>
internal static class AdminKeyCommand
{
    public const string Verb = "admin-key";

    public const string Usage = """
        Usage: Orchestrator.Server admin-key issue [--config <file>] [--Orchestrator:DataDirectory <folder>]
          Creates a new admin API key in the server's database and prints it once.
          Run it on the server's host with the settings the server uses (same --config, environment, working folder).
        """;

    public static bool IsCommand(string[] args) => args is [Verb, ..];

    /// <summary>The arguments after the verb, for the configuration (flags such as --config still apply).</summary>
    public static string[] SettingsArguments(string[] args) => args.Length >= 2 ? args[2..] : [];

    public static async Task<int> RunAsync(string[] args, OrchestratorOptions settings, IStorageBackend storage, TextWriter output, TextWriter error)
    {
        if (args is not [Verb, "issue", ..])
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        DataFolder.Prepare(settings, storage.DataFiles);
        var time = TimeProvider.System;
        var collection = new ServiceCollection().AddSingleton(time);
        storage.AddStores(collection);
        await using var services = collection.BuildServiceProvider();
        try
        {
            await storage.MigrateAsync(services, settings.MigrationsDirectory, CancellationToken.None);
        }
        catch (Health.StoreStartupException e)
        {
            await error.WriteLineAsync(e.Message);
            return 2;
        }

        var now = time.GetUtcNow();
        var name = string.Create(CultureInfo.InvariantCulture, $"recovery-admin-{now:yyyyMMdd-HHmmss}");
        var key = ApiKeys.New();
        await services.GetRequiredService<IApiKeyStore>().CreateAsync(name, Secrets.Hash(key), Role.Admin, null, "host:admin-key", now);
        await output.WriteLineAsync(
            $"""
             Created the admin API key '{name}' ({storage.Description}). It is shown once.
             {key}
             It works at once, also on a running server. Revoke keys you no longer trust with DELETE /api/v1/keys/{"{id}"}.
             """);
        return 0;
    }
}
