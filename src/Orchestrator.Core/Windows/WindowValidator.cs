using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Windows;

public static class WindowValidator
{
    public const int MaxGroups = 50;
    public const int MaxPorts = 8;

    /// <param name="minimumDuration">Shortest run allowed: 5 minutes, lowered only by the lab/test setting.</param>
    public static IReadOnlyList<FieldError> Validate(WindowDefinition window, TimeSpan minimumDuration)
    {
        ArgumentNullException.ThrowIfNull(window);
        var errors = new List<FieldError>();
        Names.Validate(window.Name, "name", errors);
        if (window.Description is { Length: > 1_000 })
        {
            errors.Add(new("description", "at most 1000 characters"));
        }

        FreeText.Validate(window.Description, "description", errors, multiLine: true);

        errors.AddRange(ScheduleValidator.Validate(window.Schedule, minimumDuration));
        ValidateGroups(window.Groups, errors);
        ValidatePorts(window, errors);
        if (window.Scan.MaxErrors is < 0)
        {
            errors.Add(new("scan.maxErrors", "0 or more (0 stops dispatching at the first failed scan); omit it to never stop"));
        }

        DeliveryOptimizationTuningValidator.Validate(window.DeliveryOptimization, errors);
        return errors;
    }

    private static void ValidateGroups(IReadOnlyList<string> groups, List<FieldError> errors)
    {
        if (groups.Count == 0)
        {
            errors.Add(new("groups", "at least one group name is required"));
            return;
        }

        if (groups.Count > MaxGroups)
        {
            errors.Add(new("groups", $"at most {MaxGroups} groups"));
        }

        if (groups.Distinct(StringComparer.OrdinalIgnoreCase).Count() != groups.Count)
        {
            errors.Add(new("groups", "each group may be named once"));
        }
    }

    private static void ValidatePorts(WindowDefinition window, List<FieldError> errors)
    {
        if (window.Ports.Count is 0 or > MaxPorts)
        {
            errors.Add(new("ports", $"1 to {MaxPorts} ports; the default is 7680/tcp"));
            return;
        }

        for (var i = 0; i < window.Ports.Count; i++)
        {
            var port = window.Ports[i];
            if (port.Port is < 1 or > 65535)
            {
                errors.Add(new($"ports[{i}].port", $"{port.Port} is out of range; accepted 1-65535"));
            }

            if (port.Transport is not "tcp")
            {
                errors.Add(new($"ports[{i}].protocol", $"'{port.Transport}' is not accepted; use tcp (agents guard TCP ports: Delivery Optimization peers over TCP 7680)"));
            }
        }
    }
}
