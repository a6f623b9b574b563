using Orchestrator.Core.Notifications;

namespace Orchestrator.Core.Windows;

/// <summary>Reads and checks a window's <c>hooks</c>; the server and the CLI's offline validate share it.</summary>
public static class HookSpelling
{
    public static WindowHooks? Read(HooksFields? fields, List<FieldError> errors)
    {
        if (fields is null || (fields.PreOpen is null && fields.PostClose is null))
        {
            return null;
        }

        return new WindowHooks
        {
            PreOpen = Read(fields.PreOpen, "hooks.preOpen", errors),
            PostClose = Read(fields.PostClose, "hooks.postClose", errors),
        };
    }

    public static HooksFields? Spell(WindowHooks? hooks) =>
        hooks is null ? null : new HooksFields(Spell(hooks.PreOpen), Spell(hooks.PostClose));

    private static HookFields? Spell(HookTarget? target) =>
        target is null ? null : new HookFields(target.Url, IsoDurations.Format(target.Timeout));

    private static HookTarget? Read(HookFields? fields, string field, List<FieldError> errors)
    {
        if (fields is null)
        {
            return null;
        }

        TargetUrls.Validate(fields.Url, $"{field}.url", errors);
        var timeout = HookTarget.DefaultTimeout;
        if (fields.Timeout is not null)
        {
            if (!IsoDurations.TryParse(fields.Timeout, out timeout) || timeout < TimeSpan.FromSeconds(1) || timeout > HookTarget.MaxTimeout)
            {
                errors.Add(new($"{field}.timeout", $"'{fields.Timeout}' is not accepted; an ISO-8601 duration from PT1S to PT2M (default PT10S)"));
                timeout = HookTarget.DefaultTimeout;
            }
        }

        return new HookTarget(fields.Url ?? "", timeout);
    }
}
