using System.Text.RegularExpressions;

namespace Orchestrator.Core.Endpoints;

public static partial class Tags
{
    public static void Validate(IReadOnlyList<string>? tags, string field, List<FieldError> errors)
    {
        if (tags is null)
        {
            return;
        }

        if (tags.Count > EndpointValidator.MaxTags)
        {
            errors.Add(new(field, $"at most {EndpointValidator.MaxTags} tags"));
            return;
        }

        for (var i = 0; i < tags.Count; i++)
        {
            if (FreeText.Problem(tags[i]) is { } problem)
            {
                errors.Add(new($"{field}[{i}]", problem));
            }
            else if (tags[i] is null || !Pattern().IsMatch(tags[i]))
            {
                errors.Add(new($"{field}[{i}]", "a tag is 1-64 characters of letters, digits, '-', '_', '.', ':' or '='"));
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.:=-]{1,64}$")]
    private static partial Regex Pattern();
}
