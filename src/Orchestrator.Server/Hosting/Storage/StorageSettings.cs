using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace Orchestrator.Server.Hosting.Storage;

/// <summary>
/// The storage settings that depend on each other: Storage=postgres needs a connection string that Npgsql can read and
/// that names a host and a database. Messages never repeat the connection string (it holds the password).
/// </summary>
internal static class StorageSettings
{
    private const string Example = "e.g. Host=db.example.com;Database=orchestrator;Username=orchestrator;Password=…";

    public static IEnumerable<ValidationResult> Validate(OrchestratorOptions settings)
    {
        var connectionString = settings.PostgresConnectionString;
        if (settings.Storage == StorageKinds.Postgres && string.IsNullOrWhiteSpace(connectionString))
        {
            yield return new ValidationResult(
                $"is required when Storage is postgres: an Npgsql connection string, {Example}", [nameof(OrchestratorOptions.PostgresConnectionString)]);
            yield break;
        }

        if (connectionString is null)
        {
            yield break;
        }

        NpgsqlConnectionStringBuilder? parsed = null;
        string? problem = null;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            // Npgsql's message names the keyword or value it could not read, never the whole string.
            problem = e.Message;
        }

        if (problem is not null || parsed is null)
        {
            yield return new ValidationResult(
                $"is not a connection string Npgsql accepts ({problem}); {Example}", [nameof(OrchestratorOptions.PostgresConnectionString)]);
        }
        else if (string.IsNullOrWhiteSpace(parsed.Host) || string.IsNullOrWhiteSpace(parsed.Database))
        {
            yield return new ValidationResult(
                $"must name Host and Database; {Example}", [nameof(OrchestratorOptions.PostgresConnectionString)]);
        }
    }

    /// <summary>Host, port and database of a valid connection string, for messages: never the password.</summary>
    public static string Describe(string connectionString)
    {
        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        return System.FormattableString.Invariant($"PostgreSQL database {parsed.Database} on {parsed.Host}:{parsed.Port}");
    }
}
