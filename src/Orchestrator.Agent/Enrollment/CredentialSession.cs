using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Server;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Enrollment;

/// <summary>
/// The credential the loops use: loaded from disk, or obtained by enrolling once when the file is absent.
/// Shared by the poll and report loops, so enrollment is serialized.
/// </summary>
internal sealed class CredentialSession(
    IOptions<AgentOptions> options,
    CredentialStore store,
    AgentServerClient server,
    ILocalAddresses addresses,
    AgentPlatform platform,
    ILogger<CredentialSession> logger) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private AgentCredential? current;

    public async Task<AgentCredential> GetAsync(CancellationToken cancellationToken)
    {
        if (current is { } known)
        {
            return known;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            current ??= store.Load() ?? await EnrollAsync(cancellationToken);
            return current;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The server rejected the credential. The firewall is left alone: openings expire by themselves, so the
    /// endpoint ends up closed. With a token configured the next <see cref="GetAsync"/> enrolls again;
    /// without one the credential is kept and the loops back off (a revocation may be undone by ops).
    /// </summary>
    public void Rejected(AgentCredential rejected)
    {
        var hasToken = !string.IsNullOrWhiteSpace(options.Value.EnrollmentToken);
        logger.LogError(
            "Server rejected the credential of agent {AgentId}. Openings stay until they expire, then the port is closed. {Next}",
            rejected.AgentId,
            hasToken ? "Enrolling again with the configured token." : "No enrollment token configured: backing off; configure Agent:EnrollmentToken to enroll again.");
        if (hasToken && ReferenceEquals(Interlocked.CompareExchange(ref current, null, rejected), rejected))
        {
            store.Delete();
        }
    }

    public void Dispose() => gate.Dispose();

    private async Task<AgentCredential> EnrollAsync(CancellationToken cancellationToken)
    {
        var agent = options.Value;
        if (string.IsNullOrWhiteSpace(agent.EnrollmentToken))
        {
            throw new InvalidOperationException(
                $"No credential at {store.FilePath} and no enrollment token: set Agent:EnrollmentToken (--token) to enroll.");
        }

        var request = new EnrollRequestV1(
            agent.EnrollmentToken,
            string.IsNullOrWhiteSpace(agent.Hostname) ? Environment.MachineName : agent.Hostname,
            addresses.Reported(),
            platform.Os,
            agent.Tags,
            typeof(CredentialSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");
        var response = await server.EnrollAsync(request, cancellationToken);
        var credential = new AgentCredential(response.AgentId, response.EndpointId, response.Secret);
        store.Save(credential);
        logger.LogInformation("Enrolled as agent {AgentId} for endpoint {EndpointId}; credential stored in {Path}",
            credential.AgentId, credential.EndpointId, store.FilePath);
        return credential;
    }
}
