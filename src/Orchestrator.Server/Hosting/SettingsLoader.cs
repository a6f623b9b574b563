using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Server.Hosting;

/// <summary>
/// Reads and validates <see cref="OrchestratorOptions"/> before anything starts, so that a bad setting stops the
/// server with one line naming the setting instead of a stack trace from the middle of start-up.
/// </summary>
internal static class SettingsLoader
{
    public static bool TryLoad(IConfiguration configuration, out OrchestratorOptions options, out string error)
    {
        options = new OrchestratorOptions();
        error = "";
        try
        {
            configuration.GetSection(OrchestratorOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            error = $"Invalid setting: {e.Message}";
            return false;
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            error = string.Join(Environment.NewLine, results.Select(r =>
                $"Invalid setting {OrchestratorOptions.Section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
            return false;
        }

        return true;
    }
}
