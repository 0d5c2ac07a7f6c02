using System.Text.RegularExpressions;

namespace Newsletter.Tests.Architecture;

/// <summary>
/// The same one-way rule as <see cref="FolderDependencyTests"/>, read from the source: a <c>using Newsletter.X;</c>
/// or a qualified <c>Newsletter.X.</c> name that reaches a later folder fails, even where the compiled program shows
/// no dependency yet (a using nothing uses is where the next shortcut starts).
/// </summary>
public sealed partial class SourceDependencyTests
{
    [Fact]
    public void No_source_file_names_a_folder_after_its_own()
    {
        var order = FolderDependencyTests.Order.ToList();
        var problems = new List<string>();
        foreach (var file in Directory.EnumerateFiles(SourceFolder(), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }
            var text = File.ReadAllText(file);
            var own = Namespace().Match(text) is { Success: true } ns ? ns.Groups[1].Value : "Hosting"; // Program.cs: the composition root
            var position = order.IndexOf(own);
            var code = LineComment().Replace(Text().Replace(Namespace().Replace(text, ""), "\"\""), "");
            foreach (Match reference in Reference().Matches(code).Concat(RelativeReference().Matches(code)).Where(m => order.Contains(m.Groups[1].Value)))
            {
                var used = reference.Groups[1].Value;
                if (order.IndexOf(used) > position)
                {
                    problems.Add($"{Path.GetFileName(file)} ({own}) names {used}: \"{reference.Value.Trim()}\"");
                }
            }
        }

        Assert.True(problems.Count == 0, "Source that reaches a later folder:\n" + string.Join("\n", problems));
    }

    private static string SourceFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Newsletter.sln")))
            {
                return Path.Combine(folder.FullName, "src", "Newsletter");
            }
        }
        throw new InvalidOperationException("Newsletter.sln not found above the test's folder");
    }

    [GeneratedRegex(@"^namespace\s+Newsletter\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"\bNewsletter\.(\w+)\b")]
    private static partial Regex Reference();

    /// <summary>A folder named from inside Newsletter without its prefix (<c>Delivery.ConfirmationSender</c>): not after a dot.</summary>
    [GeneratedRegex(@"(?<![\w.])(\w+)\.[A-Z]\w*")]
    private static partial Regex RelativeReference();

    /// <summary>String literals (raw, verbatim, plain), which may hold anything: settings' names, URLs.</summary>
    [GeneratedRegex(@"\$*""""""[\s\S]*?""""""|[$@]*""(?:[^""\\\n]|\\.|"""")*""")]
    private static partial Regex Text();

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();
}
