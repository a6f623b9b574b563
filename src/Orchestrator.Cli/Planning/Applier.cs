using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Cli.Api;
using Orchestrator.Cli.Config;
using Orchestrator.Cli.Shell;

namespace Orchestrator.Cli.Planning;

/// <summary>
/// Carries out a plan in dependency order: endpoints, groups, windows are created/updated; then windows, groups,
/// endpoints are deleted. Stops at the first refusal: what was done stays done, and running apply again continues
/// from there (the plan is recomputed from the server each time).
/// </summary>
internal static partial class Applier
{
    /// <summary>Endpoints go in batches through /endpoints/import (all or nothing per batch).</summary>
    public const int EndpointBatch = 500;

    /// <param name="closeRuns">Close the open runs of a window being deleted; without it the server refuses (409)
    /// to delete a window with open runs, and apply stops there with the server's explanation.</param>
    /// <param name="done">Called after each step with the changes it completed.</param>
    public static async Task ApplyAsync(Plan plan, OrchestratorClient client, bool closeRuns, Action<IReadOnlyList<Change>> done, CancellationToken ct)
    {
        var creates = plan.Changes.Where(c => c.Action is ChangeAction.Create or ChangeAction.Update).ToList();
        foreach (var batch in creates.Where(c => c.Kind == "endpoint").Chunk(EndpointBatch))
        {
            await Step(batch, () => client.ImportEndpointsAsync(batch.Select(c => (EndpointBody)c.Body!).ToList(), ct));
            done(batch);
        }

        foreach (var change in creates.Where(c => c.Kind == "group"))
        {
            var body = (GroupBody)change.Body!;
            await Step([change], () => change.Id is { } id ? client.UpdateGroupAsync(id, body, ct) : client.CreateGroupAsync(body, ct));
            done([change]);
        }

        foreach (var change in creates.Where(c => c.Kind == "window"))
        {
            var body = (WindowBody)change.Body!;
            await Step([change], () => change.Id is { } id ? client.UpdateWindowAsync(id, body, ct) : client.CreateWindowAsync(body, ct));
            done([change]);
        }

        foreach (var change in creates.Where(c => c.Kind == "webhook"))
        {
            var body = (WebhookBody)change.Body!;
            await Step([change], () => change.Id is { } id ? client.UpdateWebhookAsync(id, body, ct) : client.CreateWebhookAsync(body, ct));
            done([change]);
        }

        foreach (var kind in new[] { "webhook", "window", "group", "endpoint" })
        {
            foreach (var change in plan.Changes.Where(c => c.Action == ChangeAction.Delete && c.Kind == kind))
            {
                var id = change.Id!.Value;
                await Step([change], () => kind switch
                {
                    "webhook" => client.DeleteWebhookAsync(id, ct),
                    "window" => client.DeleteWindowAsync(id, closeRuns, ct),
                    "group" => client.DeleteGroupAsync(id, ct),
                    _ => client.DeleteEndpointAsync(id, ct),
                });
                done([change]);
            }
        }
    }

    private static async Task Step(IReadOnlyList<Change> changes, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (ApiException e)
        {
            throw new CliException(ExitCodes.ServerError, Describe(changes, e), e);
        }
    }

    /// <summary>The refusal, with the server's field errors pointed back at the lines they came from.</summary>
    private static string Describe(IReadOnlyList<Change> changes, ApiException e)
    {
        var first = changes[0];
        var text = new StringBuilder();
        text.Append(changes.Count == 1
            ? $"{Verb(first.Action)} {first.Kind} '{first.Name}' failed"
            : $"importing {changes.Count} endpoints ('{first.Name}'…) failed; none of this batch was stored");
        text.Append(": ").Append(e.Message.Split('\n')[0]);
        foreach (var (field, messages) in e.Problem?.Errors ?? [])
        {
            var (source, local) = Attribute(changes, field);
            foreach (var message in messages)
            {
                text.Append("\n  ").Append(source is null ? "" : $"{source.Locate(local)}: ").Append(field).Append(": ").Append(message);
            }
        }

        if (e.Problem?.Detail is { } detail)
        {
            text.Append("\n  ").Append(detail);
        }

        return text.ToString();
    }

    /// <summary>"[3].hostname" in an import names the fourth endpoint of the batch.</summary>
    private static (SpecSource? Source, string Field) Attribute(IReadOnlyList<Change> changes, string field)
    {
        var match = ImportIndex().Match(field);
        if (match.Success && int.TryParse(match.Groups[1].Value, out var index) && index < changes.Count)
        {
            return (changes[index].Source, field[match.Length..].TrimStart('.'));
        }

        return (changes[0].Source, field);
    }

    private static string Verb(ChangeAction action) => action switch
    {
        ChangeAction.Create => "creating",
        ChangeAction.Update => "updating",
        _ => "deleting",
    };

    [GeneratedRegex(@"^\[(\d+)\]")]
    private static partial Regex ImportIndex();
}
