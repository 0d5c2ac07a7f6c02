namespace Newsletter.Digests;

public sealed class TemplateOptions
{
    public const string Section = "Templates";

    /// <summary>
    /// Folder with every template of <see cref="TemplateSet.Names"/>. Empty: templates/ in the home folder, else the
    /// templates shipped beside the program.
    /// </summary>
    public string Folder { get; set; } = "";
}
