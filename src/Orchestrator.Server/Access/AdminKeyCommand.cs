using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Access;
using Orchestrator.Data.Sqlite;
using Orchestrator.Data;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Hosting;

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

    public static async Task<int> RunAsync(string[] args, OrchestratorOptions settings, TextWriter output, TextWriter error)
    {
        if (args is not [Verb, "issue", ..])
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        DataFolder.Prepare(settings);
        await using var services = new ServiceCollection().AddOrchestratorSqlite(settings.DatabasePath).BuildServiceProvider();
        var time = TimeProvider.System;
        await SqliteMigrator.MigrateAsync(services.GetRequiredService<SqliteDatabase>(), time);
        var now = time.GetUtcNow();
        var name = string.Create(CultureInfo.InvariantCulture, $"recovery-admin-{now:yyyyMMdd-HHmmss}");
        var key = ApiKeys.New();
        await services.GetRequiredService<IApiKeyStore>().CreateAsync(name, Secrets.Hash(key), Role.Admin, null, "host:admin-key", now);
        await output.WriteLineAsync(
            $"""
             Created the admin API key '{name}' in {Path.GetFullPath(settings.DatabasePath)}. It is shown once.
             {key}
             It works at once, also on a running server. Revoke keys you no longer trust with DELETE /api/v1/keys/{"{id}"}.
             """);
        return 0;
    }
}
