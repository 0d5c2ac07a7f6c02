using System.CommandLine;
using System.Globalization;

namespace Newsletter.Cli;

/// <summary>Options several commands share, with the same names and messages everywhere.</summary>
public static class CliOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON document instead of text." };

    public static Option<DateOnly?> Date(string description, string name = "--date") => new(name)
    {
        Description = description,
        HelpName = "YYYY-MM-DD",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return day;
            }
            result.AddError($"{name}: '{text}' is not a date in the form YYYY-MM-DD.");
            return null;
        },
    };
}
