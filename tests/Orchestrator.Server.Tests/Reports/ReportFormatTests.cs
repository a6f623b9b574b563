using Orchestrator.Core.Reports;
using Orchestrator.Data.Reports;
using Orchestrator.Server.Reports;

namespace Orchestrator.Server.Tests.Reports;

public sealed class ReportFormatTests
{
    [Theory]
    [InlineData("pc-1", "pc-1")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\r\nlines", "\"two\r\nlines\"")]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("", "")]
    public void CsvCellsAreQuotedPerRfc4180AndNeverStartAFormula(string value, string expected) => Assert.Equal(expected, Csv.Cell(value));

    [Fact]
    public void MarkdownEscapesWhatWouldBreakATicketTable() =>
        Assert.Equal("pc\\|1 \\*x\\* \\[a\\]\\(b\\) \\<i\\> two lines", RunReportMarkdown.E("pc|1 *x* [a](b) <i> two\nlines"));

    [Fact]
    public void TheHtmlPageEncodesEveryValueFromAgentsAndOperators()
    {
        const string hostile = "<script>alert(1)</script>";
        var run = Facts.Run(
            members: [Facts.Member(1, hostile, close: MemberClose.ClosedByExpiryUnconfirmed, served: 5)],
            blocked: [new BlockedFacts("\"><img src=x onerror=alert(2)>", null, null, 1, hostile, 7680, 1)],
            audit: [new AuditFact(Facts.Start, "<b>ops</b>", "created", "{\"x\":\"</td><script>\"}")]) with { WindowName = "w<i>&\"" };
        var analysis = Facts.Analyse(run);
        var transfers = new TransferPage([new PeerTransfer(1, hostile, "198.18.0.2", null, "<svg onload=alert(3)>", 5)], 0, 50, 1);
        var report = RunReportBuilder.Assemble(analysis, transfers, [new JobLink("1", "Open window \"<x>\" · run 7", "Succeeded", "/hangfire/jobs/details/1")], new ReportSource("live", null));

        var html = RunReportHtml.Render(report, 1);
        var markdown = RunReportMarkdown.Render(report, "http://orchestrator");
        var csv = RunReportCsv.Endpoints(report);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg onload", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>ops", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>&", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("w&lt;i&gt;&amp;&quot;", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?<!\\)<script", markdown);
        Assert.Contains("\\<script\\>", markdown, StringComparison.Ordinal);
        Assert.Contains(",<script>alert(1)</script>,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void EndpointRowsArePagedAHundredAtATime()
    {
        var members = Enumerable.Range(1, 250).Select(i => Facts.Member(i, $"pc-{i:000}")).ToList();
        var analysis = Facts.Analyse(Facts.Run(members: members));
        var report = RunReportBuilder.Assemble(analysis, new TransferPage([], 0, 50, 0), [], new ReportSource("live", null));

        var third = RunReportHtml.Render(report, 3);
        var beyond = RunReportHtml.Render(report, 99);

        Assert.Contains("<td>pc-201</td>", third, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>pc-200</td>", third, StringComparison.Ordinal);
        Assert.Contains("page 3 of 3", third, StringComparison.Ordinal);
        Assert.Equal(third, beyond);
    }
}
