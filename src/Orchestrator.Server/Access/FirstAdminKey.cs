using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Orchestrator.Data.Access;
using Orchestrator.Server.Agents;

namespace Orchestrator.Server.Access;

/// <summary>
/// First start without <c>Orchestrator:BootstrapAdminKey</c>: once the server really listens, creates the admin key
/// 'bootstrap-admin' and prints it once. Printing it earlier let a start that then failed (port taken) show a key, store
/// it and crash; the next start printed nothing and the operator was locked out.
/// </summary>
internal sealed class FirstAdminKey(IHostApplicationLifetime lifetime, IApiKeyStore keys, TimeProvider time, IServer server, ILogger<FirstAdminKey> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        try
        {
            if (await keys.AnyAsync(stoppingToken))
            {
                return;
            }

            var key = ApiKeys.New();
            await keys.CreateAsync("bootstrap-admin", Secrets.Hash(key), Role.Admin, null, "bootstrap", time.GetUtcNow(), stoppingToken);
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            await Console.Out.WriteLineAsync(
                $"""

                 ============================================================================
                  First start: the server listens on {string.Join(", ", addresses)}.
                  Created the admin API key 'bootstrap-admin'. It is shown once.
                  {key}
                  Use it as 'Authorization: Bearer <key>', create personal keys with
                  POST /api/v1/keys, then revoke this one. Lost it? On this host run
                  'Orchestrator.Server admin-key issue' (see docs/security.md).
                 ============================================================================

                 """);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The server keeps serving; the operator recovers with the host command the message names.
            log.LogError(e, "Could not create the first admin key; run 'Orchestrator.Server admin-key issue' on this host to create one");
        }
    }
}
