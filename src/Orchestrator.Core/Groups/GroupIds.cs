using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Core.Groups;

public static class GroupIds
{
    /// <summary>
    /// The Delivery Optimization group id (DOGroupId) of a group: the same GUID for the same group name on every
    /// endpoint and every server, so peers of one group find each other without any shared state.
    /// </summary>
    public static Guid DeliveryOptimizationGroup(string groupName)
    {
        ArgumentNullException.ThrowIfNull(groupName);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("orchestrator-group:" + groupName.ToUpperInvariant()));
        return new Guid(hash.AsSpan(0, 16));
    }
}
