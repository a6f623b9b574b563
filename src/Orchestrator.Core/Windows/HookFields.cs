namespace Orchestrator.Core.Windows;

/// <summary><c>hooks</c> of a window as the API and config files spell it.</summary>
public sealed record HooksFields(HookFields? PreOpen, HookFields? PostClose);

/// <param name="Timeout">ISO-8601 (PT10S); absent: 10 seconds.</param>
public sealed record HookFields(string? Url, string? Timeout);
