using System.Globalization;
using System.Text;
using static Orchestrator.Server.Reports.ReportText;

namespace Orchestrator.Server.Notifications;

/// <summary>The run report page's section on hooks and webhook deliveries.</summary>
internal static class RunNotificationsHtml
{
    public static void Render(StringBuilder html, RunNotifications? section)
    {
        ArgumentNullException.ThrowIfNull(html);
        var hooks = section?.Hooks ?? [];
        var deliveries = section?.Deliveries ?? [];
        html.Append(CultureInfo.InvariantCulture, $"""<section id="notifications"><h2>Hooks and notifications ({hooks.Count} hook calls, {deliveries.Count} delivery attempts)</h2>""");
        if (hooks.Count > 0)
        {
            html.Append("""<table id="hook-calls"><thead><tr><th>Time (UTC)</th><th>Hook</th><th>Verdict</th><th>Status</th><th>Latency</th><th>URL</th><th>Answer</th></tr></thead><tbody>""");
            foreach (var c in hooks)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"""<tr><td class="t">{H(Time(c.At))}</td><td>{H(c.Kind)}</td><td>{H(c.Verdict)}</td><td>{c.StatusCode}</td><td>{c.LatencyMs} ms</td><td>{H(c.Url)}</td><td>{H(c.Answer ?? "")}</td></tr>""");
            }

            html.Append("</tbody></table>");
        }

        if (deliveries.Count > 0)
        {
            html.Append("""<table id="deliveries"><thead><tr><th>Time (UTC)</th><th>Webhook</th><th>Event</th><th>Attempt</th><th>Result</th><th>Status</th><th>Latency</th><th>Error</th></tr></thead><tbody>""");
            foreach (var d in deliveries)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"""<tr><td class="t">{H(Time(d.At))}</td><td>{H(d.Webhook)}</td><td>{H(d.Event)}</td><td>{d.Attempt}</td><td>{(d.Succeeded ? "delivered" : "failed")}</td><td>{d.StatusCode}</td><td>{d.LatencyMs} ms</td><td>{H(d.Error ?? "")}</td></tr>""");
            }

            html.Append("</tbody></table>");
        }

        if (hooks.Count == 0 && deliveries.Count == 0)
        {
            html.Append("""<p class="meta">No hook was called and no webhook delivery was made for this run.</p>""");
        }

        html.Append("</section>");
    }
}
