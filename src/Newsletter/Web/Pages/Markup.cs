using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Newsletter.Web.Pages;

/// <summary>A piece of HTML that is already safe: built by <see cref="Html.Of"/>, where every hole that is not itself markup is escaped.</summary>
public readonly record struct Markup(string Value)
{
    public static readonly Markup Empty = new("");

    public override string ToString() => Value;
}

public static class Html
{
    /// <summary>Escapes text for element content and quoted attribute values; letters of every script stay readable.</summary>
    public static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Builds markup from an interpolated string: text holes are escaped, <see cref="Markup"/> holes are kept.</summary>
    public static Markup Of(ref MarkupHandler html) => html.ToMarkup();

    public static Markup Join(IEnumerable<Markup> parts) => new(string.Concat(parts.Select(p => p.Value)));

    public static Markup When(bool condition, Markup markup) => condition ? markup : Markup.Empty;
}

/// <summary>Makes escaping the default: there is no way to put unescaped text into a page except as <see cref="Markup"/>.</summary>
[InterpolatedStringHandler]
public ref struct MarkupHandler
{
    private readonly StringBuilder _html;

    public MarkupHandler(int literalLength, int formattedCount)
    {
        _html = new StringBuilder(literalLength + formattedCount * 24);
    }

    public readonly void AppendLiteral(string literal) => _html.Append(literal);

    public readonly void AppendFormatted(Markup markup) => _html.Append(markup.Value);

    public readonly void AppendFormatted(string? text) => _html.Append(Html.Encoder.Encode(text ?? ""));

    public readonly void AppendFormatted<T>(T value) => _html.Append(Html.Encoder.Encode(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));

    public readonly void AppendFormatted<T>(T value, string? format) where T : IFormattable =>
        _html.Append(Html.Encoder.Encode(value.ToString(format, System.Globalization.CultureInfo.InvariantCulture)));

    public readonly Markup ToMarkup() => new(_html.ToString());
}
