using System.Net;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

/// <summary>Error answers name the field and what is accepted, never the server's .NET types (they tell an attacker
/// the stack and a user nothing).</summary>
public sealed class ErrorBodyTests
{
    public static TheoryData<string, string, string?> Requests => new()
    {
        { "POST", "/api/v1/groups", """{"name":5,"tags":["t"]}""" },
        { "POST", "/api/v1/groups", """{"name":"g","tags":"t"}""" },
        { "POST", "/api/v1/keys", """{"name":"k","role":"viewer","expiresIn":7}""" },
        { "GET", "/api/v1/audit?from=yesterday", null },
        { "GET", "/api/v1/audit?limit=many", null },
        { "GET", "/api/v1/runs?limit=1e99", null },
        { "PATCH", "/api/v1/keys/1", """{"role":["admin"]}""" },
        { "POST", "/api/v1/groups", """{"name":"g","tags":["t"],"cidrs":{"a":1}}""" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task AnErrorBodyNamesNoDotNetType(string method, string path, string? json)
    {
        await using var factory = new OrchestratorFactory();
        using var admin = factory.CreateClient();

        var (status, body) = await admin.SendAsync(new HttpMethod(method), path, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var text = body!.ToJsonString();
        foreach (var leak in new[] { "System.", "Int32", "Int64", "String", "DateTimeOffset", "Nullable", "Orchestrator.", "List`", "[]\\u0060" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }
    }
}
