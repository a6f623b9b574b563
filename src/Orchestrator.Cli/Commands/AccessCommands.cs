using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Api;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Shell;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary>API keys and agent enrollment tokens (admin keys only). Secrets are printed once, at creation.</summary>
internal static class AccessCommands
{
    public static Command Keys(CliServices services)
    {
        var list = new Command("list", "List API keys (never the keys themselves).\n\nExample:\n  orchestrator keys list");
        services.Bind(list, async (invocation, ct) =>
        {
            var keys = await invocation.Client.ListKeysAsync(ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, keys);
                return ExitCodes.Ok;
            }

            var table = Tables.Create("Id", "Name", "Role", "Created", "By", "Expires", "Last used", "State");
            foreach (var k in keys)
            {
                table.MarkupRow(
                    k.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(k.Name), Markup.Escape(k.Role), Markup.Escape(Formats.Utc(k.CreatedAt)),
                    Markup.Escape(k.CreatedBy), Markup.Escape(Formats.Utc(k.ExpiresAt)), Markup.Escape(Formats.Utc(k.LastUsedAt)),
                    k.RevokedAt is null ? "[green]active[/]" : "[red]revoked[/]");
            }

            invocation.Out.Write(table);
            return ExitCodes.Ok;
        });

        var name = new Option<string>("--name") { Description = "A name people recognise, e.g. ci-pipeline", Required = true };
        var role = new Option<string>("--role") { Description = "viewer, operator or admin", Required = true };
        var expiresIn = new Option<string?>("--expires-in") { Description = "ISO-8601 duration, e.g. P90D (default: does not expire)" };
        var create = new Command("create", """
            Create an API key. The key is printed once: store it now (the server keeps only its hash).

            Example:
              orchestrator keys create --name ci-pipeline --role operator --expires-in P90D
            """) { name, role, expiresIn };
        services.Bind(create, async (invocation, ct) =>
        {
            var key = await invocation.Client.CreateKeyAsync(new ApiKeyBody(invocation.Value(name)!, invocation.Value(role)!, invocation.Value(expiresIn)), ct);
            return Secret(invocation, key, key.Key, $"API key {key.Id} '{key.Name}' ({key.Role})");
        });

        var revoke = Revoke("key", "orchestrator keys revoke 3", services, (client, id, ct) => client.RevokeKeyAsync(id, ct));
        return new Command("keys", "API keys for people and programs (admin).\n\nExample:\n  orchestrator keys list") { list, create, revoke };
    }

    public static Command Tokens(CliServices services)
    {
        var list = new Command("list", "List agent enrollment tokens (never the tokens themselves).\n\nExample:\n  orchestrator tokens list");
        services.Bind(list, async (invocation, ct) =>
        {
            var tokens = await invocation.Client.ListTokensAsync(ct);
            if (invocation.Json)
            {
                Json.Write(invocation.Stdout, tokens);
                return ExitCodes.Ok;
            }

            var table = Tables.Create("Id", "Name", "Single use", "Uses", "Expires", "Hostnames", "Addresses", "Grants tags", "State");
            foreach (var t in tokens)
            {
                table.MarkupRow(
                    t.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(t.Name), t.SingleUse ? "yes" : "no", t.Uses.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(Formats.Utc(t.ExpiresAt)), Markup.Escape(t.HostnamePattern ?? "any"), Markup.Escape(t.AddressCidrs is null ? "any" : Formats.List(t.AddressCidrs)),
                    Markup.Escape(t.Tags is { Count: > 0 } tags ? Formats.List(tags) : "none"), t.RevokedAt is null ? "[green]active[/]" : "[red]revoked[/]");
            }

            invocation.Out.Write(table);
            return ExitCodes.Ok;
        });

        var name = new Option<string>("--name") { Description = "What the token is for, e.g. berlin rollout", Required = true };
        var expiresIn = new Option<string?>("--expires-in") { Description = "ISO-8601 duration up to P365D (default P1D)" };
        var singleUse = new Option<bool>("--single-use") { Description = "The token enrolls one agent only" };
        var hostnamePattern = new Option<string?>("--hostname-pattern") { Description = "Only host names matching this pattern ('*' for any run of letters, digits, '-', '.'), e.g. pc-*.berlin.example (default any)" };
        var addressCidrs = new Option<string[]>("--address-cidr") { Description = "Agents' addresses must lie in one of these CIDRs (repeatable; default any address)" };
        var tags = new Option<string[]>("--tag") { Description = "A tag the token grants (repeatable); an agent asking for any other tag is refused (default none)" };
        var create = new Command("create", """
            Create an enrollment token for agents. The token is printed once.

            Scope: an agent enrolling with it may only use host names matching --hostname-pattern, addresses inside
            --address-cidr and the tags given with --tag (none by default: tags select group members). Enrolling as an
            endpoint that already exists needs an admin's mark: orchestrator endpoints re-enrollable <hostname>.

            Example:
              orchestrator tokens create --name "berlin rollout" --expires-in P7D --hostname-pattern "pc-*.berlin.example" --address-cidr 10.20.0.0/16 --tag floor-3
            """) { name, expiresIn, singleUse, hostnamePattern, addressCidrs, tags };
        services.Bind(create, async (invocation, ct) =>
        {
            var cidrs = invocation.Value(addressCidrs);
            var token = await invocation.Client.CreateTokenAsync(
                new EnrollmentTokenBody(
                    invocation.Value(name)!, invocation.Value(expiresIn), invocation.Value(singleUse), invocation.Value(hostnamePattern),
                    cidrs is { Length: > 0 } ? cidrs : null, invocation.Value(tags) ?? []),
                ct);
            return Secret(invocation, token, token.Token, $"Enrollment token {token.Id} '{token.Name}', expires {Formats.Utc(token.ExpiresAt)}");
        });

        var revoke = Revoke("token", "orchestrator tokens revoke 2", services, (client, id, ct) => client.RevokeTokenAsync(id, ct));
        return new Command("tokens", "Agent enrollment tokens (admin).\n\nExample:\n  orchestrator tokens create --name lab") { list, create, revoke };
    }

    private static int Secret(Invocation invocation, object created, string? secret, string what)
    {
        if (invocation.Json)
        {
            Json.Write(invocation.Stdout, created);
            return ExitCodes.Ok;
        }

        invocation.Out.MarkupLine($"{Markup.Escape(what)} created. It is shown once; store it now:");
        invocation.Stdout.WriteLine(secret);
        return ExitCodes.Ok;
    }

    private static Command Revoke(string what, string example, CliServices services, Func<OrchestratorClient, long, CancellationToken, Task> revoke)
    {
        var id = new Argument<long>("id") { Description = $"The {what}'s id (see list)" };
        var command = new Command("revoke", $"Revoke a {what}: it stops working at its next use.\n\nExample:\n  {example}") { id };
        services.Bind(command, async (invocation, ct) =>
        {
            await revoke(invocation.Client, invocation.Value(id), ct);
            if (!invocation.Json)
            {
                invocation.Out.MarkupLine($"Revoked {what} {invocation.Value(id)}.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
