using Orchestrator.Cli.Api;
using Orchestrator.Cli.Shell;

namespace Orchestrator.Cli.Commands;

/// <summary>People name windows; the API wants ids. A name matches case-insensitively, as the server keeps names unique
/// that way; a number is taken as an id.</summary>
internal static class Lookup
{
    public static async Task<WindowDto> WindowAsync(OrchestratorClient client, string nameOrId, CancellationToken ct)
    {
        var windows = await client.ListWindowsAsync(ct);
        var found = windows.FirstOrDefault(w => string.Equals(w.Name, nameOrId, StringComparison.OrdinalIgnoreCase))
            ?? (long.TryParse(nameOrId, out var id) ? windows.FirstOrDefault(w => w.Id == id) : null);
        if (found is null)
        {
            var known = windows.Count == 0 ? "the server has no windows" : "known: " + string.Join(", ", windows.Select(w => $"'{w.Name}'").Take(20));
            throw new CliException(ExitCodes.ServerError, $"no window is named '{nameOrId}'; {known}");
        }

        return found;
    }
}
