namespace Newsletter.Common;

/// <summary>
/// The folder Newsletter works from: it holds <c>config/appsettings.json</c>, and relative paths in settings
/// (database file, templates, outbox) resolve against it.
/// </summary>
public sealed record NewsletterHome(string Path, string ConfigFile)
{
    public const string HomeVariable = "NEWSLETTER_HOME";

    public string Resolve(string relativeOrAbsolute) =>
        System.IO.Path.IsPathRooted(relativeOrAbsolute)
            ? relativeOrAbsolute
            : System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, relativeOrAbsolute));

    /// <summary>
    /// NEWSLETTER_HOME if set; otherwise the nearest folder with config/appsettings.json above the working
    /// directory, then above the program; otherwise the working directory.
    /// </summary>
    public static NewsletterHome Locate(string? configFileOverride = null)
    {
        var explicitHome = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(explicitHome) && !Directory.Exists(explicitHome))
        {
            throw new ConfigurationError(
                $"{HomeVariable}={explicitHome} does not exist; set it to the folder that holds config/appsettings.json, or unset it to use the nearest such folder.");
        }
        var home = !string.IsNullOrWhiteSpace(explicitHome)
            ? System.IO.Path.GetFullPath(explicitHome)
            : FindUpwards(Environment.CurrentDirectory) ?? FindUpwards(AppContext.BaseDirectory) ?? Environment.CurrentDirectory;
        var config = configFileOverride is null
            ? System.IO.Path.Combine(home, "config", "appsettings.json")
            : System.IO.Path.GetFullPath(configFileOverride);
        return new NewsletterHome(home, config);
    }

    private static string? FindUpwards(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "config", "appsettings.json")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
