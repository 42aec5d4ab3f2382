using System.Reflection;
using MedDeblur.Display;
using Microsoft.DotNet.Interactive.Formatting;
using SkiaSharp;

namespace MedDeblur.Tests.Display;

/// <summary>
/// The library's HTML display support, checked with the real .NET Interactive formatter
/// (Microsoft.DotNet.Interactive.Formatting, referenced by the tests only): the convention-based formatter source
/// must be found by name, without MedDeblur.Core referencing any notebook package.
/// </summary>
public class HtmlDisplayTests
{
    private static ResultsTable SampleTable() =>
        new ResultsTable("Table 2 & co", ["model", "<PSNR>", "SSIM"])
            .Add("MedDeblur", 31.234567, 0.9)
            .Add("a<b>&\"c\"", double.PositiveInfinity, null);

    [Fact]
    public void Table_renders_escaped_html_with_invariant_numbers()
    {
        Assert.Equal(
            "<table class=\"meddeblur-table\"><caption>Table 2 &amp; co</caption>" +
            "<thead><tr><th>model</th><th>&lt;PSNR&gt;</th><th>SSIM</th></tr></thead><tbody>" +
            "<tr><td>MedDeblur</td><td>31.23</td><td>0.90</td></tr>" +
            "<tr><td>a&lt;b&gt;&amp;&quot;c&quot;</td><td>inf</td><td></td></tr></tbody></table>",
            SampleTable().ToHtml());
    }

    [Fact]
    public void Dotnet_interactive_formats_a_table_as_its_own_html_and_plain_text()
    {
        var table = SampleTable();
        Assert.Equal(table.ToHtml(), table.ToDisplayString("text/html"));
        Assert.Equal(table.ToMarkdown(), table.ToDisplayString("text/plain"));
    }

    [Fact]
    public void Fragment_formatting_survives_a_formatter_reset()
    {
        var fragment = new HtmlFragment("<b>bold</b>", "bold");
        Assert.Equal("<b>bold</b>", fragment.ToDisplayString("text/html"));
        Formatter.ResetToDefault();
        Assert.Equal("<b>bold</b>", fragment.ToDisplayString("text/html"));
        Assert.Equal("bold", fragment.ToDisplayString("text/plain"));
    }

    [Fact]
    public void Notebooks_show_html_first_then_plain_text()
    {
        Assert.Equal(["text/html", "text/plain"], Formatter.GetPreferredMimeTypesFor(typeof(HtmlFragment)));
    }

    [Fact]
    public void Interface_alone_is_not_honoured_by_dotnet_interactive()
    {
        // Why every concrete type carries the attribute: .NET Interactive reads attributes of classes, not interfaces.
        var bare = new BareDisplayable();
        Assert.NotEqual(bare.ToHtml(), bare.ToDisplayString("text/html"));
    }

    [Fact]
    public void Every_displayable_type_of_the_library_carries_the_formatter_source()
    {
        var types = typeof(IHtmlDisplayable).Assembly.GetTypes()
            .Where(t => typeof(IHtmlDisplayable).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false } or { IsValueType: true })
            .ToList();
        Assert.Contains(typeof(ResultsTable), types);
        Assert.Contains(typeof(MedDeblur.Figures.Figure), types);
        Assert.Contains(typeof(HtmlFragment), types);
        foreach (var type in types)
        {
            var source = type.GetCustomAttributes(true).Where(a => a.GetType().Name == "TypeFormatterSourceAttribute")
                .Select(a => a.GetType().GetProperty("FormatterSourceType")!.GetValue(a)).SingleOrDefault();
            Assert.True(source is Type { Name: "HtmlFormatterSource" }, $"{type} implements IHtmlDisplayable without [TypeFormatterSource(typeof(HtmlFormatterSource))]");
        }
    }

    [Fact]
    public void Png_bytes_become_an_inline_image_of_the_right_size()
    {
        using var bitmap = new SKBitmap(3, 2);
        bitmap.Erase(SKColors.Red);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        byte[] png = data.ToArray();

        var image = HtmlImage.FromPngBytes(png, alt: "red \"patch\"");

        string html = image.ToDisplayString("text/html");
        Assert.Equal($"<img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"red &quot;patch&quot;\" width=\"3\" height=\"2\">", html);
        Assert.Equal("red \"patch\" (PNG image 3×2)", image.ToString());
        Assert.Equal((3, 2), HtmlImage.PngSize(png));
        Assert.Contains("style=\"width:96px;height:auto;image-rendering:pixelated\"", HtmlImage.FromPngBytes(png, displayWidth: 96).ToHtml());
    }

    [Fact]
    public void Bytes_that_are_not_png_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => HtmlImage.FromPngBytes("GIF89a-not-a-png-file-at-all"u8.ToArray()));
        Assert.Contains("not a PNG file", e.Message);
    }

    private sealed class BareDisplayable : IHtmlDisplayable
    {
        public string ToHtml() => "<p>bare</p>";
    }
}
