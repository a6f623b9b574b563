namespace Orchestrator.Server.Access;

/// <summary>Who the audit log names for the current request: the API key (<c>key:name</c>).</summary>
internal sealed class CurrentActor(IHttpContextAccessor accessor)
{
    public string Name => accessor.HttpContext?.User.Identity?.Name ?? "anonymous";
}
