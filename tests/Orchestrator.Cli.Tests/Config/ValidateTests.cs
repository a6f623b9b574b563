using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Config;

/// <summary>validate works offline: no server is running for these tests.</summary>
public sealed class ValidateTests : IDisposable
{
    private readonly SiteFiles _files = new();
    private readonly CliRun _cli = new(new Uri("http://127.0.0.1:9"));

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task The_example_site_file_is_valid()
    {
        var result = await _cli.RunAsync("validate", "-f", SiteFiles.Example);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("valid: 4 endpoint(s), 3 group(s), 4 window(s) in 1 file(s)", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    /// <summary>Malformed YAML and invalid fields: each names file:line:column, the field, and what is accepted.</summary>
    public static TheoryData<string, string, string, string> BadFiles => new()
    {
        { "windows:\n  - name: x\n   cron: y\n", "3:4", "", "not valid YAML" },
        { "windows:\n  - name: w\n    durration: PT4H\n", "3:5", "durration", "did you mean 'duration'?" },
        { "window:\n  - name: w\n", "1:1", "window", "did you mean 'windows'?" },
        { Window("offsetDays: abc"), "8:17", "offsetDays", "'abc' is not accepted; a whole number of days from -6 to +6" },
        { Window("offsetDays: 9"), "8:17", "offsetDays", "+9 is out of range; accepted -6 to +6 days" },
        { Window("enabled: yes"), "8:14", "enabled", "'yes' is not accepted; true or false" },
        { Window("cutoff: 30m"), "8:13", "cutoff", "'30m' is not an ISO-8601 duration such as PT4H or PT90M" },
        { Window("notBefore: 2027-01-01T00:00:00"), "8:16", "notBefore", "a date-time with offset such as 2027-01-01T00:00:00+01:00" },
        { Window("blackoutDates: [2027-12-24, 24.12.2027]"), "8:33", "blackoutDates[1]", "'24.12.2027' is not a date such as 2027-12-24" },
        { Window("ports: [{port: 7680}, {port: 7680, protocol: icmp}]"), "8:50", "ports[1].protocol", "'icmp' is not accepted; use tcp" },
        { Window("ports: [{port: 99999}]"), "8:20", "ports[0].port", "99999 is out of range; accepted 1-65535" },
        { Window("ports: 7680"), "8:12", "ports", "expected a list of {port, protocol}, found '7680'" },
        { Window("scan: {maxConcurrency: 0%}"), "8:28", "scan.maxConcurrency", "'0%' is not accepted; use a whole number ≥ 1" },
        { Window("peering: internet"), "8:14", "peering", "'internet' is not accepted; use group (Delivery Optimization mode 2) or lan (mode 1)" },
        { Window("deliveryOptimization: {minRamToPeerGB: 0}"), "8:44", "deliveryOptimization.minRamToPeerGB", "0 is out of range; accepted 1-100000 (GB)" },
        { Window("deliveryOptimization: {restrictPeerSelectionBy: dns-sd}"), "8:53", "deliveryOptimization.restrictPeerSelectionBy", "'dns-sd' is not accepted; use none" },
        { Window("deliveryOptimization: {minBatteryPercentToUpload: many}"), "8:55", "deliveryOptimization.minBatteryPercentToUpload", "'many' is not accepted" },
        { Window("at: 2027-05-01T22:00:00"), "5:11", "cron", "set exactly one of cron (recurring) or at (one-off); both are set" },
        { Window("", cron: "0 0 25 ? * MON"), "5:11", "cron", "hour" },
        { Window("", cron: "* * * * * ?", duration: "PT24H"), "5:11", "cron", "consecutive starts are as little as PT1S apart" },
        { Window("", cron: "0 0 22 * * ?", duration: "PT24H"), "5:11", "cron", "as little as PT23H apart" },
        { Window("", cron: "0 0 22 1 FEB/4 ?"), "5:11", "cron", "month: 'FEB/4' has a step after a name" },
        { Window("", zone: "Europe/Berln"), "6:15", "timeZone", "unknown time zone 'Europe/Berln'" },
        { Window("", duration: "PT1M"), "7:15", "duration", "PT1M is out of range; accepted PT5M to PT24H" },
        { Window("", groups: "office"), "4:13", "groups", "expected a list of group names, found 'office'" },
        { "groups:\n  - name: everyone\n    cidrs: [0.0.0.0/0]\n", "3:13", "cidrs[0]", "'0.0.0.0/0' is wider than /8" },
        { "groups:\n  - name: nobody\n    description: no rule\n", "2:5", "staticMembers", "a group needs at least one rule: staticMembers, cidrs or tags" },
        { "groups:\n  - name: -bad\n    tags: [a]\n", "2:11", "name", "starting with a letter or digit" },
        { "endpoints:\n  - hostname: ws1\n    addresses: [198.18.0.1, 300.1.1.1]\n", "3:29", "addresses[1]", "300.1.1.1" },
        { "endpoints:\n  - hostname: ws1\n    addresses: [198.18.0.1, 'fe80::1%eth0']\n", "3:29", "addresses[1]", "is a scoped address (zone id)" },
        { "endpoints:\n  - hostname: ws1\n    addresses: [198.18.0.1, 169.254.1.1]\n", "3:29", "addresses[1]", "is a link-local address" },
        { "endpoints:\n  - hostname: ws1\n    addresses: [198.18.0.1, '::ffff:198.18.0.2']\n", "3:29", "addresses[1]", "send the IPv4 form 198.18.0.2" },
        { "endpoints:\n  - hostname: ws1\n", "2:5", "addresses", "at least one IPv4 or IPv6 address is required" },
        { "endpoints:\n  - hostname: ws1\n    addresses: [198.18.0.1]\n  - hostname: WS1\n    addresses: [198.18.0.2]\n", "4:15", "hostname", "'WS1' is already declared at" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_file_exits_1_and_points_at_file_line_column_and_field(string yaml, string lineColumn, string field, string message)
    {
        var path = _files.Write("bad.yaml", yaml);

        var result = await _cli.RunAsync("validate", "-f", path);

        Assert.True(result.ExitCode == ExitCodes.Invalid, result.ToString());
        var expected = field.Length == 0 ? $"{path}:{lineColumn}: error: " : $"{path}:{lineColumn}: error: {field}: ";
        var line = result.Stderr.Split('\n').FirstOrDefault(l => l.StartsWith(expected, StringComparison.Ordinal));
        Assert.True(line is not null, $"expected a line starting with '{expected}'\n{result}");
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Contains("invalid:", result.Stdout);
    }

    [Fact]
    public async Task A_window_naming_a_group_the_files_lack_is_a_warning_offline_not_an_error()
    {
        var path = _files.Write("w.yaml", Window(""));

        var result = await _cli.RunAsync("validate", "-f", path);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains($"{path}:4:14: warning: groups[0]: no group named 'office' in these files", result.Stderr);
    }

    [Fact]
    public async Task All_files_of_a_directory_are_read_and_duplicates_across_files_are_found()
    {
        _files.Write("a-groups.yaml", "groups:\n  - name: office\n    tags: [site:a]\n");
        _files.Write("b/windows.yml", Window("") + "---\ngroups:\n  - name: Office\n    tags: [x]\n");

        var result = await _cli.RunAsync("validate", "-f", _files.Directory);

        Assert.True(result.ExitCode == ExitCodes.Invalid, result.ToString());
        Assert.Contains($"windows.yml:11:11: error: name: 'Office' is already declared at {Path.Combine(_files.Directory, "a-groups.yaml")}:2:5", result.Stderr);
    }

    [Fact]
    public async Task Json_output_lists_each_diagnostic_with_its_position()
    {
        var path = _files.Write("bad.yaml", Window("offsetDays: abc"));

        var result = await _cli.RunAsync("validate", "-f", path, "--output", "json");

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        var json = result.Json();
        Assert.False(json["valid"]!.GetValue<bool>());
        var diagnostic = json["diagnostics"]!.AsArray().Single(d => d!["severity"]!.GetValue<string>() == "error")!;
        Assert.Equal(path, diagnostic["file"]!.GetValue<string>());
        Assert.Equal(8, diagnostic["line"]!.GetValue<int>());
        Assert.Equal(17, diagnostic["column"]!.GetValue<int>());
        Assert.Equal("offsetDays", diagnostic["field"]!.GetValue<string>());
    }

    /// <summary>Quartz counts days of the week from 1 = Sunday, Linux cron from 0 = Sunday: "2" written from crontab
    /// habit opens the window on Monday, not Tuesday. Valid, so a warning that says which day the number means.</summary>
    [Theory]
    [InlineData("0 0 22 ? * 2", "in Quartz 2 = Monday (1 = Sunday … 7 = Saturday), while Linux cron would read 2 = Tuesday; write MON to say which day is meant")]
    [InlineData("0 0 22 ? * 3#2", "in Quartz 3 = Tuesday (1 = Sunday … 7 = Saturday), while Linux cron would read 3 = Wednesday; write TUE to say which day is meant")]
    [InlineData("0 0 22 ? * 2-6", "in Quartz 2 = Monday, 6 = Friday (1 = Sunday … 7 = Saturday), while Linux cron would read 2 = Tuesday, 6 = Saturday; write MON, FRI")]
    [InlineData("0 0 22 ? * 1,7", "in Quartz 1 = Sunday, 7 = Saturday")]
    public async Task A_numeric_day_of_week_is_a_warning_that_names_the_quartz_day(string cron, string message)
    {
        var path = _files.Write("w.yaml", Window("", cron: cron) + Office);

        var text = await _cli.RunAsync("validate", "-f", path);
        var json = await _cli.RunAsync("validate", "-f", path, "-o", "json");

        Assert.True(text.ExitCode == ExitCodes.Ok, text.ToString());
        Assert.Contains($"{path}:5:11: warning: cron: day-of-week is a number: {message}", text.Stderr);
        var warning = json.Json()["diagnostics"]!.AsArray().Single()!;
        Assert.Equal("warning", warning["severity"]!.GetValue<string>());
        Assert.Equal("cron", warning["field"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("0 0 22 ? * TUE#2")]
    [InlineData("0 0 22 ? * MON-FRI")]
    [InlineData("0 0 22 1/2 * ?")]
    [InlineData("0 0 22 ? * SUN,WED")]
    public async Task Day_names_are_not_warned_about(string cron)
    {
        var path = _files.Write("w.yaml", Window("", cron: cron) + Office);

        var result = await _cli.RunAsync("validate", "-f", path);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("", result.Stderr);
    }

    /// <summary>2027-12-24 is a Friday; the second Tuesday of December 2027 is the 14th. A blackout date on which the
    /// window never starts skips nothing, which is what a person who wrote it did not mean.</summary>
    [Fact]
    public async Task A_blackout_date_that_matches_no_start_is_a_warning()
    {
        var path = _files.Write("w.yaml", Window("blackoutDates: [2027-12-14, 2027-12-24]") + Office);

        var result = await _cli.RunAsync("validate", "-f", path);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains($"{path}:8:33: warning: blackoutDates[1]: 2027-12-24 (Friday) matches no start of this window in Europe/Berlin, so it skips nothing", result.Stderr);
        Assert.DoesNotContain("blackoutDates[0]", result.Stderr);
    }

    /// <summary>The blackout date is the local date of the start after offsetDays: 2 days before the second Tuesday.</summary>
    [Fact]
    public async Task A_blackout_date_on_a_start_moved_by_offset_days_is_not_warned_about()
    {
        var path = _files.Write("w.yaml", Window("offsetDays: -2\n    blackoutDates: [2027-12-12]") + Office);

        var result = await _cli.RunAsync("validate", "-f", path);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData("validate", "-f", "/nonexistent/site.yaml")]
    [InlineData("validate")]
    [InlineData("validate", "-f", "x.yaml", "--output", "xml")]
    [InlineData("plan", "-f", "x.yaml", "--api-key", "secret")]
    [InlineData("frobnicate")]
    public async Task A_wrong_command_line_exits_2(params string[] args)
    {
        var result = await _cli.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("error:", result.Stderr);
    }

    [Theory]
    [InlineData("plan", "-f", "x.yaml", "--api-key", "ork_secret")]
    [InlineData("windows", "list", "--api-key=ork_secret")]
    public async Task A_key_on_the_command_line_is_refused_with_a_warning_that_others_can_read_it(params string[] args)
    {
        var result = await _cli.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("other local users", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("ork_secret", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The group the windows name, so that only the finding under test is printed.</summary>
    private const string Office = "groups:\n  - name: office\n    tags: [a]\n";

    /// <summary>A window in the files with one line to vary; line 8 is the varied line.</summary>
    internal static string Window(string extra, string cron = "0 0 22 ? * TUE#2", string zone = "Europe/Berlin", string duration = "PT4H", string groups = "[office]") => $"""
        windows:
          - name: Patch Tuesday
            description: test
            groups: {groups}
            cron: "{cron}"
            timeZone: {zone}
            duration: {duration}
            {extra}

        """;
}
