using Orchestrator.Cli.Api;
using Orchestrator.Core.Windows;
using Orchestrator.Cli.Shell;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Cli.Config;

/// <summary>
/// Reads one or many YAML files (a directory means every *.yaml / *.yml below it, in name order). Each file holds one or
/// more documents (<c>---</c>); each document is a mapping with any of the lists <c>endpoints:</c>, <c>groups:</c>,
/// <c>windows:</c>. Fields are spelled as in the REST API.
/// </summary>
internal static class ConfigLoader
{
    public static readonly string[] TopLevel = ["endpoints", "groups", "windows", "webhooks"];
    public static readonly string[] WebhookFields = ["name", "url", "format", "events", "secretEnv", "enabled"];
    public static readonly string[] EndpointFields = ["hostname", "addresses", "os", "tags"];
    public static readonly string[] GroupFields = ["name", "description", "staticMembers", "cidrs", "tags"];

    public static readonly string[] WindowFields =
        ["name", "description", "cron", "at", "timeZone", "offsetDays", "duration", "cutoff", "blackoutDates", "notBefore", "notAfter",
         "groups", "ports", "scan", "peering", "enabled", "hooks", "deliveryOptimization"];

    public static readonly string[] PortFields = ["port", "protocol"];
    public static readonly string[] ScanFields = ["enabled", "maxConcurrency", "maxErrors"];
    public static readonly string[] HooksFields = ["preOpen", "postClose"];
    public static readonly string[] HookFields = ["url", "timeout"];

    public static readonly string[] DeliveryOptimizationFieldNames =
        ["maxForegroundBandwidthKBps", "maxBackgroundBandwidthKBps", "maxForegroundBandwidthPercent", "maxBackgroundBandwidthPercent",
         "minFileSizeToCacheMB", "minRamToPeerGB", "minDiskSizeToPeerGB", "minBatteryPercentToUpload", "restrictPeerSelectionBy"];

    /// <summary>Expands the paths to files; a path that does not exist is a usage error (exit 2), not a config error.</summary>
    public static IReadOnlyList<string> ExpandPaths(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                {
                    throw new UsageException($"-f {path}: the directory holds no *.yaml or *.yml file");
                }

                files.AddRange(found);
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new UsageException($"-f {path}: no such file or directory");
            }
        }

        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    public static SiteConfig Load(IReadOnlyList<string> files, List<ConfigDiagnostic> diagnostics)
    {
        var endpoints = new List<EndpointSpec>();
        var groups = new List<GroupSpec>();
        var windows = new List<WindowSpec>();
        var webhooks = new List<WebhookSpec>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var root in ReadDocuments(file, diagnostics))
            {
                if (root is not YamlMappingNode mapping)
                {
                    diagnostics.Add(new(SourceLocation.At(file, root.Start), "", $"expected a mapping with the lists {string.Join(", ", TopLevel.Select(t => t + ":"))}, found {YamlFields.Describe(root)}"));
                    continue;
                }

                var top = new YamlFields(file, mapping, "", TopLevel, diagnostics);
                declared.UnionWith(TopLevel.Where(t => mapping.Children.Any(c => c.Key is YamlScalarNode { Value: var k } && k == t)));
                endpoints.AddRange(Items(file, top, "endpoints", "endpoint", diagnostics).Select(i => ReadEndpoint(file, i, diagnostics)));
                groups.AddRange(Items(file, top, "groups", "group", diagnostics).Select(i => ReadGroup(file, i, diagnostics)));
                windows.AddRange(Items(file, top, "windows", "window", diagnostics).Select(i => ReadWindow(file, i, diagnostics)));
                webhooks.AddRange(Items(file, top, "webhooks", "webhook", diagnostics).Select(i => ReadWebhook(file, i, diagnostics)));
            }
        }

        return new SiteConfig(endpoints, groups, windows, declared.Contains("endpoints"), declared.Contains("groups"), declared.Contains("windows"), files,
            webhooks, declared.Contains("webhooks"));
    }

    private static List<YamlNode> ReadDocuments(string file, List<ConfigDiagnostic> diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(file);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            // YamlDotNet's messages start with "(Line: 3, Col: 5, Idx: …) - (…):"; the location is printed our way already.
            var message = e.InnerException is YamlException inner ? inner.Message : e.Message;
            var colon = message.IndexOf("): ", StringComparison.Ordinal);
            diagnostics.Add(new(SourceLocation.At(file, e.Start), "", "not valid YAML: " + (message.StartsWith('(') && colon > 0 ? message[(colon + 3)..] : message)));
            return [];
        }

        return stream.Documents.Select(d => d.RootNode).Where(n => !YamlFields.IsNull(n)).ToList();
    }

    private static IEnumerable<(YamlMappingNode Node, string Prefix)> Items(string file, YamlFields top, string list, string kind, List<ConfigDiagnostic> diagnostics)
    {
        if (top.Sequence(list, $"a list of {kind}s") is not { } sequence)
        {
            yield break;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlMappingNode item)
            {
                yield return (item, "");
            }
            else
            {
                diagnostics.Add(new(SourceLocation.At(file, sequence.Children[i].Start), $"{list}[{i}]", $"expected a {kind} (a mapping of fields), found {YamlFields.Describe(sequence.Children[i])}"));
            }
        }
    }

    private static EndpointSpec ReadEndpoint(string file, (YamlMappingNode Node, string Prefix) item, List<ConfigDiagnostic> diagnostics)
    {
        var f = new YamlFields(file, item.Node, item.Prefix, EndpointFields, diagnostics);
        var body = new EndpointBody(
            f.String("hostname") ?? "",
            f.StringList("addresses", "IP addresses") ?? [],
            f.String("os") ?? "",
            f.StringList("tags", "tags") ?? []);
        return new EndpointSpec(body, new SpecSource(file, item.Node, "endpoint"));
    }

    private static GroupSpec ReadGroup(string file, (YamlMappingNode Node, string Prefix) item, List<ConfigDiagnostic> diagnostics)
    {
        var f = new YamlFields(file, item.Node, item.Prefix, GroupFields, diagnostics);
        var body = new GroupBody(
            f.String("name") ?? "",
            f.String("description"),
            f.StringList("staticMembers", "host names") ?? [],
            f.StringList("cidrs", "CIDRs") ?? [],
            f.StringList("tags", "tags") ?? []);
        return new GroupSpec(body, new SpecSource(file, item.Node, "group"));
    }

    private static WindowSpec ReadWindow(string file, (YamlMappingNode Node, string Prefix) item, List<ConfigDiagnostic> diagnostics)
    {
        var f = new YamlFields(file, item.Node, item.Prefix, WindowFields, diagnostics);
        var body = new WindowBody(
            f.String("name"),
            f.String("description"),
            f.String("cron"),
            f.String("at"),
            f.String("timeZone"),
            f.Int("offsetDays", "a whole number of days from -6 to +6"),
            f.String("duration"),
            f.String("cutoff"),
            f.StringList("blackoutDates", "dates such as 2027-12-24"),
            f.Instant("notBefore"),
            f.Instant("notAfter"),
            f.StringList("groups", "group names"),
            ReadPorts(file, f, diagnostics),
            ReadScan(file, f, diagnostics),
            f.String("peering"),
            f.Bool("enabled"),
            ReadHooks(file, f, diagnostics),
            ReadDeliveryOptimization(file, f, diagnostics));
        return new WindowSpec(body, new SpecSource(file, item.Node, "window"));
    }

    private static WebhookSpec ReadWebhook(string file, (YamlMappingNode Node, string Prefix) item, List<ConfigDiagnostic> diagnostics)
    {
        var f = new YamlFields(file, item.Node, item.Prefix, WebhookFields, diagnostics);
        var body = new WebhookFile(
            f.String("name") ?? "", f.String("url") ?? "", f.String("format"), f.StringList("events", "event names") ?? [], f.String("secretEnv"), f.Bool("enabled"));
        return new WebhookSpec(body, new SpecSource(file, item.Node, "webhook"));
    }

    private static List<PortBody>? ReadPorts(string file, YamlFields window, List<ConfigDiagnostic> diagnostics)
    {
        if (window.Sequence("ports", "a list of {port, protocol}") is not { } sequence)
        {
            return null;
        }

        var ports = new List<PortBody>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is not YamlMappingNode node)
            {
                diagnostics.Add(new(SourceLocation.At(file, sequence.Children[i].Start), $"ports[{i}]", $"expected {{port: 7680, protocol: tcp}}, found {YamlFields.Describe(sequence.Children[i])}"));
                continue;
            }

            var f = new YamlFields(file, node, $"ports[{i}].", PortFields, diagnostics);
            ports.Add(new PortBody(f.Int("port", "a port number 1-65535"), f.String("protocol")));
        }

        return ports;
    }

    private static HooksBody? ReadHooks(string file, YamlFields window, List<ConfigDiagnostic> diagnostics)
    {
        if (window.Mapping("hooks", "{preOpen: {url, timeout}, postClose: {url, timeout}}") is not { } node)
        {
            return null;
        }

        var f = new YamlFields(file, node, "hooks.", HooksFields, diagnostics);
        HookBody? Read(string kind) =>
            f.Mapping(kind, "{url, timeout}") is { } hook && new YamlFields(file, hook, $"hooks.{kind}.", HookFields, diagnostics) is var h
                ? new HookBody(h.String("url"), h.String("timeout"))
                : null;
        return new HooksBody(Read("preOpen"), Read("postClose"));
    }

    private static DeliveryOptimizationFields? ReadDeliveryOptimization(string file, YamlFields window, List<ConfigDiagnostic> diagnostics)
    {
        if (window.Mapping("deliveryOptimization", "{maxForegroundBandwidthKBps, …, restrictPeerSelectionBy}") is not { } node)
        {
            return null;
        }

        var f = new YamlFields(file, node, "deliveryOptimization.", DeliveryOptimizationFieldNames, diagnostics);
        const string Number = "a whole number (see the documented range of the setting)";
        return new DeliveryOptimizationFields(
            f.Long("maxForegroundBandwidthKBps", Number),
            f.Long("maxBackgroundBandwidthKBps", Number),
            f.Long("maxForegroundBandwidthPercent", Number),
            f.Long("maxBackgroundBandwidthPercent", Number),
            f.Long("minFileSizeToCacheMB", Number),
            f.Long("minRamToPeerGB", Number),
            f.Long("minDiskSizeToPeerGB", Number),
            f.Long("minBatteryPercentToUpload", Number),
            f.String("restrictPeerSelectionBy"));
    }

    private static ScanBody? ReadScan(string file, YamlFields window, List<ConfigDiagnostic> diagnostics)
    {
        if (window.Mapping("scan", "{enabled, maxConcurrency, maxErrors}") is not { } node)
        {
            return null;
        }

        var f = new YamlFields(file, node, "scan.", ScanFields, diagnostics);
        return new ScanBody(f.Bool("enabled"), f.String("maxConcurrency"), f.Int("maxErrors", "a whole number ≥ 0 (0 stops at the first failed scan); omit it to never stop"));
    }
}
