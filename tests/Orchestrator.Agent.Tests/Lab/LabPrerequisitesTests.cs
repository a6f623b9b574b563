namespace Orchestrator.Testing.Lab;

public sealed class LabPrerequisitesTests
{
    [Fact]
    public void Missing_root_or_nft_is_reported_with_the_reason()
    {
        var reason = LabPrerequisites.MissingReason(privileged: false, "/nonexistent/nft");

        Assert.Contains("not running as root", reason, StringComparison.Ordinal);
        Assert.Contains("nft not found at /nonexistent/nft", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_prerequisite_fails_under_CI_instead_of_skipping() =>
        Assert.Equal(LabVerdict.Fail, LabPrerequisites.Decide("nft missing", "true"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("false")]
    public void A_missing_prerequisite_skips_outside_CI(string? ci) =>
        Assert.Equal(LabVerdict.Skip, LabPrerequisites.Decide("nft missing", ci));

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void Lab_tests_run_when_nothing_is_missing(string? ci) =>
        Assert.Equal(LabVerdict.Run, LabPrerequisites.Decide(null, ci));
}
