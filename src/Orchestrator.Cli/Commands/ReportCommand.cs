using System.CommandLine;
using Orchestrator.Cli.Api;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Reports;
using Orchestrator.Cli.Shell;

namespace Orchestrator.Cli.Commands;

internal static class ReportCommand
{
    public static Command Create(CliServices services)
    {
        var run = new Argument<long>("run") { Description = "Run id (see runs list)" };
        var format = new Option<string?>("--format") { Description = "md (default), json (also with --output json) or csv (transfers and blocked attempts)" };
        format.AcceptOnlyFromAmong("md", "json", "csv");
        var command = new Command("report", """
            The report of one run: summary, members, who served content to whom, and blocked attempts on the port.

            Examples:
              orchestrator report 42
              orchestrator report 42 --format csv > run-42.csv
            """) { run, format };
        services.Bind(command, async (invocation, ct) =>
        {
            var id = invocation.Value(run);
            var detail = await invocation.Client.GetRunAsync(id, ct);
            RunReport report;
            try
            {
                report = RunReport.From(detail, await invocation.Client.GetRunTrafficAsync(id, ct));
            }
            catch (ApiException e) when ((int)e.Status >= 500)
            {
                // The members are still worth printing; the exit code tells scripts the report is incomplete.
                report = RunReport.From(detail, new RunTrafficDto([], []), e.Message);
            }

            switch (invocation.Parse.GetValue(format) ?? (invocation.Json ? "json" : "md"))
            {
                case "json":
                    Json.Write(invocation.Stdout, report);
                    break;
                case "csv":
                    await invocation.Stdout.WriteAsync(CsvReport.Render(report));
                    break;
                default:
                    await invocation.Stdout.WriteAsync(MarkdownReport.Render(report));
                    break;
            }

            if (report.TrafficError is { } error)
            {
                invocation.Services.WriteError($"the report lacks transfers and blocked attempts: {error}");
                return ExitCodes.ServerError;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
