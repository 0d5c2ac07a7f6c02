using Newsletter.Digests;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

public sealed class TemplateValidationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string CopyTemplates() => DigestFixtures.CopyTemplatesTo(_dir.Path);

    [Fact]
    public void A_syntax_error_names_the_template_line_and_column()
    {
        var folder = CopyTemplates();
        File.WriteAllText(Path.Combine(folder, "digest.sbnhtml"), "<p>fine</p>\n<p>{{ for paper in papers }}{{ paper.title_html }}</p>\n");

        var error = Assert.Throws<TemplateException>(() => new TemplateSet(folder));

        Assert.StartsWith("template digest.sbnhtml has an error at line", error.Message);
        Assert.Contains("column", error.Message);
    }

    [Fact]
    public void An_unknown_variable_is_caught_at_load_not_at_send_time()
    {
        var folder = CopyTemplates();
        File.WriteAllText(Path.Combine(folder, "digest.sbntxt"), "Hello\n{{ subscriber_nmae }}\n");

        var error = Assert.Throws<TemplateException>(() => new TemplateSet(folder));

        Assert.Contains("template digest.sbntxt fails at line 2, column 4", error.Message);
        Assert.Contains("subscriber_nmae", error.Message);
    }

    [Fact]
    public void A_missing_template_is_named()
    {
        var folder = CopyTemplates();
        File.Delete(Path.Combine(folder, "confirm.sbntxt"));

        var error = Assert.Throws<TemplateException>(() => new TemplateSet(folder));

        Assert.Equal($"template confirm.sbntxt is missing from {folder}.", error.Message);
    }

    [Fact]
    public void The_shipped_templates_load()
    {
        var set = new TemplateSet(DigestFixtures.ShippedTemplates);

        Assert.Contains("Confirm subscription", set.Render(TemplateSet.ConfirmHtml, SampleModels.Confirmation));
    }
}
