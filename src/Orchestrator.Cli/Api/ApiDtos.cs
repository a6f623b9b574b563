using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Windows;

namespace Orchestrator.Cli.Api;

// The CLI's own copy of the ops API's JSON (src/Orchestrator.Server/*/…Dtos.cs), so that it depends on the wire format
// only, never on the server's assemblies. Request bodies leave null fields out: the server treats absent as default.

internal sealed record EndpointBody(string Hostname, IReadOnlyList<string> Addresses, string Os, IReadOnlyList<string> Tags);

internal sealed record EndpointDto(
    long Id, string Hostname, IReadOnlyList<string> Addresses, string Os, IReadOnlyList<string> Tags, string Source,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastSeenAt, DateTimeOffset? ReEnrollableUntil = null);

internal sealed record ReEnrollableBody(string? ExpiresIn);

internal sealed record ImportResultDto(int Created, int Updated, IReadOnlyList<EndpointDto> Endpoints);

internal sealed record GroupBody(
    string Name, string? Description, IReadOnlyList<string> StaticMembers, IReadOnlyList<string> Cidrs, IReadOnlyList<string> Tags);

internal sealed record GroupDto(
    long Id, string Name, string? Description, IReadOnlyList<string> StaticMembers, IReadOnlyList<string> Cidrs, IReadOnlyList<string> Tags,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

internal sealed record GroupMemberDto(long Id, string Hostname, IReadOnlyList<string> Addresses, IReadOnlyList<string> Tags);

/// <summary>A window as files and the API spell it; every field optional so that a file can omit what has a default.</summary>
internal sealed record WindowBody(
    string? Name,
    string? Description,
    string? Cron,
    string? At,
    string? TimeZone,
    int? OffsetDays,
    string? Duration,
    string? Cutoff,
    IReadOnlyList<string>? BlackoutDates,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    IReadOnlyList<string>? Groups,
    IReadOnlyList<PortBody>? Ports,
    ScanBody? Scan,
    string? Peering,
    bool? Enabled,
    HooksBody? Hooks = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeliveryOptimizationFields? DeliveryOptimization = null);

/// <summary>A window's pre-open and post-close hooks (docs/notifications.md); the same shape both ways.</summary>
internal sealed record HooksBody(HookBody? PreOpen, HookBody? PostClose);

/// <param name="Timeout">ISO-8601 (PT10S); the server answers with its default when it was left out.</param>
internal sealed record HookBody(string? Url, string? Timeout);

internal sealed record PortBody(int? Port, string? Protocol);

/// <summary><c>maxConcurrency</c> goes out as text ("10" or "25%"); the server accepts both spellings.</summary>
internal sealed record ScanBody(bool? Enabled, string? MaxConcurrency, int? MaxErrors);

internal sealed record WindowDto(
    long Id,
    int Revision,
    string Name,
    string? Description,
    string? Cron,
    string? At,
    string TimeZone,
    int OffsetDays,
    string Duration,
    string Cutoff,
    IReadOnlyList<string> BlackoutDates,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    IReadOnlyList<string> Groups,
    IReadOnlyList<PortDto> Ports,
    ScanDto Scan,
    string Peering,
    bool Enabled,
    OccurrenceDto? NextOccurrence,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    HooksBody? Hooks = null);

internal sealed record PortDto(int Port, string Protocol);

internal sealed record ScanDto(bool Enabled, string MaxConcurrency, int? MaxErrors);

internal sealed record OccurrenceDto(
    string Key, DateTimeOffset LocalStart, string UtcOffset, DateTimeOffset StartUtc, DateTimeOffset EndUtc, bool Skipped, string? SkipReason);

internal sealed record RunDto(
    long Id,
    long WindowId,
    string WindowName,
    string OccurrenceKey,
    string Kind,
    string State,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    DateTimeOffset CutoffAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    string? CloseReason,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string>? Warnings = null);

internal sealed record RunDetailDto(RunDto Run, IReadOnlyList<RunMemberDto> Members, RunPeerSetDto? PeerSet);

/// <summary>The run's peer set, once per run: each member accepts these ranges without its own addresses.</summary>
internal sealed record RunPeerSetDto(string Hash, long Addresses, IReadOnlyList<string> Ranges);

internal sealed record RunMemberDto(
    long EndpointId, string Hostname, IReadOnlyList<string> Addresses,
    DateTimeOffset? OpenAckedAt, DateTimeOffset? CloseAckedAt, string? CloseState);

internal sealed record AdHocRunBody(string Duration, string? Cutoff);

/// <summary>The slice of GET /runs/{id}/report that <c>runs show</c> prints; the report command prints the server's text
/// as it is.</summary>
internal sealed record RunReportDto(IReadOnlyList<AnomalyDto> Anomalies, ReportSummaryDto Summary, IReadOnlyList<ReportEndpointDto> Endpoints);

internal sealed record AnomalyDto(string Code, string Severity, string Message, int Count);

internal sealed record ReportSummaryDto(int Members, int ScansSucceeded, int ScansFailed, int ScansRunning, int ScansNotDispatched);

/// <summary>One member's row: <c>scan</c> is NotDispatched, Running, Succeeded, Failed, TimedOut or Overdue (as the
/// server spells it).</summary>
internal sealed record ReportEndpointDto(long EndpointId, string Hostname, string Agent, string Scan, int? ScanExitCode);

/// <summary><c>appliedVersion</c> is a decimal string: the 64-bit version exceeds JSON's safe integer range.</summary>
internal sealed record AgentDto(
    string AgentId, long EndpointId, string Hostname, string AgentVersion, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeenAt,
    bool Online, bool Revoked, string? AppliedVersion, string? ApplyError);

internal sealed record ApiKeyDto(
    long Id, string Name, string Role, string? Key, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

internal sealed record ApiKeyBody(string Name, string Role, string? ExpiresIn);

internal sealed record EnrollmentTokenDto(
    long Id, string Name, string? Token, bool SingleUse, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int Uses, DateTimeOffset? RevokedAt,
    string? HostnamePattern = null, IReadOnlyList<string>? AddressCidrs = null, IReadOnlyList<string>? Tags = null);

internal sealed record EnrollmentTokenBody(
    string Name, string? ExpiresIn, bool SingleUse, string? HostnamePattern = null, IReadOnlyList<string>? AddressCidrs = null, IReadOnlyList<string>? Tags = null);

/// <summary>RFC 9457 problem details as the server writes them; <c>errors</c> maps a field to its messages.</summary>
internal sealed record ProblemDto(string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors);

internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <param name="Secret">Write-only; null on an update keeps the stored one.</param>
internal sealed record WebhookBody(string Name, string Url, string? Format, IReadOnlyList<string> Events, string? Secret, bool? Enabled);

internal sealed record WebhookDto(long Id, string Name, string Url, string Format, IReadOnlyList<string> Events, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

internal sealed record DeliveryDto(
    long Id, long WebhookId, string Webhook, string DeliveryId, string Event, long? RunId, int Attempt, DateTimeOffset At, int? StatusCode, long LatencyMs,
    bool Succeeded, string? Error);

internal sealed record TestDeliveryDto(long WebhookId, string DeliveryId, string Event);
