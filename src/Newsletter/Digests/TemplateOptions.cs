namespace Newsletter.Digests;

public sealed class TemplateOptions
{
    public const string Section = "Templates";

    /// <summary>Folder with digest.sbnhtml, digest.sbntxt, confirm.sbnhtml and confirm.sbntxt.</summary>
    public string Folder { get; set; } = "templates";
}
