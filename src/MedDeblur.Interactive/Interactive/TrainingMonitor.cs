using System.Diagnostics;
using MedDeblur.Display;
using MedDeblur.Figures;
using MedDeblur.Reporting;
using MedDeblur.Training;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace MedDeblur.Interactive;

/// <summary>
/// Watches a training run in a notebook: an in-place progress bar (<see cref="NotebookProgress"/>) and the training
/// loss and validation PSNR drawn as an interactive chart that is redrawn in place while the run trains. Pass it as the
/// trainer's progress, with <see cref="Kit.Cancellation"/> as its cancellation token.
/// </summary>
public sealed class TrainingMonitor : IProgress<TrainingProgress>
{
    private readonly List<(int Step, double Loss)> loss = [];
    private readonly List<(int Step, double Psnr)> psnr = [];
    private readonly NotebookProgress progress;
    private readonly DisplayedValue? chart;
    private readonly Stopwatch sinceDraw = Stopwatch.StartNew();
    private readonly bool carriesLibrary;
    private int totalSteps;

    /// <summary>Starts the display for the run of <paramref name="label"/> (e.g. the model name).</summary>
    public TrainingMonitor(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        Label = label;
        progress = Kit.Progress("training " + label);
        if (KernelInvocationContext.Current is not null)
        {
            carriesLibrary = NotebookFormatters.ClaimPlotlyLibrary();
            chart = KernelInvocationContext.Current.Display(new HtmlFragment(ChartHtml(carriesLibrary)), "text/html");
        }
    }

    /// <summary>What is trained.</summary>
    public string Label { get; }

    /// <summary>The curves so far.</summary>
    public GenericChart Chart => InteractiveCharts.TrainingCurves([(Label, (IReadOnlyList<(int, double)>)loss, (IReadOnlyList<(int, double)>)psnr)]);

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        totalSteps = value.TotalSteps;
        loss.Add((value.Step, value.Loss));
        if (value.Validation is { Images: > 0 } v) psnr.Add((value.Step, v.Psnr));
        progress.Report((double)value.Step / value.TotalSteps, value.Describe());
        if (chart is not null && (sinceDraw.Elapsed > TimeSpan.FromSeconds(2) || value.Validation is not null))
        {
            chart.Update(new HtmlFragment(ChartHtml(withLibrary: false)));
            sinceDraw.Restart();
        }
    }

    /// <summary>Final redraw (the one an executed notebook keeps; with plotly.js when this is the kernel's first chart, so
    /// it renders when reopened offline).</summary>
    public void Done(TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        progress.Done($"step {result.Step}/{totalSteps}: {(result.Cancelled ? "stopped, checkpoint saved" : "done")}; {result.LastCheckpoint}");
        chart?.Update(new HtmlFragment(ChartHtml(carriesLibrary)));
    }

    private string ChartHtml(bool withLibrary) => (withLibrary ? PlotlyHtml.Script() : "") + PlotlyHtml.Fragment(Chart);
}
