namespace Orchestrator.Protocol;

/// <summary><see cref="DeliveryOptimizationV1.Mode"/>: the Delivery Optimization download mode an endpoint uses.</summary>
public static class PeeringModeV1
{
    /// <summary>Outside windows: no peering (mode 0).</summary>
    public const string HttpOnly = "HttpOnly";

    /// <summary>Inside a window: peers on the same network (mode 1).</summary>
    public const string Lan = "Lan";

    /// <summary>Inside a window: peers of the same <see cref="DeliveryOptimizationV1.GroupId"/> (mode 2).</summary>
    public const string Group = "Group";

    public static readonly IReadOnlyList<string> All = [HttpOnly, Lan, Group];
}

/// <summary><see cref="DeliveryOptimizationSettingsV1.RestrictPeerSelectionBy"/> (DORestrictPeerSelectionBy 0 and 1).</summary>
public static class PeerSelectionV1
{
    /// <summary>No restriction beyond the download mode (0): a group that spans subnets peers across them.</summary>
    public const string None = "None";

    /// <summary>Peers on the same subnet only (1).</summary>
    public const string Subnet = "Subnet";

    public static readonly IReadOnlyList<string> All = [None, Subnet];
}

/// <summary><see cref="ScanOutcomeV1.Outcome"/>.</summary>
public static class ScanOutcomeNameV1
{
    public const string Succeeded = "Succeeded";

    public const string Failed = "Failed";

    public const string TimedOut = "TimedOut";

    public static readonly IReadOnlyList<string> All = [Succeeded, Failed, TimedOut];
}

/// <summary><see cref="OpeningV1.Transport"/>. v1 opens TCP only; an agent refuses any other value.</summary>
public static class TransportV1
{
    public const string Tcp = "tcp";
}
