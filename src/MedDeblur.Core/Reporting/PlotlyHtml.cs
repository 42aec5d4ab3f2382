using Plotly.NET;

namespace MedDeblur.Reporting;

/// <summary>
/// Plotly.NET charts as HTML that works offline: a chart fragment without any script reference
/// (<see cref="Fragment"/>) and the plotly.js library that ships inside the Plotly.NET assembly, as one inline script
/// (<see cref="Script"/>) that a page or notebook includes once, however many charts it has.
/// </summary>
public static class PlotlyHtml
{
    private static readonly Lazy<string> Library = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        string name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".min.js", StringComparison.Ordinal) && n.Contains("plotly", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    });

    /// <summary>
    /// A <c>&lt;script&gt;</c> element holding plotly.js (about 3.6 MB) that defines <c>window.Plotly</c>, also on pages
    /// that load RequireJS (Jupyter), where plotly.js would otherwise register as an AMD module only.
    /// </summary>
    public static string Script() =>
        "<script type=\"text/javascript\">(function(){var define=undefined,module=undefined,exports=undefined;\n" +
        Library.Value.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) + "\n}).call(window);</script>";

    /// <summary>The chart as a <c>div</c> and the script that draws it with the page's <c>window.Plotly</c>.</summary>
    public static string Fragment(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return GenericChart.toChartHTML(chart);
    }
}
