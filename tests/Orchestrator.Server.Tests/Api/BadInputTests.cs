using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

/// <summary>
/// Every kind of bad input the API must refuse: the status, a problem document that names the field (or says what is
/// accepted), and not one row changed in any product table. Run against each storage backend: a refusal must come before
/// any write there too (on PostgreSQL a constraint can answer differently from SQLite's).
/// </summary>
public abstract class BadInputTests(SeededServer server)
{
    private const string Windows = "/api/v1/windows";
    private const string Groups = "/api/v1/groups";
    private const string Endpoints = "/api/v1/endpoints";

    /// <summary>
    /// Case, method, path ({window}, {group}, {spareGroup}, {endpoint}, {closedRun} are the seeded ids), body, status,
    /// and what the problem must name: "errors:x" a key of its <c>errors</c>, "says:x" a phrase of its title or detail.
    /// </summary>
    public static TheoryData<string, string, string, string?, HttpStatusCode, string> Rows => new()
    {
        // Windows: schedule
        { "unknown time zone", "POST", Windows, Window(w => w["timeZone"] = "Mars/Olympus_Mons"), HttpStatusCode.BadRequest, "errors:timeZone" },
        { "Windows time zone id", "POST", Windows, Window(w => w["timeZone"] = "W. Europe Standard Time"), HttpStatusCode.BadRequest, "errors:timeZone" },
        { "missing time zone", "POST", Windows, Window(w => w.Remove("timeZone")), HttpStatusCode.BadRequest, "errors:timeZone" },
        { "cron with five fields", "POST", Windows, Window(w => w["cron"] = "0 22 * * 2"), HttpStatusCode.BadRequest, "errors:cron" },
        { "cron hour out of range", "POST", Windows, Window(w => w["cron"] = "0 0 24 ? * *"), HttpStatusCode.BadRequest, "errors:cron" },
        { "cron without ? in a day field", "POST", Windows, Window(w => w["cron"] = "0 0 22 15 * MON"), HttpStatusCode.BadRequest, "errors:cron" },
        { "cron day-of-week 8", "POST", Windows, Window(w => w["cron"] = "0 0 22 ? * 8"), HttpStatusCode.BadRequest, "errors:cron" },
        { "cron sixth Tuesday", "POST", Windows, Window(w => w["cron"] = "0 0 22 ? * TUE#6"), HttpStatusCode.BadRequest, "errors:cron" },
        { "cron that never fires", "POST", Windows, Window(w => w["cron"] = "0 0 0 30 FEB ?"), HttpStatusCode.BadRequest, "errors:cron" },
        { "cron step after a month name", "POST", Windows, Window(w => w["cron"] = "0 0 22 1 FEB/4 ?"), HttpStatusCode.BadRequest, "errors:cron" },
        { "cron range from a number to a name", "POST", Windows, Window(w => w["cron"] = "0 0 22 ? * 2-FRI"), HttpStatusCode.BadRequest, "errors:cron" },
        { "schedule that overlaps itself", "POST", Windows, Window(w => { w["cron"] = "* * * * * ?"; w["duration"] = "PT24H"; }), HttpStatusCode.BadRequest, "errors:cron" },
        { "schedule that overlaps itself across DST", "POST", Windows, Window(w => { w["cron"] = "0 0 22 * * ?"; w["duration"] = "PT24H"; }), HttpStatusCode.BadRequest, "errors:cron" },
        { "cron that is not cron", "POST", Windows, Window(w => w["cron"] = "every tuesday"), HttpStatusCode.BadRequest, "errors:cron" },
        { "offsetDays -7", "POST", Windows, Window(w => w["offsetDays"] = -7), HttpStatusCode.BadRequest, "errors:offsetDays" },
        { "offsetDays +7", "POST", Windows, Window(w => w["offsetDays"] = 7), HttpStatusCode.BadRequest, "errors:offsetDays" },
        { "duration under 5 minutes", "POST", Windows, Window(w => { w["duration"] = "PT4M"; w["cutoff"] = "PT0S"; }), HttpStatusCode.BadRequest, "errors:duration" },
        { "duration over 24 hours", "POST", Windows, Window(w => w["duration"] = "PT25H"), HttpStatusCode.BadRequest, "errors:duration" },
        { "duration not ISO-8601", "POST", Windows, Window(w => w["duration"] = "4h"), HttpStatusCode.BadRequest, "errors:duration" },
        { "missing duration", "POST", Windows, Window(w => w.Remove("duration")), HttpStatusCode.BadRequest, "errors:duration" },
        { "cutoff longer than duration", "POST", Windows, Window(w => w["cutoff"] = "PT5H"), HttpStatusCode.BadRequest, "errors:cutoff" },
        { "both cron and at", "POST", Windows, Window(w => w["at"] = "2091-05-01T22:00:00"), HttpStatusCode.BadRequest, "errors:at" },
        { "neither cron nor at", "POST", Windows, Window(w => w.Remove("cron")), HttpStatusCode.BadRequest, "errors:cron" },
        { "at that is not a date-time", "POST", Windows, Window(w => { w.Remove("cron"); w["at"] = "next tuesday"; }), HttpStatusCode.BadRequest, "errors:at" },
        { "at with an offset", "POST", Windows, Window(w => { w.Remove("cron"); w["at"] = "2091-05-01T22:00:00+02:00"; }), HttpStatusCode.BadRequest, "errors:at" },
        { "blackout date that does not exist", "POST", Windows, Window(w => w["blackoutDates"] = new JsonArray("2091-12-24", "2091-02-30")), HttpStatusCode.BadRequest, "errors:blackoutDates[1]" },
        { "notBefore equal to notAfter", "POST", Windows, Window(w => w["notAfter"] = "2090-01-01T00:00:00Z"), HttpStatusCode.BadRequest, "errors:notAfter" },
        { "notBefore after notAfter", "POST", Windows, Window(w => w["notAfter"] = "2089-01-01T00:00:00Z"), HttpStatusCode.BadRequest, "errors:notAfter" },

        // Windows: groups, ports, scans, names
        { "no groups", "POST", Windows, Window(w => w["groups"] = new JsonArray()), HttpStatusCode.BadRequest, "errors:groups" },
        { "groups left out", "POST", Windows, Window(w => w.Remove("groups")), HttpStatusCode.BadRequest, "errors:groups" },
        { "unknown group", "POST", Windows, Window(w => w["groups"] = new JsonArray("seed-group", "no-such-group")), HttpStatusCode.BadRequest, "errors:groups[1]" },
        { "group named twice", "POST", Windows, Window(w => w["groups"] = new JsonArray("seed-group", "SEED-GROUP")), HttpStatusCode.BadRequest, "errors:groups" },
        { "null group name", "POST", Windows, Window(w => w["groups"] = new JsonArray((JsonNode?)null)), HttpStatusCode.BadRequest, "errors:groups[0]" },
        { "null port", "POST", Windows, Window(w => w["ports"] = new JsonArray((JsonNode?)null)), HttpStatusCode.BadRequest, "errors:ports[0].port" },
        { "null blackout date", "POST", Windows, Window(w => w["blackoutDates"] = new JsonArray((JsonNode?)null)), HttpStatusCode.BadRequest, "errors:blackoutDates[0]" },
        { "port 0", "POST", Windows, Window(w => w["ports"] = Ports(0, "tcp")), HttpStatusCode.BadRequest, "errors:ports[0].port" },
        { "port 70000", "POST", Windows, Window(w => w["ports"] = Ports(70000, "tcp")), HttpStatusCode.BadRequest, "errors:ports[0].port" },
        { "protocol sctp", "POST", Windows, Window(w => w["ports"] = Ports(7680, "sctp")), HttpStatusCode.BadRequest, "errors:ports[0].protocol" },
        { "maxConcurrency 0", "POST", Windows, Window(w => w["scan"]!["maxConcurrency"] = 0), HttpStatusCode.BadRequest, "errors:scan.maxConcurrency" },
        { "maxConcurrency 101%", "POST", Windows, Window(w => w["scan"]!["maxConcurrency"] = "101%"), HttpStatusCode.BadRequest, "errors:scan.maxConcurrency" },
        { "maxConcurrency abc", "POST", Windows, Window(w => w["scan"]!["maxConcurrency"] = "abc"), HttpStatusCode.BadRequest, "errors:scan.maxConcurrency" },
        { "negative maxErrors", "POST", Windows, Window(w => w["scan"]!["maxErrors"] = -1), HttpStatusCode.BadRequest, "errors:scan.maxErrors" },
        { "peering mode unknown", "POST", Windows, Window(w => w["peering"] = "internet"), HttpStatusCode.BadRequest, "errors:peering" },
        // Windows: Delivery Optimization settings, against Microsoft's documented ranges
        { "DO foreground cap above 4294967295 KB/s", "POST", Windows, Window(w => w["deliveryOptimization"] = new JsonObject { ["maxForegroundBandwidthKBps"] = 4_294_967_296L }), HttpStatusCode.BadRequest, "errors:deliveryOptimization.maxForegroundBandwidthKBps" },
        { "DO background percentage 101", "POST", Windows, Window(w => w["deliveryOptimization"] = new JsonObject { ["maxBackgroundBandwidthPercent"] = 101 }), HttpStatusCode.BadRequest, "errors:deliveryOptimization.maxBackgroundBandwidthPercent" },
        { "DO both foreground caps", "POST", Windows, Window(w => w["deliveryOptimization"] = new JsonObject { ["maxForegroundBandwidthKBps"] = 100, ["maxForegroundBandwidthPercent"] = 50 }), HttpStatusCode.BadRequest, "errors:deliveryOptimization.maxForegroundBandwidthPercent" },
        { "DO min file size 0 MB", "POST", Windows, Window(w => w["deliveryOptimization"] = new JsonObject { ["minFileSizeToCacheMB"] = 0 }), HttpStatusCode.BadRequest, "errors:deliveryOptimization.minFileSizeToCacheMB" },
        { "DO min RAM 100001 GB", "POST", Windows, Window(w => w["deliveryOptimization"] = new JsonObject { ["minRamToPeerGB"] = 100_001 }), HttpStatusCode.BadRequest, "errors:deliveryOptimization.minRamToPeerGB" },
        { "DO min disk negative", "POST", Windows, Window(w => w["deliveryOptimization"] = new JsonObject { ["minDiskSizeToPeerGB"] = -1 }), HttpStatusCode.BadRequest, "errors:deliveryOptimization.minDiskSizeToPeerGB" },
        { "DO battery threshold 101", "POST", Windows, Window(w => w["deliveryOptimization"] = new JsonObject { ["minBatteryPercentToUpload"] = 101 }), HttpStatusCode.BadRequest, "errors:deliveryOptimization.minBatteryPercentToUpload" },
        { "DO peer selection by DNS-SD", "POST", Windows, Window(w => w["deliveryOptimization"] = new JsonObject { ["restrictPeerSelectionBy"] = "dns-sd" }), HttpStatusCode.BadRequest, "errors:deliveryOptimization.restrictPeerSelectionBy" },
        { "missing window name", "POST", Windows, Window(w => w.Remove("name")), HttpStatusCode.BadRequest, "errors:name" },
        { "duplicate window name", "POST", Windows, Bodies.Window(SeededServer.WindowName), HttpStatusCode.BadRequest, "errors:name" },
        { "duplicate window name in other case", "POST", Windows, Bodies.Window("SEED-Window"), HttpStatusCode.BadRequest, "errors:name" },
        { "update with unknown time zone", "PUT", $"{Windows}/{{window}}", Bodies.Window(SeededServer.WindowName, w => w["timeZone"] = "Europe/Atlantis"), HttpStatusCode.BadRequest, "errors:timeZone" },
        { "update of a window that does not exist", "PUT", $"{Windows}/999999", Window(), HttpStatusCode.NotFound, "says:was not found" },

        // Windows: what the JSON reader refuses before any handler runs
        { "truncated JSON", "POST", Windows, Window()[..40], HttpStatusCode.BadRequest, "errors:cron" }, // where the reader stopped
        { "JSON null instead of a window", "POST", Windows, "null", HttpStatusCode.BadRequest, "says:request" },
        { "JSON that is not an object", "POST", Windows, "[1, 2, 3]", HttpStatusCode.BadRequest, "errors:$" },
        { "trailing garbage after the JSON", "POST", Windows, Window() + " trailing", HttpStatusCode.BadRequest, "errors:$" },
        { "offsetDays as a string", "POST", Windows, Window(w => w["offsetDays"] = "x"), HttpStatusCode.BadRequest, "errors:offsetDays" },
        { "unknown field (typo)", "POST", Windows, Window(w => w["durration"] = "PT4H"), HttpStatusCode.BadRequest, "errors:durration" },
        { "unknown nested field (typo)", "POST", Windows, Window(w => w["scan"]!["maxConcurency"] = 5), HttpStatusCode.BadRequest, "errors:scan.maxConcurency" },
        { "body over 1 MiB", "POST", Windows, Window(w => w["description"] = new string('x', 1_100_000)), HttpStatusCode.RequestEntityTooLarge, "says:too large" },

        // Windows: occurrences query
        { "occurrences count=0", "GET", $"{Windows}/{{window}}/occurrences?count=0", null, HttpStatusCode.BadRequest, "errors:count" },
        { "occurrences count=abc", "GET", $"{Windows}/{{window}}/occurrences?count=abc", null, HttpStatusCode.BadRequest, "says:count" },
        { "occurrences count=501", "GET", $"{Windows}/{{window}}/occurrences?count=501", null, HttpStatusCode.BadRequest, "errors:count" },
        { "occurrences from that is not a date", "GET", $"{Windows}/{{window}}/occurrences?from=yesterday", null, HttpStatusCode.BadRequest, "says:from" },

        // Endpoints
        { "bad hostname", "POST", Endpoints, Bodies.Endpoint("bad_host!.example"), HttpStatusCode.BadRequest, "errors:hostname" },
        { "missing hostname", "POST", Endpoints, Bodies.Endpoint("x", e => e.Remove("hostname")), HttpStatusCode.BadRequest, "errors:hostname" },
        { "address 999.1.1.1", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("999.1.1.1")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "address 0.0.0.0", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("198.18.0.11", "0.0.0.0")), HttpStatusCode.BadRequest, "errors:addresses[1]" },
        { "network 10.0.0.0/8 as an address", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("10.0.0.0/8")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "loopback address", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("::1")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "no addresses", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray()), HttpStatusCode.BadRequest, "errors:addresses" },
        { "tag with a space", "POST", Endpoints, Endpoint(e => e["tags"] = new JsonArray("ring 1")), HttpStatusCode.BadRequest, "errors:tags[0]" },
        { "endpoint field typo", "POST", Endpoints, Endpoint(e => e["adresses"] = new JsonArray("198.18.0.12")), HttpStatusCode.BadRequest, "errors:adresses" },
        { "import with one bad endpoint stores none", "POST", $"{Endpoints}/import", $"[{Bodies.Endpoint("import-ok.example")}, {Bodies.Endpoint("import-bad.example", e => e["addresses"] = new JsonArray("banana"))}]", HttpStatusCode.BadRequest, "errors:[1].addresses[0]" },
        { "import naming a hostname twice", "POST", $"{Endpoints}/import", $"[{Bodies.Endpoint("twice.example")}, {Bodies.Endpoint("TWICE.example")}]", HttpStatusCode.BadRequest, "errors:[1].hostname" },
        { "import with a null entry", "POST", $"{Endpoints}/import", $"[{Bodies.Endpoint("import-ok.example")}, null]", HttpStatusCode.BadRequest, "errors:[1]" },
        { "null address", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray((JsonNode?)null)), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "import of nothing", "POST", $"{Endpoints}/import", "[]", HttpStatusCode.BadRequest, "errors:$" },
        { "import of an object instead of a list", "POST", $"{Endpoints}/import", Endpoint(), HttpStatusCode.BadRequest, "errors:$" },

        // Addresses: the one rule the agent applies too, and one holder per address
        { "address with a zone id", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("fe80::1%eth0")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "IPv6 link-local address", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("fe80::1")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "IPv4 link-local address", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("169.254.1.1")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "address in 0.0.0.0/8", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("0.1.2.3")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "IPv4-mapped IPv6 address", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("::ffff:198.18.0.9")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "IPv4-compatible IPv6 address", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("::198.18.0.9")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "IPv6 address not in canonical form", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray("2001:DB8::1")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "address with surrounding whitespace", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray(" 198.18.0.9")), HttpStatusCode.BadRequest, "errors:addresses[0]" },
        { "address held by another endpoint", "POST", Endpoints, Endpoint(e => e["addresses"] = new JsonArray(Bodies.AddressOf(SeededServer.Host))), HttpStatusCode.Conflict, "says:seed-host.example" },
        { "import giving one address to two endpoints", "POST", $"{Endpoints}/import", $"[{Bodies.Endpoint("one.example", e => e["addresses"] = new JsonArray("198.18.3.3"))}, {Bodies.Endpoint("two.example", e => e["addresses"] = new JsonArray("198.18.3.3"))}]", HttpStatusCode.BadRequest, "errors:[1].addresses[0]" },
        { "enrollment with a zone-scoped address", "POST", "/agent/v1/enroll", """{"token":"oet_x","hostname":"pc-9","addresses":["fe80::1%eth0"],"os":"linux","tags":[],"agentVersion":"t"}""", HttpStatusCode.BadRequest, "errors:addresses[0]" },

        // Enrollment tokens' scope and re-enrollment marks
        { "token granting a tag with a space", "POST", "/api/v1/enrollment-tokens", """{"name":"t","tags":["a b"]}""", HttpStatusCode.BadRequest, "errors:tags[0]" },
        { "token hostname pattern that matches everything", "POST", "/api/v1/enrollment-tokens", """{"name":"t","hostnamePattern":"*"}""", HttpStatusCode.BadRequest, "errors:hostnamePattern" },
        { "token hostname pattern with a slash", "POST", "/api/v1/enrollment-tokens", """{"name":"t","hostnamePattern":"pc/*"}""", HttpStatusCode.BadRequest, "errors:hostnamePattern" },
        { "token address CIDR 0.0.0.0/0", "POST", "/api/v1/enrollment-tokens", """{"name":"t","addressCidrs":["0.0.0.0/0"]}""", HttpStatusCode.BadRequest, "errors:addressCidrs[0]" },
        { "token with an empty CIDR list", "POST", "/api/v1/enrollment-tokens", """{"name":"t","addressCidrs":[]}""", HttpStatusCode.BadRequest, "errors:addressCidrs" },
        { "re-enrollable for 31 days", "POST", $"{Endpoints}/{{endpoint}}/re-enrollable", """{"expiresIn":"P31D"}""", HttpStatusCode.BadRequest, "errors:expiresIn" },
        { "re-enrollable with a duration that is not ISO-8601", "POST", $"{Endpoints}/{{endpoint}}/re-enrollable", """{"expiresIn":"a day"}""", HttpStatusCode.BadRequest, "errors:expiresIn" },
        { "re-enrollable endpoint that does not exist", "POST", $"{Endpoints}/999999/re-enrollable", "{}", HttpStatusCode.NotFound, "says:was not found" },

        // Groups
        { "CIDR /33", "POST", Groups, Group(g => g["cidrs"] = new JsonArray("10.0.0.0/33")), HttpStatusCode.BadRequest, "errors:cidrs[0]" },
        { "CIDR banana", "POST", Groups, Group(g => g["cidrs"] = new JsonArray("banana")), HttpStatusCode.BadRequest, "errors:cidrs[0]" },
        { "CIDR 0.0.0.0/0", "POST", Groups, Group(g => g["cidrs"] = new JsonArray("198.18.0.0/24", "0.0.0.0/0")), HttpStatusCode.BadRequest, "errors:cidrs[1]" },
        { "CIDR ::/0", "POST", Groups, Group(g => g["cidrs"] = new JsonArray("::/0")), HttpStatusCode.BadRequest, "errors:cidrs[0]" },
        { "CIDR with host bits", "POST", Groups, Group(g => g["cidrs"] = new JsonArray("10.1.2.3/8")), HttpStatusCode.BadRequest, "errors:cidrs[0]" },
        { "static member that is not a hostname", "POST", Groups, Group(g => g["staticMembers"] = new JsonArray("not a host")), HttpStatusCode.BadRequest, "errors:staticMembers[0]" },
        { "null static member", "POST", Groups, Group(g => g["staticMembers"] = new JsonArray((JsonNode?)null)), HttpStatusCode.BadRequest, "errors:staticMembers[0]" },
        { "null CIDR", "POST", Groups, Group(g => g["cidrs"] = new JsonArray((JsonNode?)null)), HttpStatusCode.BadRequest, "errors:cidrs[0]" },
        { "group without rules", "POST", Groups, Group(g => { g.Remove("staticMembers"); g.Remove("cidrs"); g.Remove("tags"); }), HttpStatusCode.BadRequest, "errors:staticMembers" },
        { "duplicate group name", "POST", Groups, Bodies.Group(SeededServer.GroupName), HttpStatusCode.BadRequest, "errors:name" },
        { "duplicate group name in other case", "POST", Groups, Bodies.Group("Seed-Group"), HttpStatusCode.BadRequest, "errors:name" },
        { "renaming a group to a taken name", "PUT", $"{Groups}/{{spareGroup}}", Bodies.Group(SeededServer.GroupName), HttpStatusCode.BadRequest, "errors:name" },
        { "deleting a group a window names", "DELETE", $"{Groups}/{{group}}", null, HttpStatusCode.Conflict, "says:seed-window" },
        { "CIDRs that add up to everyone (256 × /8)", "POST", Groups, Group(g => g["cidrs"] = new JsonArray(Enumerable.Range(0, 256).Select(n => (JsonNode)$"{n}.0.0.0/8").ToArray())), HttpStatusCode.BadRequest, "errors:cidrs" },
        { "CIDRs over the total bound (3 × /8)", "POST", Groups, Group(g => g["cidrs"] = new JsonArray("10.0.0.0/8", "11.0.0.0/8", "12.0.0.0/8")), HttpStatusCode.BadRequest, "errors:cidrs" },
        { "IPv6 CIDRs over the total bound (3 × /32)", "POST", Groups, Group(g => g["cidrs"] = new JsonArray("2001:db8::/32", "2001:db9::/32", "2001:dba::/32")), HttpStatusCode.BadRequest, "errors:cidrs" },
        { "group update whose CIDRs add up to everyone", "PUT", $"{Groups}/{{spareGroup}}", Bodies.Group(SeededServer.SpareGroupName, g => g["cidrs"] = new JsonArray(Enumerable.Range(1, 200).Select(n => (JsonNode)$"{n}.0.0.0/8").ToArray())), HttpStatusCode.BadRequest, "errors:cidrs" },

        // Free text: control characters, bidi overrides and isolates, zero-width characters and BOMs
        { "window name with a right-to-left override", "POST", Windows, Window(w => w["name"] = "patch\u202Eyadseut"), HttpStatusCode.BadRequest, "errors:name" },
        { "window description with a bidi override", "POST", Windows, Window(w => w["description"] = "closes at 02:00 \u202E00:20"), HttpStatusCode.BadRequest, "errors:description" },
        { "window description with a control character", "POST", Windows, Window(w => w["description"] = "bell\u0007"), HttpStatusCode.BadRequest, "errors:description" },
        { "group name with a BOM", "POST", Groups, Group(g => g["name"] = "\uFEFFprobe-group"), HttpStatusCode.BadRequest, "errors:name" },
        { "group description with a zero-width space", "POST", Groups, Group(g => g["description"] = "floor\u200B3"), HttpStatusCode.BadRequest, "errors:description" },
        { "group description with a bidi isolate", "POST", Groups, Group(g => g["description"] = "floor \u2067three\u2069"), HttpStatusCode.BadRequest, "errors:description" },
        { "static member with a zero-width joiner", "POST", Groups, Group(g => g["staticMembers"] = new JsonArray("seed\u200Dhost.example")), HttpStatusCode.BadRequest, "errors:staticMembers[0]" },
        { "hostname with a zero-width space", "POST", Endpoints, Bodies.Endpoint("probe\u200Bhost.example"), HttpStatusCode.BadRequest, "errors:hostname" },
        { "tag with a word joiner", "POST", Endpoints, Endpoint(e => e["tags"] = new JsonArray("ring\u20601")), HttpStatusCode.BadRequest, "errors:tags[0]" },
        { "endpoint os with a control character", "POST", Endpoints, Endpoint(e => e["os"] = "linux\u001B[31m"), HttpStatusCode.BadRequest, "errors:os" },
        { "endpoint os with a bidi override", "POST", Endpoints, Endpoint(e => e["os"] = "windows \u202Dx"), HttpStatusCode.BadRequest, "errors:os" },
        { "import with a BOM in an os", "POST", $"{Endpoints}/import", $"[{Bodies.Endpoint("import-ok.example", e => e["os"] = "\uFEFFlinux")}]", HttpStatusCode.BadRequest, "errors:[0].os" },
        { "enrollment token name with a BOM", "POST", "/api/v1/enrollment-tokens", """{"name":"\uFEFFsite"}""", HttpStatusCode.BadRequest, "errors:name" },
        { "API key name with a bidi isolate", "POST", "/api/v1/keys", """{"name":"ci\u2066","role":"viewer"}""", HttpStatusCode.BadRequest, "errors:name" },

        // Runs
        { "ad-hoc run with a duration that is not ISO-8601", "POST", $"{Windows}/{{window}}/runs", """{"duration":"an hour"}""", HttpStatusCode.BadRequest, "errors:duration" },
        { "ad-hoc run without a duration", "POST", $"{Windows}/{{window}}/runs", "{}", HttpStatusCode.BadRequest, "errors:duration" },
        { "ad-hoc run under 5 minutes", "POST", $"{Windows}/{{window}}/runs", """{"duration":"PT4M"}""", HttpStatusCode.BadRequest, "errors:duration" },
        { "ad-hoc run over 24 hours", "POST", $"{Windows}/{{window}}/runs", """{"duration":"PT25H"}""", HttpStatusCode.BadRequest, "errors:duration" },
        { "ad-hoc run with a cutoff that is not ISO-8601", "POST", $"{Windows}/{{window}}/runs", """{"duration":"PT1H","cutoff":"5 minutes"}""", HttpStatusCode.BadRequest, "errors:cutoff" },
        { "ad-hoc run with a cutoff longer than the run", "POST", $"{Windows}/{{window}}/runs", """{"duration":"PT10M","cutoff":"PT11M"}""", HttpStatusCode.BadRequest, "errors:cutoff" },
        { "ad-hoc run of a window that does not exist", "POST", $"{Windows}/999999/runs", """{"duration":"PT1H"}""", HttpStatusCode.NotFound, "says:was not found" },
        { "closing a closed run", "POST", "/api/v1/runs/{closedRun}/close", null, HttpStatusCode.Conflict, "says:cannot be closed" },
        { "calendar of an unknown group", "GET", "/api/v1/calendar.ics?group=no-such-group", null, HttpStatusCode.BadRequest, "errors:group" },
        { "calendar of an empty group name", "GET", "/api/v1/calendar.ics?group=", null, HttpStatusCode.BadRequest, "errors:group" },
        { "calendar of an unknown window", "GET", "/api/v1/calendar.ics?window=999999", null, HttpStatusCode.BadRequest, "errors:window" },
        { "calendar of a window name that does not exist", "GET", "/api/v1/calendar.ics?window=no-such-window", null, HttpStatusCode.BadRequest, "errors:window" },
        { "runs state=Bogus", "GET", "/api/v1/runs?state=Bogus", null, HttpStatusCode.BadRequest, "errors:state" },
        { "runs state as a number", "GET", "/api/v1/runs?state=1", null, HttpStatusCode.BadRequest, "errors:state" },
        { "runs limit=0", "GET", "/api/v1/runs?limit=0", null, HttpStatusCode.BadRequest, "errors:limit" },
        { "runs limit that is not a number", "GET", "/api/v1/runs?limit=many", null, HttpStatusCode.BadRequest, "errors:limit" },

        // Windows: hooks
        { "pre-open hook URL that is not http", "POST", Windows, Window(w => w["hooks"] = Hook("preOpen", "ftp://hooks.example/go", null)), HttpStatusCode.BadRequest, "errors:hooks.preOpen.url" },
        { "pre-open hook without a URL", "POST", Windows, Window(w => w["hooks"] = Hook("preOpen", null, "PT5S")), HttpStatusCode.BadRequest, "errors:hooks.preOpen.url" },
        { "pre-open hook URL that is relative", "POST", Windows, Window(w => w["hooks"] = Hook("preOpen", "/go", null)), HttpStatusCode.BadRequest, "errors:hooks.preOpen.url" },
        { "pre-open hook timeout over 2 minutes", "POST", Windows, Window(w => w["hooks"] = Hook("preOpen", "https://hooks.example/go", "PT5M")), HttpStatusCode.BadRequest, "errors:hooks.preOpen.timeout" },
        { "post-close hook timeout not ISO-8601", "POST", Windows, Window(w => w["hooks"] = Hook("postClose", "https://hooks.example/done", "10s")), HttpStatusCode.BadRequest, "errors:hooks.postClose.timeout" },
        { "post-close hook on loopback", "POST", Windows, Window(w => w["hooks"] = Hook("postClose", "http://localhost:8080/done", null)), HttpStatusCode.BadRequest, "errors:hooks.postClose.url" },
        { "hooks field typo", "POST", Windows, Window(w => w["hooks"] = new JsonObject { ["preOpn"] = new JsonObject { ["url"] = "https://hooks.example/go" } }), HttpStatusCode.BadRequest, "errors:hooks.preOpn" },

        // Webhooks
        { "webhook URL that is not absolute", "POST", "/api/v1/webhooks", """{"name":"w","url":"hooks.example/x","events":["*"],"secret":"0123456789abcdef"}""", HttpStatusCode.BadRequest, "errors:url" },
        { "webhook URL with user info", "POST", "/api/v1/webhooks", """{"name":"w","url":"https://u:p@hooks.example/x","events":["*"],"secret":"0123456789abcdef"}""", HttpStatusCode.BadRequest, "errors:url" },
        { "webhook URL on loopback", "POST", "/api/v1/webhooks", """{"name":"w","url":"http://[::1]:9/x","events":["*"],"secret":"0123456789abcdef"}""", HttpStatusCode.BadRequest, "errors:url" },
        { "webhook without a secret", "POST", "/api/v1/webhooks", """{"name":"w","url":"https://hooks.example/x","events":["*"]}""", HttpStatusCode.BadRequest, "errors:secret" },
        { "webhook secret too short", "POST", "/api/v1/webhooks", """{"name":"w","url":"https://hooks.example/x","events":["*"],"secret":"short"}""", HttpStatusCode.BadRequest, "errors:secret" },
        { "webhook event unknown", "POST", "/api/v1/webhooks", """{"name":"w","url":"https://hooks.example/x","events":["run.opened","run.exploded"],"secret":"0123456789abcdef"}""", HttpStatusCode.BadRequest, "errors:events[1]" },
        { "webhook without events", "POST", "/api/v1/webhooks", """{"name":"w","url":"https://hooks.example/x","events":[],"secret":"0123456789abcdef"}""", HttpStatusCode.BadRequest, "errors:events" },
        { "webhook format unknown", "POST", "/api/v1/webhooks", """{"name":"w","url":"https://hooks.example/x","format":"xml","events":["*"],"secret":"0123456789abcdef"}""", HttpStatusCode.BadRequest, "errors:format" },
        { "webhook field typo", "POST", "/api/v1/webhooks", """{"name":"w","url":"https://hooks.example/x","event":["*"],"secret":"0123456789abcdef"}""", HttpStatusCode.BadRequest, "errors:event" },
        { "webhook deliveries limit=0", "GET", "/api/v1/webhooks/1/deliveries?limit=0", null, HttpStatusCode.BadRequest, "errors:limit" },
        { "test event to a webhook that does not exist", "POST", "/api/v1/webhooks/999999/test", null, HttpStatusCode.NotFound, "says:was not found" },

        // Access: keys and audit (error bodies name the field, never a .NET type)
        { "key role that does not exist", "PATCH", "/api/v1/keys/1", """{"role":"root"}""", HttpStatusCode.BadRequest, "errors:role" },
        { "key role as a list", "PATCH", "/api/v1/keys/1", """{"role":["admin"]}""", HttpStatusCode.BadRequest, "errors:role" },
        { "key role as a number", "PATCH", "/api/v1/keys/1", """{"role":2}""", HttpStatusCode.BadRequest, "errors:role" },
        { "taking the admin role from the last admin key", "PATCH", "/api/v1/keys/1", """{"role":"viewer"}""", HttpStatusCode.Conflict, "says:last active admin key" },
        { "key expiresIn as a number", "POST", "/api/v1/keys", """{"name":"k","role":"viewer","expiresIn":7}""", HttpStatusCode.BadRequest, "errors:expiresIn" },
        { "audit from that is not a date", "GET", "/api/v1/audit?from=yesterday", null, HttpStatusCode.BadRequest, "errors:from" },
        { "audit limit that is not a number", "GET", "/api/v1/audit?limit=many", null, HttpStatusCode.BadRequest, "errors:limit" },
    };

    [Theory]
    [MemberData(nameof(Rows), MemberType = typeof(BadInputTests))]
    public async Task BadInputIsRefusedWithTheFieldNamedAndNothingChanges(
        string @case, string method, string path, string? body, HttpStatusCode expectedStatus, string names)
    {
        var (where, what) = (names[..names.IndexOf(':', StringComparison.Ordinal)], names[(names.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        var before = await server.Tables.SnapshotAsync();

        var (status, problem) = await server.Client.SendAsync(new HttpMethod(method), server.Resolve(path), body);

        Assert.True(status == expectedStatus, $"{@case}: expected {(int)expectedStatus}, got {(int)status}: {problem}");
        Assert.NotNull(problem);
        Assert.Equal((int)expectedStatus, (int?)problem["status"]);
        if (where == "errors")
        {
            var errors = problem["errors"]?.AsObject();
            Assert.True(errors is not null && errors.ContainsKey(what), $"{@case}: errors should name '{what}': {problem}");
            Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace((string?)e.Value![0]), $"{@case}: '{e.Key}' needs a message"));
        }
        else
        {
            var text = $"{problem["title"]} {problem["detail"]}";
            Assert.True(text.Contains(what, StringComparison.OrdinalIgnoreCase), $"{@case}: title or detail should say '{what}': {problem}");
        }

        Assert.Equal(before, await server.Tables.SnapshotAsync());
    }

    private static string Window(Action<JsonObject>? change = null) => Bodies.Window("probe-window", change);

    private static string Endpoint(Action<JsonObject>? change = null) => Bodies.Endpoint("probe-host.example", change);

    private static string Group(Action<JsonObject>? change = null) => Bodies.Group("probe-group", change);

    private static JsonObject Hook(string kind, string? url, string? timeout) =>
        new() { [kind] = new JsonObject { ["url"] = url, ["timeout"] = timeout } };

    private static JsonArray Ports(int port, string protocol) => new(new JsonObject { ["port"] = port, ["protocol"] = protocol });
}

public sealed class BadInputTests_Sqlite(SeededServer server) : BadInputTests(server), IClassFixture<SeededServer>;

public sealed class BadInputTests_Postgres(SeededPostgresServer server) : BadInputTests(server), IClassFixture<SeededPostgresServer>;
