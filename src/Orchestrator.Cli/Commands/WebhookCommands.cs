using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Api;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>webhooks</c>: targets that hear about runs (admin keys only; docs/notifications.md).</summary>
internal static class WebhookCommands
{
    public static Command Create(CliServices services)
    {
        var list = new Command("list", "List webhook targets (never their secrets).\n\nExample:\n  orchestrator webhooks list");
        services.Bind(list, async (invocation, ct) =>
        {
            var webhooks = await invocation.Client.ListWebhooksAsync(ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, webhooks);
                return ExitCodes.Ok;
            }

            var table = Tables.Create("Id", "Name", "Format", "Events", "URL", "State");
            foreach (var w in webhooks)
            {
                table.MarkupRow(
                    w.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(w.Name), Markup.Escape(w.Format), Markup.Escape(Formats.List(w.Events)),
                    Markup.Escape(w.Url), w.Enabled ? "[green]enabled[/]" : "[grey]disabled[/]");
            }

            invocation.Out.Write(table);
            return ExitCodes.Ok;
        });

        var name = new Option<string>("--name") { Description = "A name people recognise, e.g. on-call", Required = true };
        var url = new Option<string>("--url") { Description = "Absolute http:// or https:// address of the receiver", Required = true };
        var events = new Option<string[]>("--event") { Description = "An event to send (repeatable), e.g. window.missed; \"*\" for all", Required = true };
        var format = new Option<string?>("--format") { Description = "json (default), slack or teams" };
        var create = new Command("create", $"""
            Register a webhook target. The signing secret is read from ${CliEnvironment.WebhookSecret} (16-256
            characters), never from a flag; the server stores it encrypted and never shows it again.

            Events: run.opened, run.closed, run.notOpenedOnTime, run.criticalAnomaly, run.closeUnconfirmed,
            window.missed, member.agentOffline, or "*".

            Example:
              ORCHESTRATOR_WEBHOOK_SECRET=... orchestrator webhooks create --name on-call --url https://alerts.example.com/orchestrator --event window.missed --event run.notOpenedOnTime
            """) { name, url, events, format };
        services.Bind(create, async (invocation, ct) =>
        {
            if (services.Environment.Get(CliEnvironment.WebhookSecret) is not { } secret)
            {
                throw new UsageException($"set {CliEnvironment.WebhookSecret} to the webhook's signing secret (16-256 characters); it is never a flag");
            }

            var created = await invocation.Client.CreateWebhookAsync(
                new WebhookBody(invocation.Value(name)!, invocation.Value(url)!, invocation.Value(format), invocation.Value(events) ?? [], secret, null), ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, created);
            }
            else
            {
                invocation.Out.MarkupLine($"Webhook {created.Id} '{Markup.Escape(created.Name)}' registered. Send it a test event: orchestrator webhooks test {created.Id}");
            }

            return ExitCodes.Ok;
        });

        var id = new Argument<long>("id") { Description = "The webhook's id (see list)" };
        var delete = new Command("delete", "Delete a webhook target (its deliveries stay listed).\n\nExample:\n  orchestrator webhooks delete 2") { id };
        services.Bind(delete, async (invocation, ct) =>
        {
            await invocation.Client.DeleteWebhookAsync(invocation.Value(id), ct);
            if (!invocation.Json)
            {
                invocation.Out.MarkupLine($"Deleted webhook {invocation.Value(id)}.");
            }

            return ExitCodes.Ok;
        });

        var testId = new Argument<long>("id") { Description = "The webhook's id (see list)" };
        var test = new Command("test", "Queue a \"test\" event to a webhook; its attempts show in deliveries.\n\nExample:\n  orchestrator webhooks test 1") { testId };
        services.Bind(test, async (invocation, ct) =>
        {
            var queued = await invocation.Client.TestWebhookAsync(invocation.Value(testId), ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, queued);
            }
            else
            {
                invocation.Out.MarkupLine($"Test event queued (delivery {Markup.Escape(queued.DeliveryId)}). See: orchestrator webhooks deliveries {queued.WebhookId}");
            }

            return ExitCodes.Ok;
        });

        var deliveriesId = new Argument<long>("id") { Description = "The webhook's id (see list)" };
        var limit = new Option<int>("--limit") { Description = "Newest attempts to show (1-1000)", DefaultValueFactory = _ => 50 };
        var deliveries = new Command("deliveries", "Delivery attempts to a webhook, newest first: event, run, status, latency, error.\n\nExample:\n  orchestrator webhooks deliveries 1 --limit 20") { deliveriesId, limit };
        services.Bind(deliveries, async (invocation, ct) =>
        {
            var attempts = await invocation.Client.ListDeliveriesAsync(invocation.Value(deliveriesId), invocation.Value(limit), ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, attempts);
                return ExitCodes.Ok;
            }

            var table = Tables.Create("At (UTC)", "Event", "Run", "Attempt", "Result", "Status", "Latency", "Error");
            foreach (var a in attempts)
            {
                table.MarkupRow(
                    Markup.Escape(Formats.Utc(a.At)), Markup.Escape(a.Event), a.RunId?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    a.Attempt.ToString(CultureInfo.InvariantCulture), a.Succeeded ? "[green]delivered[/]" : "[red]failed[/]",
                    a.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-", $"{a.LatencyMs.ToString(CultureInfo.InvariantCulture)} ms", Markup.Escape(a.Error ?? ""));
            }

            invocation.Out.Write(table);
            return ExitCodes.Ok;
        });

        return new Command("webhooks", "Webhook targets that hear about runs (admin).\n\nExample:\n  orchestrator webhooks list") { list, create, delete, test, deliveries };
    }
}
