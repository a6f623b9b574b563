using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>The features an agent names in <see cref="AgentProtocolV1.FeaturesQuery"/> of its state poll.</summary>
internal static class AgentFeatures
{
    /// <summary>True when the comma-separated <paramref name="features"/> name <paramref name="feature"/>; features the
    /// server does not know are ignored.</summary>
    /// <remarks>Read at every state poll, so the list is not split into strings.</remarks>
    public static bool Asked(string? features, string feature)
    {
        if (features is null)
        {
            return false;
        }

        var list = features.AsSpan();
        foreach (var item in list.Split(','))
        {
            if (list[item].Trim().SequenceEqual(feature))
            {
                return true;
            }
        }

        return false;
    }
}
