using Orchestrator.Cli.Api;
using Orchestrator.Cli.Reports;

namespace Orchestrator.Cli.Tests.Reports;

/// <summary>Issue 12 (points 4 and 7): the CLI's report survives counters at long.MaxValue, and its CSV never hands a
/// spreadsheet a formula.</summary>
public sealed class CsvReportTests
{
    private static readonly RunDto Run = new(
        7, 1, "w", "k", "AdHoc", "Open", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), DateTimeOffset.UnixEpoch, null, null, null, ["g"]);

    [Fact]
    public void CountersAtLongMaxValueSaturateInsteadOfThrowing()
    {
        var traffic = new RunTrafficDto(
            [new(1, "a", "198.18.0.1", 2, "b", "198.18.0.2", long.MaxValue), new(2, "b", "198.18.0.2", 1, "a", "198.18.0.1", long.MaxValue)],
            [new("198.18.0.9", null, null, 1, "a", 7680, long.MaxValue), new("198.18.0.8", null, null, 1, "a", 7680, long.MaxValue)]);

        var report = RunReport.From(new RunDetailDto(Run, []), traffic);

        Assert.Equal(long.MaxValue, report.Summary.BytesTransferred);
        Assert.Equal(long.MaxValue, report.Summary.BlockedAttempts);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")")]
    [InlineData("+1")]
    [InlineData("@SUM(A1)")]
    [InlineData("-cmd")]
    public void ACellThatAFormulaCouldStartWithIsReadAsText(string hostname)
    {
        var traffic = new RunTrafficDto([], [new("198.18.0.9", 3, hostname, 1, "a", 7680, 1)]);

        var csv = CsvReport.Render(RunReport.From(new RunDetailDto(Run, []), traffic));

        Assert.DoesNotContain("," + hostname, csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",\"" + hostname, csv, StringComparison.Ordinal);
        Assert.Contains("'" + hostname[0], csv, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeNumbersStayNumbers()
    {
        var traffic = new RunTrafficDto([], [new("198.18.0.9", null, null, 1, "a", 7680, -5)]);

        Assert.Contains(",-5\r\n", CsvReport.Render(RunReport.From(new RunDetailDto(Run, []), traffic)), StringComparison.Ordinal);
    }
}
