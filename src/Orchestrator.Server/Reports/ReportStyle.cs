namespace Orchestrator.Server.Reports;

/// <summary>The reports' one stylesheet, inlined into every page so a saved page works offline.</summary>
internal static class ReportStyle
{
    public const string Css =
        """
        :root { color-scheme: light; --bad: #b3261e; --warn: #8a5a00; --info: #33557a; --ok: #1e6b35; --line: #d7dbe0; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 16px 24px 48px; max-width: 1200px; color: #1b1f24; background: #fff; }
        h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        a { color: #0b57d0; } .meta { color: #57606a; margin: 0 0 8px; } .meta a { margin-right: 10px; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; } th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
        th { background: #f3f5f7; font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } td.t { white-space: nowrap; }
        ul.anomalies { list-style: none; padding: 0; margin: 0; } ul.anomalies li { border-left: 4px solid var(--info); background: #f5f8fc; padding: 6px 10px; margin: 6px 0; }
        ul.anomalies li.critical { border-color: var(--bad); background: #fdf1f0; } ul.anomalies li.warning { border-color: var(--warn); background: #fdf8ec; }
        .sev { font-weight: 700; text-transform: uppercase; font-size: 11px; margin-right: 8px; } li.critical .sev { color: var(--bad); } li.warning .sev { color: var(--warn); } li.info .sev { color: var(--info); }
        .code { color: #57606a; font-family: ui-monospace, monospace; font-size: 11px; margin-left: 6px; } .examples { color: #57606a; font-size: 12px; margin-top: 2px; }
        .ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; fill: var(--bad); } .warnc { color: var(--warn); }
        dl.grid { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 4px 16px; margin: 0; } dl.grid dt { color: #57606a; } dl.grid dd { margin: 0; font-weight: 500; }
        .figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; } .figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 140px; }
        .figure b { display: block; font-size: 20px; } .figure span { color: #57606a; font-size: 12px; }
        svg.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; } svg .axis { stroke: #8c959f; } svg .tick { font-size: 11px; fill: #424a53; } svg .tick.bad { fill: var(--bad); font-weight: 700; }
        svg .open { fill: #4f7cc1; } svg .close { fill: #e0a23b; } svg .served { fill: #3f8f5f; }
        .pager { margin: 8px 0; } .pager a, .pager span { margin-right: 10px; } tr.problem td:first-child { border-left: 3px solid var(--warn); }
        .tag { display: inline-block; font-size: 11px; border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; margin: 1px 2px 1px 0; color: #57606a; }
        .badge { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; border-radius: 3px; padding: 0 6px; border: 1px solid var(--line); color: #57606a; }
        .badge.critical { background: var(--bad); border-color: var(--bad); color: #fff; } .badge.warning { background: #fdf8ec; border-color: var(--warn); color: var(--warn); }
        .badge.info { border-color: var(--info); color: var(--info); } .badge.ok { border-color: var(--ok); color: var(--ok); } tr.skipped td { color: #57606a; }
        @media print { a { color: inherit; text-decoration: none; } .pager { display: none; } }
        """;
}
