using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary>Read-only lists of what the server knows: agents, endpoints, groups.</summary>
internal static class InventoryCommands
{
    public static Command Agents(CliServices services)
    {
        var list = new Command("list", """
            List enrolled agents: online state, version, last contact and the desired-state version they applied.

            Example:
              orchestrator agents list --output json
            """);
        services.Bind(list, async (invocation, ct) =>
        {
            var agents = await invocation.Client.ListAgentsAsync(ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, agents);
                return ExitCodes.Ok;
            }

            var table = Tables.Create("Agent", "Hostname", "Version", "State", "Last seen", "Applied", "Error");
            foreach (var a in agents.OrderBy(a => a.Hostname, StringComparer.OrdinalIgnoreCase))
            {
                table.MarkupRow(
                    Markup.Escape(a.AgentId),
                    Markup.Escape(a.Hostname),
                    Markup.Escape(a.AgentVersion),
                    a.Revoked ? "[red]revoked[/]" : a.Online ? "[green]online[/]" : "[yellow]offline[/]",
                    Markup.Escape(Formats.Utc(a.LastSeenAt)),
                    a.AppliedVersion?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    a.ApplyError is { } error ? $"[red]{Markup.Escape(error)}[/]" : "");
            }

            invocation.Out.Write(table);
            invocation.Out.MarkupLine($"{agents.Count} agent(s), {agents.Count(a => a.Online)} online");
            return ExitCodes.Ok;
        });
        return new Command("agents", "Agents enrolled on endpoints.\n\nExample:\n  orchestrator agents list") { list };
    }

    public static Command Endpoints(CliServices services)
    {
        var list = new Command("list", "List endpoints (registered by files/imports or enrolled by agents).\n\nExample:\n  orchestrator endpoints list");
        services.Bind(list, async (invocation, ct) =>
        {
            var endpoints = await invocation.Client.ListEndpointsAsync(ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, endpoints);
                return ExitCodes.Ok;
            }

            var table = Tables.Create("Id", "Hostname", "Addresses", "OS", "Tags", "Source", "Last seen");
            foreach (var e in endpoints.OrderBy(e => e.Hostname, StringComparer.OrdinalIgnoreCase))
            {
                table.Row(e.Id.ToString(CultureInfo.InvariantCulture), e.Hostname, Formats.List(e.Addresses), e.Os, Formats.List(e.Tags), e.Source, Formats.Utc(e.LastSeenAt));
            }

            invocation.Out.Write(table);
            invocation.Out.MarkupLine($"{endpoints.Count} endpoint(s)");
            return ExitCodes.Ok;
        });
        return new Command("endpoints", "The endpoint inventory.\n\nExample:\n  orchestrator endpoints list") { list };
    }

    public static Command Groups(CliServices services)
    {
        var list = new Command("list", "List groups and their membership rules.\n\nExample:\n  orchestrator groups list");
        services.Bind(list, async (invocation, ct) =>
        {
            var groups = await invocation.Client.ListGroupsAsync(ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, groups);
                return ExitCodes.Ok;
            }

            var table = Tables.Create("Id", "Name", "Hosts", "CIDRs", "Tags", "Description");
            foreach (var g in groups.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase))
            {
                table.Row(g.Id.ToString(CultureInfo.InvariantCulture), g.Name, Formats.List(g.StaticMembers), Formats.List(g.Cidrs), Formats.List(g.Tags), g.Description ?? "");
            }

            invocation.Out.Write(table);
            invocation.Out.MarkupLine($"{groups.Count} group(s)");
            return ExitCodes.Ok;
        });
        return new Command("groups", "Endpoint groups.\n\nExample:\n  orchestrator groups list") { list };
    }
}
