using Orchestrator.EndToEnd.Tests.Api;
using Orchestrator.Testing.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>One server node of the lab: the host it runs in, where it listens, its process and its ops API (reached
/// with sockets made inside <see cref="Host"/>'s namespace).</summary>
public sealed class LabNode(string host, Uri url, OpsClient api)
{
    public string Host { get; } = host;

    public Uri Url { get; } = url;

    /// <summary>The URL as an agent's <c>--server-url</c> takes it.</summary>
    public string AgentUrl => Url.ToString().TrimEnd('/');

    public OpsClient Api { get; } = api;

    public LabProcess Process { get; internal set; } = null!;

    public override string ToString() => $"{Host} ({AgentUrl})";
}
