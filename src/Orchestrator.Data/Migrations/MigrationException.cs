namespace Orchestrator.Data.Migrations;

/// <summary>The scripts in db/ do not agree with what the database records as applied (an edited, renamed, missing
/// or out-of-order script): the server refuses to start rather than guess. The message names the file and the fix.</summary>
public sealed class MigrationException(string message) : Exception(message);
