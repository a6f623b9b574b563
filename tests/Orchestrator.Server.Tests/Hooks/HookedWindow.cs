using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Hooks;

/// <summary>A yearly window of <see cref="Seed.Group"/> with a pre-open hook (and optionally a post-close hook).</summary>
internal static class HookedWindow
{
    public static async Task<long> CreateAsync(HttpClient client, string preOpen, string? postClose = null, string timeout = "PT3S")
    {
        var hooks = new JsonObject { ["preOpen"] = new JsonObject { ["url"] = preOpen, ["timeout"] = timeout } };
        if (postClose is not null)
        {
            hooks["postClose"] = new JsonObject { ["url"] = postClose };
        }

        var window = await client.CreateAsync("/api/v1/windows", new JsonObject
        {
            ["name"] = "hooked",
            ["cron"] = "0 0 3 1 1 ?",
            ["timeZone"] = "Etc/UTC",
            ["duration"] = "PT1H",
            ["groups"] = new JsonArray(Seed.Group),
            ["hooks"] = hooks,
        });
        return (long)window["id"]!;
    }
}
