using MedDeblur.Configuration;
using MedDeblur.Display;
using MedDeblur.Interactive;
using MedDeblur.Reporting;
using MedDeblur.Reproduction;
using Microsoft.Data.Analysis;

namespace MedDeblur.Notebooks;

/// <summary>
/// A finished reproduce run read back from its folder (what <c>meddeblur reproduce</c> or notebook 3 wrote): Tables
/// 2–4 and the per-image results as a <see cref="DataFrame"/>, so notebooks 3–6 reuse the command line's run instead of
/// training again.
/// </summary>
/// <remarks>A small loader kept apart from <see cref="ReproducePipeline"/>; it reads only the files the pipeline's
/// last step writes (report.html marks a finished run).</remarks>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class FinishedRun : IHtmlDisplayable
{
    private FinishedRun(string folder, RunOptions options, ResultsTable comparison, ResultsTable ablation, ResultsTable analysis, DataFrame perImage)
    {
        Folder = folder;
        Options = options;
        Comparison = comparison;
        Ablation = ablation;
        Analysis = analysis;
        PerImage = perImage;
    }

    /// <summary>The run folder.</summary>
    public string Folder { get; }

    /// <summary>The options the run was made with (its options.json).</summary>
    public RunOptions Options { get; }

    /// <summary>The report of the run.</summary>
    public string ReportPath => Path.Combine(Folder, "report.html");

    /// <summary>Table 2.</summary>
    public ResultsTable Comparison { get; }

    /// <summary>Table 3.</summary>
    public ResultsTable Ablation { get; }

    /// <summary>Table 4.</summary>
    public ResultsTable Analysis { get; }

    /// <summary>One row per method and test image: method, modality, image, kernel, psnr, ssim, deltaE, seconds.</summary>
    public DataFrame PerImage { get; }

    /// <summary>Whether <paramref name="folder"/> holds a finished run (its report.html and options.json exist).</summary>
    public static bool IsFinished(string folder) =>
        File.Exists(Path.Combine(folder, "report.html")) && File.Exists(Path.Combine(folder, "options.json"));

    /// <summary>Reads a finished run.</summary>
    /// <exception cref="MedDeblurException">The folder holds no finished run.</exception>
    public static FinishedRun Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string full = Path.GetFullPath(folder);
        if (!IsFinished(full)) throw new MedDeblurException($"{full} holds no finished reproduce run (no report.html): run `meddeblur reproduce` or notebook 3 first");
        string tables = Path.Combine(full, "tables");
        var options = RunOptions.Parse(File.ReadAllText(Path.Combine(full, "options.json")), Path.Combine(full, "options.json"));
        return new FinishedRun(full, options, Table(tables, "table2_comparison"), Table(tables, "table3_ablation"), Table(tables, "table4_model_analysis"),
            PerImageFrame(Path.Combine(tables, "per_image.csv")));
    }

    /// <summary>
    /// The reproduce run of <paramref name="run"/> (<see cref="NotebookRun.ReproduceFolder"/>): loaded when finished,
    /// else run (or continued) by the pipeline with an in-place progress display and the kernel's Stop button, then loaded.
    /// </summary>
    public static FinishedRun LoadOrReproduce(NotebookRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (IsFinished(run.ReproduceFolder)) return Load(run.ReproduceFolder);
        var progress = Kit.Progress($"reproduce ({run.Options.Name}) into {run.ReproduceFolder}");
        var result = ReproducePipeline.Run(run.Options, run.ReproduceFolder, Kit.Cancellation, p => progress.Report(p.Fraction ?? progress.Fraction, $"{p.Stage}: {p.Detail}"));
        progress.Done($"done in {Durations.Format(result.Duration)}; report: {result.ReportPath}");
        return Load(run.ReproduceFolder);
    }

    /// <summary>Mean PSNR, SSIM and DeltaE per method and modality, from <see cref="PerImage"/>.</summary>
    public DataFrame MeansByMethodAndModality()
    {
        var key = new StringDataFrameColumn("method_modality", Enumerable.Range(0, (int)PerImage.Rows.Count)
            .Select(i => $"{PerImage["method"][i]} | {PerImage["modality"][i]}"));
        var frame = PerImage.Clone();
        frame.Columns.Add(key);
        return frame.GroupBy("method_modality").Mean("psnr", "ssim", "deltaE").OrderBy("method_modality");
    }

    /// <summary>Parameters vs latency vs average PSNR of the run's networks (Table 4 and the per-image results).</summary>
    public Plotly.NET.GenericChart ParametersLatencyPsnrChart() =>
        Figures.InteractiveCharts.ParametersLatencyPsnr(InteractiveReportSections.ParametersLatencyPsnr(PerImage, Analysis));

    /// <summary>Per-image PSNR/SSIM/DeltaE gains over the blurry input per modality and Table 2 method.</summary>
    public Plotly.NET.GenericChart GainsChart() =>
        Figures.InteractiveCharts.GainsOverBlurryInput(PerImage, Options.Reproduce.Comparison.Select(ReproducePipeline.DisplayName).ToArray());

    /// <summary>The ablation variants' per-image PSNR gains.</summary>
    public Plotly.NET.GenericChart AblationChart() =>
        Figures.InteractiveCharts.Ablation(PerImage, Options.Reproduce.Ablation.Select(ReproducePipeline.DisplayName).ToArray());

    /// <inheritdoc />
    public string ToHtml() => $"<p>finished run {Html.Encode(Folder)} (preset {Html.Encode(Options.Name)}): {PerImage.Rows.Count} per-image rows; report {Html.Encode(ReportPath)}</p>";

    /// <inheritdoc />
    public override string ToString() => $"finished run {Folder} (preset {Options.Name}): {PerImage.Rows.Count} per-image rows; report {ReportPath}";

    private static ResultsTable Table(string folder, string name)
    {
        var rows = Csv(File.ReadAllText(Path.Combine(folder, name + ".csv")));
        var notes = File.Exists(Path.Combine(folder, name + ".notes.txt"))
            ? File.ReadAllLines(Path.Combine(folder, name + ".notes.txt")).Where(l => l.Length > 0).ToArray()
            : [name];
        var table = new ResultsTable(notes[0], rows[0]);
        foreach (var row in rows.Skip(1)) table.Add([.. row]);
        table.Notes.AddRange(notes.Skip(1));
        return table;
    }

    private static DataFrame PerImageFrame(string path)
    {
        var rows = Csv(File.ReadAllText(path));
        var header = rows[0];
        var columns = header.Select<string, DataFrameColumn>((name, c) =>
        {
            var values = rows.Skip(1).Select(r => r[c]).ToArray();
            return name switch
            {
                "method" or "modality" or "image" => new StringDataFrameColumn(name, values),
                "kernel_length" => new Int32DataFrameColumn(name, values.Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))),
                _ => new DoubleDataFrameColumn(name, values.Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))),
            };
        });
        return new DataFrame(columns);
    }

    /// <summary>RFC 4180 rows (quoted fields with doubled quotes), as the kit writes them.</summary>
    private static List<string[]> Csv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (ch == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add([.. row]); row.Clear(); }
            else if (ch != '\r') field.Append(ch);
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add([.. row]); }
        return rows;
    }
}
