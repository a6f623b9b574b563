using Orchestrator.Cli;

return await Cli.RunAsync(args, CliConsole.FromSystem(), CliEnvironment.FromProcess());
