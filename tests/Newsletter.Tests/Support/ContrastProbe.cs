using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Newsletter.Tests.Support;

/// <summary>
/// WCAG contrast ratios measured in the browser, from the colours it computed: an element's text against what is
/// really behind it (its own and its ancestors' backgrounds, translucent ones blended, over the canvas of the page's
/// colour scheme), and a focused element's outline against what is behind the outline.
/// </summary>
public static class ContrastProbe
{
    private const string Measure =
        """
        ([selector, outline]) => {
          const rgba = text => {
            const parts = text.match(/[\d.]+/g).map(Number);
            return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
          };
          const over = (top, below) => ({
            r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a), b: top.b * top.a + below.b * (1 - top.a), a: 1,
          });
          const canvas = (() => { // the colour scheme's own page colour, where no background is set
            const probe = document.createElement('div');
            probe.style.backgroundColor = 'Canvas';
            document.body.append(probe);
            const colour = rgba(getComputedStyle(probe).backgroundColor);
            probe.remove();
            return colour;
          })();
          const behind = element => {
            const layers = [];
            for (let e = element; e; e = e.parentElement) layers.unshift(rgba(getComputedStyle(e).backgroundColor));
            return layers.reduce((below, layer) => over(layer, below), canvas);
          };
          const luminance = c => [c.r, c.g, c.b].map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const ratio = (x, y) => { const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p); return (a + 0.05) / (b + 0.05); };
          const hex = c => '#' + [c.r, c.g, c.b].map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
          const element = document.querySelector(selector);
          if (!element) return null;
          let colour, background;
          if (outline) {
            element.focus();
            const style = getComputedStyle(element);
            if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return { colour: 'none', background: hex(behind(element.parentElement)), ratio: 1 };
            background = behind(element.parentElement); // an outline is drawn outside the element, over its parent
            colour = over(rgba(style.outlineColor), background);
          } else {
            background = behind(element);
            colour = over(rgba(getComputedStyle(element).color), background);
          }
          return { colour: hex(colour), background: hex(background), ratio: ratio(colour, background) };
        }
        """;

    /// <summary>The first element matching <paramref name="selector"/>: its text colour's contrast, or (focused) its outline's.</summary>
    public static async Task<ContrastRatio?> MeasureAsync(IPage page, string selector, bool outline = false)
    {
        var found = await page.EvaluateAsync<JsonElement>(Measure, new object[] { selector, outline });
        return found.ValueKind == JsonValueKind.Null ? null
            : new ContrastRatio(found.GetProperty("colour").GetString()!, found.GetProperty("background").GetString()!, found.GetProperty("ratio").GetDouble());
    }
}

public sealed record ContrastRatio(string Colour, string Background, double Ratio)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Colour} on {Background}: {Ratio:0.00}:1");
}
