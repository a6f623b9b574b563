using System.CommandLine;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// Prints the server's own run report (GET /runs/{id}/report) as it writes it. The CLI once assembled a weaker copy from
/// the run and its traffic, without anomalies or scan outcomes; one report, built in one place, cannot disagree with the
/// report pages.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(CliServices services)
    {
        var run = new Argument<long>("run") { Description = "Run id (see runs list)" };
        var format = new Option<string?>("--format")
        {
            Description = "md (default: anomalies, figures, endpoints that need a look, top transfers), json (the whole report; "
                + "also with --output json), csv (one row per endpoint) or transfers-csv (every transfer pair)",
        };
        format.AcceptOnlyFromAmong("md", "json", "csv", "transfers-csv");
        var command = new Command("report", """
            The server's report of one run: anomalies (critical first), members with their open/close confirmation and
            scan outcome, who served content to whom, and blocked attempts on the port.

            Examples:
              orchestrator report 42
              orchestrator report 42 --format json | jq '.anomalies'
              orchestrator report 42 --format csv > run-42-endpoints.csv
            """) { run, format };
        services.Bind(command, async (invocation, ct) =>
        {
            var id = invocation.Value(run);
            var chosen = invocation.Parse.GetValue(format) ?? (invocation.Json ? "json" : "md");
            var text = chosen switch
            {
                "transfers-csv" => await invocation.Client.GetRunTransfersCsvAsync(id, ct),
                var f => await invocation.Client.GetRunReportTextAsync(id, f, ct),
            };
            if (chosen == "json" && JsonNode.Parse(text) is { } document)
            {
                Json.Write(invocation.Stdout, document); // indented, like every other --output json
                return ExitCodes.Ok;
            }

            await invocation.Stdout.WriteAsync(text);
            if (!text.EndsWith('\n'))
            {
                await invocation.Stdout.WriteLineAsync();
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
