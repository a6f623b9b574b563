using Spectre.Console;

namespace Orchestrator.Cli.Planning;

/// <summary>A plan as people read it (+ create, ~ update, - delete, field: old → new) and as scripts read it (JSON).</summary>
internal static class PlanPrinter
{
    public static void Write(IAnsiConsole console, Plan plan, Uri server, bool prune)
    {
        console.MarkupLine($"Plan for {Markup.Escape(server.ToString())}: {Summary(plan)}.");
        if (plan.Changes.Count > 0)
        {
            console.WriteLine();
        }

        var width = plan.Changes.SelectMany(c => c.Fields).Select(f => f.Field.Length).DefaultIfEmpty(0).Max() + 2;
        foreach (var change in plan.Changes)
        {
            var id = change.Id is { } i ? $" (id {i})" : "";
            var name = Markup.Escape($"{change.Kind} '{change.Name}'{id}");
            console.MarkupLine(change.Action switch
            {
                ChangeAction.Create => $"[green]+ create[/] {name}",
                ChangeAction.Update => $"[yellow]~ update[/] {name}",
                ChangeAction.Delete => $"[red]- delete[/] {name}",
                _ => $"[grey]? keep   {name}: not in the files; --prune deletes it[/]",
            });
            foreach (var field in change.Fields)
            {
                var label = Markup.Escape(field.Field.PadRight(width));
                console.MarkupLine(change.Action == ChangeAction.Create
                    ? $"    {label}{Value(field.To)}"
                    : $"    {label}[red]{Value(field.From)}[/] → [green]{Value(field.To)}[/]");
            }
        }

        if (!plan.HasChanges && plan.Count(ChangeAction.Untracked) == 0)
        {
            console.MarkupLine("[green]No changes:[/] the server already matches the files.");
        }
        else if (!prune && plan.Count(ChangeAction.Untracked) > 0)
        {
            console.WriteLine();
            console.MarkupLine($"[grey]{plan.Count(ChangeAction.Untracked)} object(s) on the server are not in the files; apply --prune would delete them.[/]");
        }
    }

    public static string Summary(Plan plan) =>
        $"{plan.Count(ChangeAction.Create)} to create, {plan.Count(ChangeAction.Update)} to update, {plan.Count(ChangeAction.Delete)} to delete, {plan.Unchanged} unchanged";

    /// <param name="nextStarts">plan only: each window's next starts (<see cref="NextStarts"/>).</param>
    public static object ToJson(Plan plan, Uri server, IReadOnlyList<WindowStarts>? nextStarts = null) => new
    {
        server = server.ToString(),
        hasChanges = plan.HasChanges,
        summary = new
        {
            create = plan.Count(ChangeAction.Create),
            update = plan.Count(ChangeAction.Update),
            delete = plan.Count(ChangeAction.Delete),
            unchanged = plan.Unchanged,
            untracked = plan.Count(ChangeAction.Untracked),
        },
        changes = plan.Changes.Select(c => new
        {
            action = c.Action,
            kind = c.Kind,
            name = c.Name,
            id = c.Id,
            source = c.Source?.Location.ToString(),
            fields = c.Fields.Select(f => new { field = f.Field, from = f.From, to = f.To }),
        }),
        nextStarts = nextStarts is null ? null : NextStarts.ToJson(nextStarts),
    };

    private static string Value(string? value) => value is null ? "(none)" : Markup.Escape(value);
}
