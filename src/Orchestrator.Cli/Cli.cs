using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Orchestrator.Cli.Commands;
using Orchestrator.Cli.Shell;

namespace Orchestrator.Cli;

/// <summary>The <c>orchestrator</c> command line. <see cref="RunAsync"/> is the whole program, callable in-process by tests.</summary>
public static class Cli
{
    public static async Task<int> RunAsync(
        string[] args, CliConsole console, IReadOnlyDictionary<string, string?> environment, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        var services = new CliServices(console, environment, time ?? TimeProvider.System);
        if (args.Any(a => a.Equals("--api-key", StringComparison.OrdinalIgnoreCase) || a.StartsWith("--api-key=", StringComparison.OrdinalIgnoreCase)))
        {
            // Said before anything else: the key is already in this process's arguments, readable by other local users.
            services.WriteError(
                $"--api-key is not accepted: a key on the command line can be read by other local users (process list, shell history). " +
                $"Set {CliEnvironment.ApiKey} or apiKey: in the config file; if the key was real, consider it exposed and revoke it.");
            return ExitCodes.Usage;
        }

        var root = CreateRoot(services);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                services.WriteError(error.Message);
            }

            var path = string.Join(' ', Path(parse.CommandResult.Command, root));
            await console.Error.WriteLineAsync($"Run '{path} --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }

    private static RootCommand CreateRoot(CliServices services)
    {
        var root = new RootCommand($"""
            orchestrator: manage maintenance windows that open TCP 7680 (Delivery Optimization peering) only to the
            members of a group, only while the window runs.

            Server: --server, ${CliEnvironment.Server}, or server: in the config file ($XDG_CONFIG_HOME or ~/.config, then
            orchestrator/cli.yaml; default http://127.0.0.1:5080).
            API key: ${CliEnvironment.ApiKey} or apiKey: in the config file (never a flag).
            Exit codes: 0 ok, 1 invalid files, 2 usage, 3 server refused/not found, 4 server unreachable, 5 not done (plan
            differences with --detailed-exitcode, or a declined confirmation).

            Examples:
              orchestrator validate -f config/examples/site.yaml
              orchestrator apply -f config/ --prune
              orchestrator windows next "Patch Tuesday Berlin" --count 6
              orchestrator runs start "Patch Tuesday Berlin" --duration PT30M
              orchestrator runs show 42
              orchestrator report 42
            """)
        {
            services.Global.Server,
            services.Global.Config,
            services.Global.Output,
            ValidateCommand.Create(services),
            PlanCommand.Create(services),
            ApplyCommand.Create(services),
            WindowsCommand.Create(services),
            RunsCommand.Create(services),
            ReportCommand.Create(services),
            CloseCommand.Create(services),
            InventoryCommands.Agents(services),
            InventoryCommands.Groups(services),
            InventoryCommands.Endpoints(services),
            AccessCommands.Keys(services),
            AccessCommands.Tokens(services),
            WebhookCommands.Create(services),
        };
        ShortListings(root);
        return root;
    }

    /// <summary>Descriptions are written with their examples; the examples move to the end of the command's own help, so
    /// that a parent's list of subcommands shows only the first paragraph.</summary>
    private static void ShortListings(RootCommand root)
    {
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is not { Action: HelpAction standard } option)
        {
            return;
        }

        var examples = new Dictionary<Command, string>();
        var pending = new Stack<Command>([root]);
        while (pending.TryPop(out var command))
        {
            var text = command.Description ?? "";
            var at = text.IndexOf("\n\nExample", StringComparison.Ordinal);
            if (at >= 0)
            {
                examples[command] = text[(at + 2)..];
                command.Description = text[..at];
            }

            foreach (var child in command.Subcommands)
            {
                pending.Push(child);
            }
        }

        option.Action = new HelpWithExamples(standard, examples);
    }

    private sealed class HelpWithExamples(HelpAction standard, Dictionary<Command, string> examples) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var result = standard.Invoke(parseResult);
            if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                parseResult.InvocationConfiguration.Output.WriteLine(text);
                parseResult.InvocationConfiguration.Output.WriteLine();
            }

            return result;
        }
    }

    private static Stack<string> Path(Command command, RootCommand root)
    {
        var names = new Stack<string>();
        for (var c = command; c is not null && c != root; c = Parent(root, c))
        {
            names.Push(c.Name);
        }

        names.Push("orchestrator");
        return names;
    }

    private static Command? Parent(Command root, Command child)
    {
        if (root.Subcommands.Contains(child))
        {
            return root;
        }

        return root.Subcommands.Select(s => Parent(s, child)).FirstOrDefault(p => p is not null);
    }
}
