using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>The features an agent names in <see cref="AgentProtocolV1.FeaturesQuery"/> of its state poll.</summary>
internal static class AgentFeatures
{
    /// <summary>True when the comma-separated <paramref name="features"/> name <paramref name="feature"/>; features the
    /// server does not know are ignored.</summary>
    public static bool Asked(string? features, string feature) =>
        features is not null && features.Split(',', StringSplitOptions.TrimEntries).Contains(feature, StringComparer.Ordinal);
}
