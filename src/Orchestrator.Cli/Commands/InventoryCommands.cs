using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Api;
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

            // An agent id (36 characters) or a 64-bit applied version split over lines cannot be read or copied: wide
            // terminals get a table whose id and version columns never wrap, narrow ones one block per agent.
            var ordered = agents.OrderBy(a => a.Hostname, StringComparer.OrdinalIgnoreCase).ToList();
            if (invocation.Out.Profile.Width >= WideAgentTable)
            {
                var table = Tables.Create("Agent", "Hostname", "Version", "State", "Last seen", "Applied", "Error");
                table.Columns[0].NoWrap = true;
                table.Columns[5].NoWrap = true;
                foreach (var a in ordered)
                {
                    table.MarkupRow(
                        Markup.Escape(a.AgentId),
                        Markup.Escape(a.Hostname),
                        Markup.Escape(a.AgentVersion),
                        AgentState(a),
                        Markup.Escape(Formats.Utc(a.LastSeenAt)),
                        Markup.Escape(a.AppliedVersion ?? "-"),
                        a.ApplyError is { } error ? $"[red]{Markup.Escape(error)}[/]" : "");
                }

                invocation.Out.Write(table);
            }
            else
            {
                foreach (var a in ordered)
                {
                    var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
                    grid.AddRow(new Markup("[bold]Agent[/]"), new Text(a.AgentId));
                    grid.AddRow(new Text("Hostname"), new Text(a.Hostname));
                    grid.AddRow(new Text("Version"), new Text(a.AgentVersion));
                    grid.AddRow(new Text("State"), new Markup(AgentState(a)));
                    grid.AddRow(new Text("Last seen"), new Text(Formats.Utc(a.LastSeenAt)));
                    grid.AddRow(new Text("Applied"), new Text(a.AppliedVersion ?? "-"));
                    if (a.ApplyError is { } error)
                    {
                        grid.AddRow(new Text("Error"), new Markup($"[red]{Markup.Escape(error)}[/]"));
                    }

                    invocation.Out.Write(grid);
                    invocation.Out.WriteLine();
                }
            }

            invocation.Out.MarkupLine($"{agents.Count} agent(s), {agents.Count(a => a.Online)} online");
            return ExitCodes.Ok;
        });
        return new Command("agents", "Agents enrolled on endpoints.\n\nExample:\n  orchestrator agents list") { list };
    }

    /// <summary>The narrowest terminal that gets the agents table; narrower ones get one block per agent.</summary>
    private const int WideAgentTable = 140;

    private static string AgentState(AgentDto a) => a.Revoked ? "[red]revoked[/]" : a.Online ? "[green]online[/]" : "[yellow]offline[/]";

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
        return new Command("endpoints", "The endpoint inventory.\n\nExample:\n  orchestrator endpoints list") { list, ReEnrollable(services) };
    }

    /// <summary>The admin's one-shot decision that the next enrollment as an existing endpoint may take it over.</summary>
    private static Command ReEnrollable(CliServices services)
    {
        var endpoint = new Argument<string>("endpoint") { Description = "The endpoint's hostname (any case) or id" };
        var expiresIn = new Option<string?>("--expires-in") { Description = "How long the mark stays usable: ISO-8601 duration up to P30D (default P1D)" };
        var withdraw = new Option<bool>("--withdraw") { Description = "Withdraw an unused mark instead" };
        var command = new Command("re-enrollable", """
            Allow the next agent enrollment as this endpoint (admin): a reinstalled machine, or the first agent of an
            endpoint registered from a file. Without the mark, enrolling as an existing endpoint is refused, so nobody
            holding a token can lock the real agent out or put their address in the group's allow-lists. The mark is
            used up by one enrollment and expires; both the mark and its use are in the audit log.

            Example:
              orchestrator endpoints re-enrollable pc-0001.corp.example --expires-in PT4H
            """) { endpoint, expiresIn, withdraw };
        services.Bind(command, async (invocation, ct) =>
        {
            var nameOrId = invocation.Value(endpoint)!;
            var endpoints = await invocation.Client.ListEndpointsAsync(ct);
            var found = endpoints.FirstOrDefault(e => string.Equals(e.Hostname, nameOrId, StringComparison.OrdinalIgnoreCase))
                ?? (long.TryParse(nameOrId, CultureInfo.InvariantCulture, out var id) ? endpoints.FirstOrDefault(e => e.Id == id) : null)
                ?? throw new CliException(ExitCodes.ServerError, $"no endpoint is named '{nameOrId}'");
            if (invocation.Value(withdraw))
            {
                await invocation.Client.WithdrawReEnrollableAsync(found.Id, ct);
                if (!invocation.Json)
                {
                    invocation.Out.MarkupLine($"Withdrew the re-enrollment mark of {Markup.Escape(found.Hostname)}.");
                }

                return ExitCodes.Ok;
            }

            var marked = await invocation.Client.MarkReEnrollableAsync(found.Id, invocation.Value(expiresIn), ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, marked);
                return ExitCodes.Ok;
            }

            invocation.Out.MarkupLine($"{Markup.Escape(marked.Hostname)} may be enrolled once, until {Markup.Escape(Formats.Utc(marked.ReEnrollableUntil))}.");
            return ExitCodes.Ok;
        });
        return command;
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
