using System.Diagnostics;
using System.Globalization;
using MedDeblur.Display;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Html = MedDeblur.Display.Html;

namespace MedDeblur.Interactive;

/// <summary>
/// A progress bar in a notebook output that is updated in place (the kernel's display update), with the fraction
/// done, the elapsed time and the estimated time left; also an <see cref="IProgress{T}"/> of fractions. Outside a
/// kernel it writes nothing.
/// </summary>
public sealed class NotebookProgress : IProgress<double>
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly DisplayedValue? view;
    private long lastUpdate = long.MinValue;

    internal NotebookProgress(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        Title = title;
        if (KernelInvocationContext.Current is not null) view = KernelInvocationContext.Current.Display(new HtmlFragment(Render(0, "starting")), "text/html");
    }

    /// <summary>What is running.</summary>
    public string Title { get; }

    /// <summary>The last fraction reported, in [0, 1].</summary>
    public double Fraction { get; private set; }

    /// <summary>The last detail line reported.</summary>
    public string Detail { get; private set; } = "";

    /// <summary>Shows <paramref name="fraction"/> (clamped to [0, 1]) and a detail line; redraws at most every 0.25 s
    /// except for the first and the final (1.0) report.</summary>
    public void Report(double fraction, string detail)
    {
        Fraction = double.IsFinite(fraction) ? Math.Clamp(fraction, 0, 1) : 0;
        Detail = detail ?? "";
        long now = clock.ElapsedMilliseconds;
        if (view is null || (now - lastUpdate < 250 && Fraction < 1)) return;
        lastUpdate = now;
        view.Update(new HtmlFragment(Render(Fraction, Detail)));
    }

    /// <inheritdoc />
    public void Report(double value) => Report(value, Detail);

    /// <summary>Ends the display with a final line (e.g. "done in 00:03:12").</summary>
    public void Done(string detail) => Report(1, detail);

    /// <summary>The estimated time left from the elapsed time and the fraction done; null before any progress.</summary>
    public TimeSpan? Remaining => Fraction <= 0 ? null : TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds * (1 - Fraction) / Fraction);

    private string Render(double fraction, string detail)
    {
        var c = CultureInfo.InvariantCulture;
        string eta = Remaining is { } r ? Durations.Format(r) : "?";
        return string.Create(c,
            $"<div><b>{Html.Encode(Title)}</b> <progress max=\"1\" value=\"{fraction:0.000}\" style=\"width:20em\"></progress> " +
            $"{fraction * 100:0}% | elapsed {Durations.Format(clock.Elapsed)} | ETA {eta}<br><code>{Html.Encode(detail)}</code></div>");
    }

    /// <inheritdoc />
    public override string ToString() => $"{Title}: {Fraction:P0} {Detail}";
}
