using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;

namespace Orchestrator.Core.Tests.Windows;

/// <summary>A window's Delivery Optimization settings: read from their spelling, checked against the ranges of the
/// Policy CSP (DOMaxForegroundDownloadBandwidth 0-4294967295, percentages 0-100, sizes 1-100000), written back the same.</summary>
public sealed class DeliveryOptimizationTuningTests
{
    private static readonly WindowFields Valid = new()
    {
        Name = "w",
        Cron = "0 0 22 ? * TUE#2",
        TimeZone = "Europe/Berlin",
        Duration = "PT4H",
        Groups = ["g"],
    };

    [Fact]
    public void TheDocumentedBoundsAreAccepted()
    {
        var fields = new DeliveryOptimizationFields(
            MaxForegroundBandwidthKBps: 4_294_967_295, MaxBackgroundBandwidthKBps: 0, MinFileSizeToCacheMB: 1, MinRamToPeerGB: 100_000,
            MinDiskSizeToPeerGB: 1, MinBatteryPercentToUpload: 100, RestrictPeerSelectionBy: "Subnet");

        var errors = new List<FieldError>();
        var window = WindowSpelling.ReadWithDefaults(Valid with { DeliveryOptimization = fields }, errors);
        errors.AddRange(WindowValidator.Validate(window, TimeSpan.FromMinutes(5)));

        Assert.Empty(errors);
        Assert.Equal(PeerSelectionRestriction.Subnet, window.DeliveryOptimization!.RestrictPeerSelectionBy);
        Assert.Equal(fields with { RestrictPeerSelectionBy = "subnet" }, WindowSpelling.FormatDeliveryOptimization(window.DeliveryOptimization));
    }

    [Theory]
    [InlineData("maxForegroundBandwidthKBps", 4_294_967_296L)]
    [InlineData("maxBackgroundBandwidthKBps", -1L)]
    [InlineData("maxForegroundBandwidthPercent", 101L)]
    [InlineData("maxBackgroundBandwidthPercent", -1L)]
    [InlineData("minFileSizeToCacheMB", 0L)]
    [InlineData("minRamToPeerGB", 100_001L)]
    [InlineData("minDiskSizeToPeerGB", 0L)]
    [InlineData("minBatteryPercentToUpload", 101L)]
    public void AValueOutsideItsDocumentedRangeIsRefusedNamingTheField(string field, long value)
    {
        var fields = field switch
        {
            "maxForegroundBandwidthKBps" => new DeliveryOptimizationFields(MaxForegroundBandwidthKBps: value),
            "maxBackgroundBandwidthKBps" => new DeliveryOptimizationFields(MaxBackgroundBandwidthKBps: value),
            "maxForegroundBandwidthPercent" => new DeliveryOptimizationFields(MaxForegroundBandwidthPercent: value),
            "maxBackgroundBandwidthPercent" => new DeliveryOptimizationFields(MaxBackgroundBandwidthPercent: value),
            "minFileSizeToCacheMB" => new DeliveryOptimizationFields(MinFileSizeToCacheMB: value),
            "minRamToPeerGB" => new DeliveryOptimizationFields(MinRamToPeerGB: value),
            "minDiskSizeToPeerGB" => new DeliveryOptimizationFields(MinDiskSizeToPeerGB: value),
            _ => new DeliveryOptimizationFields(MinBatteryPercentToUpload: value),
        };

        var errors = Read(fields);

        var error = Assert.Single(errors);
        Assert.Equal("deliveryOptimization." + field, error.Field);
        Assert.Contains("accepted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BothCapsOfOneDirectionAreRefused()
    {
        var errors = Read(new DeliveryOptimizationFields(MaxBackgroundBandwidthKBps: 100, MaxBackgroundBandwidthPercent: 10));

        Assert.Equal("deliveryOptimization.maxBackgroundBandwidthPercent", Assert.Single(errors).Field);
    }

    [Fact]
    public void APeerSelectionOtherThanNoneOrSubnetIsRefused()
    {
        var errors = Read(new DeliveryOptimizationFields(RestrictPeerSelectionBy: "dns-sd"));

        var error = Assert.Single(errors);
        Assert.Equal("deliveryOptimization.restrictPeerSelectionBy", error.Field);
        Assert.Contains("none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptySettingsObjectIsNoSettings()
    {
        var errors = new List<FieldError>();

        var window = WindowSpelling.ReadWithDefaults(Valid with { DeliveryOptimization = new DeliveryOptimizationFields() }, errors);

        Assert.Empty(errors);
        Assert.Null(window.DeliveryOptimization);
    }

    private static List<FieldError> Read(DeliveryOptimizationFields fields)
    {
        var errors = new List<FieldError>();
        var window = WindowSpelling.ReadWithDefaults(Valid with { DeliveryOptimization = fields }, errors);
        errors.AddRange(WindowValidator.Validate(window, TimeSpan.FromMinutes(5)));
        return errors;
    }
}
