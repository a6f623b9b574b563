using Spectre.Console;

namespace Orchestrator.Cli.Output;

/// <summary>Tables that wrap their cells to the console width instead of overflowing it.</summary>
internal static class Tables
{
    public static Table Create(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Markup($"[bold]{Markup.Escape(header)}[/]")));
        }

        return table;
    }

    /// <summary>Adds a row of plain text (never markup: hostnames and names come from users).</summary>
    public static void Row(this Table table, params string[] cells) =>
        table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());

    /// <summary>Adds a row whose cells are already markup (escaped by the caller).</summary>
    public static void MarkupRow(this Table table, params string[] cells) =>
        table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Markup(c)).ToArray());

    public static string State(string state) => state switch
    {
        "Open" => "[green]Open[/]",
        "Opening" or "Cutoff" or "Closing" => $"[yellow]{state}[/]",
        "Closed" => "Closed",
        "Cancelled" or "Missed" or "Skipped" => $"[grey]{state}[/]",
        _ => Markup.Escape(state),
    };
}
