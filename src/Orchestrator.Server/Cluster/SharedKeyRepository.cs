using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Orchestrator.Data.Keys;

namespace Orchestrator.Server.Cluster;

/// <summary>
/// Data Protection's key repository over the database's shared key ring, for several nodes: a dashboard cookie signed
/// in on one node is accepted by the others, and a webhook secret one node encrypted is decrypted by whichever node
/// delivers the webhook. (One node keeps its keys in its data folder: <see cref="Hosting.PrivateKeyRepository"/>.)
/// </summary>
internal sealed class SharedKeyRepository(IKeyRingStore ring, TimeProvider time) : IXmlRepository
{
    /// <summary>The shared ring when the storage registered one (several nodes), else <paramref name="own"/> (one node).</summary>
    public static IXmlRepository Or(IServiceProvider services, Func<IXmlRepository> own) =>
        services.GetService<IKeyRingStore>() is { } ring ? new SharedKeyRepository(ring, services.GetRequiredService<TimeProvider>()) : own();

    public IReadOnlyCollection<XElement> GetAllElements() => ring.ListAll().Select(XElement.Parse).ToList();

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        // Data Protection names each key "key-<id>"; the id makes it unique across nodes.
        var name = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        ring.Add(name, element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow());
    }
}
