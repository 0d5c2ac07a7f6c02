namespace Newsletter.Common;

/// <summary>
/// Splits setting overrides (<c>--Section:Key=value</c> or <c>--Section:Key value</c>) and <c>--config path</c>
/// from the command's own arguments, so any setting can be overridden on any command.
/// </summary>
public sealed record ConfigSwitches(IReadOnlyList<string> Settings, string? ConfigFile, string[] CommandArgs)
{
    public static ConfigSwitches Extract(string[] args)
    {
        var settings = new List<string>();
        var rest = new List<string>();
        string? configFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                rest.AddRange(args[i..]);
                break;
            }
            if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = arg["--config=".Length..];
            }
            else if (arg == "--config" && i + 1 < args.Length)
            {
                configFile = args[++i];
            }
            else if (IsSettingSwitch(arg))
            {
                if (arg.Contains('='))
                {
                    settings.Add(arg);
                }
                else if (i + 1 < args.Length)
                {
                    settings.Add($"{arg}={args[++i]}");
                }
                else
                {
                    settings.Add($"{arg}=");
                }
            }
            else
            {
                rest.Add(arg);
            }
        }
        return new ConfigSwitches(settings, configFile, [.. rest]);
    }

    private static bool IsSettingSwitch(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal))
        {
            return false;
        }
        var name = arg.AsSpan(2);
        var equals = name.IndexOf('=');
        if (equals >= 0)
        {
            name = name[..equals];
        }
        return name.Contains(':') && name.Length > 2;
    }
}
