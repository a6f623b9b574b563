using System.Globalization;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>Every name the agent gives to things in Windows Firewall and Task Scheduler. The agent touches only
/// what carries these names, plus the built-in Delivery Optimization rules it switches off.</summary>
internal static class FirewallNames
{
    /// <summary>Rule group (the non-localized <c>Group</c> property) of every rule the agent creates.</summary>
    public const string Group = "Orchestrator";

    /// <summary>Task Scheduler folder of the scheduled removals.</summary>
    public const string TaskPath = @"\Orchestrator\";

    /// <summary>Names (not display names, which are localized) of the inbound rules Windows ships for Delivery
    /// Optimization; they allow 7680 from the local subnet or anyone, so the agent keeps them disabled.</summary>
    public static IReadOnlyList<string> BuiltInDeliveryOptimizationRules { get; } = ["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In"];

    /// <summary>The block rule that refuses <paramref name="port"/> to everyone except the currently allowed peers.</summary>
    public static string Guard(int port) => string.Create(CultureInfo.InvariantCulture, $"Orchestrator-Guard-Tcp{port}");

    public static string RunRule(long runId, int port) => string.Create(CultureInfo.InvariantCulture, $"Orchestrator-Run-{runId}-Tcp{port}");

    /// <summary>Matches every run rule of <paramref name="port"/> (PowerShell <c>-like</c> / <c>-Name</c> wildcard).</summary>
    public static string RunRulePattern(int port) => string.Create(CultureInfo.InvariantCulture, $"Orchestrator-Run-*-Tcp{port}");

    public const string RunRulePrefix = "Orchestrator-Run-";

    /// <summary>Part <paramref name="index"/> (from 0) of a rule split by <see cref="RemoteAddressChunks"/>: the first part
    /// keeps the rule's own name, so the close task's and the guard's checks of "any run rule left" still see every run.</summary>
    public static string Part(string rule, int index) =>
        index == 0 ? rule : string.Create(CultureInfo.InvariantCulture, $"{rule}-Part{index + 1}");

    /// <summary>Matches every part after the first of <paramref name="rule"/>.</summary>
    public static string PartPattern(string rule) => rule + "-Part*";

    public static string CloseTask(long runId, int port) => string.Create(CultureInfo.InvariantCulture, $"Close-Run-{runId}-Tcp{port}");
}
