namespace Orchestrator.Server.Hooks;

/// <summary>Kinds and verdicts of hook calls as stored and shown.</summary>
internal static class HookKinds
{
    public const string PreOpen = "preOpen";
    public const string PostClose = "postClose";

    /// <summary>Pre-open: 2xx with a JSON object whose "go" is true.</summary>
    public const string Go = "go";

    /// <summary>Pre-open: an answer that is not "go" (another status, "go": false, no JSON).</summary>
    public const string NoGo = "noGo";

    /// <summary>Post-close: a 2xx answer.</summary>
    public const string Ok = "ok";

    /// <summary>No answer: connection refused, timed out, or refused target.</summary>
    public const string Failed = "failed";

    /// <summary>The audit actor of a run refused by its pre-open hook.</summary>
    public const string Actor = "pre-open hook";
}
