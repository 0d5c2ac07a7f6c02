namespace Newsletter.Digests;

public sealed class TemplateOptions
{
    public const string Section = "Templates";

    /// <summary>
    /// Folder with digest.sbnhtml, digest.sbntxt, confirm.sbnhtml and confirm.sbntxt. Empty: templates/ in the
    /// home folder, else the templates shipped beside the program.
    /// </summary>
    public string Folder { get; set; } = "";
}
