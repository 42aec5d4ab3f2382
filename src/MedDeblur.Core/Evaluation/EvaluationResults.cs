using System.Globalization;
using System.Text;
using MedDeblur.Blur;
using MedDeblur.Display;
using MedDeblur.Metrics;
using Microsoft.Data.Analysis;

namespace MedDeblur.Evaluation;

/// <summary>Mean scores of one method on one modality (or on all).</summary>
/// <param name="Method">Method name.</param>
/// <param name="Modality">Modality, or "Average" (mean of the modality means, as the paper's Table 2).</param>
/// <param name="Psnr">Mean PSNR.</param>
/// <param name="Ssim">Mean SSIM.</param>
/// <param name="DeltaE">Mean DeltaE.</param>
/// <param name="Images">Images averaged.</param>
public sealed record MethodScores(string Method, string Modality, double Psnr, double Ssim, double DeltaE, int Images);

/// <summary>
/// Per-image results of an evaluation (a Microsoft.Data.Analysis <see cref="DataFrame"/>: method, modality, image,
/// kernel_length, kernel_angle, psnr, ssim, deltaE, seconds) with the paper-style aggregations.
/// </summary>
public sealed class EvaluationResults
{
    internal EvaluationResults(DataFrame perImage, IReadOnlyList<string> methods, IReadOnlyList<string> oracles,
        MetricConventions conventions, long kernelSeed, BlurOptions blur, int? maxImageSize)
    {
        MaxImageSize = maxImageSize;
        PerImage = perImage;
        Methods = methods;
        Oracles = oracles;
        Conventions = conventions;
        KernelSeed = kernelSeed;
        Blur = blur;
    }

    /// <summary>The centre-crop budget the images were evaluated at (null = native size).</summary>
    public int? MaxImageSize { get; }

    /// <summary>One row per (method, image).</summary>
    public DataFrame PerImage { get; }

    /// <summary>Methods in row order.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>Methods that were told the true kernel.</summary>
    public IReadOnlyList<string> Oracles { get; }

    /// <summary>Metric conventions used.</summary>
    public MetricConventions Conventions { get; }

    /// <summary>Seed of the fixed kernels.</summary>
    public long KernelSeed { get; }

    /// <summary>Blur settings used to make the inputs.</summary>
    public BlurOptions Blur { get; }

    /// <summary>Modalities in order of appearance.</summary>
    public IReadOnlyList<string> Modalities =>
        Enumerable.Range(0, (int)PerImage.Rows.Count).Select(i => (string)PerImage["modality"][i]).Distinct().ToArray();

    /// <summary>The results of some methods only (e.g. the ablation variants for Table 3), in the given order.</summary>
    public EvaluationResults Subset(IReadOnlyList<string> methods)
    {
        var unknown = methods.Except(Methods).ToArray();
        if (unknown.Length > 0) throw new ArgumentException($"no results for method(s) {string.Join(", ", unknown)}; evaluated: {string.Join(", ", Methods)}");
        var keep = new PrimitiveDataFrameColumn<bool>("keep", Enumerable.Range(0, (int)PerImage.Rows.Count).Select(i => methods.Contains((string)PerImage["method"][i])));
        return new EvaluationResults(PerImage.Filter(keep), methods, Oracles.Where(methods.Contains).ToArray(), Conventions, KernelSeed, Blur, MaxImageSize);
    }

    /// <summary>The scores of one method on one image (relative path; the extension is ignored), or null.</summary>
    public QualityScores? Score(string method, string image)
    {
        string key = Path.ChangeExtension(image, null);
        for (int i = 0; i < PerImage.Rows.Count; i++)
            if ((string)PerImage["method"][i] == method && Path.ChangeExtension((string)PerImage["image"][i], null) == key)
                return new QualityScores((double)PerImage["psnr"][i], (double)PerImage["ssim"][i], (double)PerImage["deltaE"][i]);
        return null;
    }

    /// <summary>Mean scores per method and modality, then per method the "Average" row (mean of the modality means).</summary>
    public IReadOnlyList<MethodScores> Means()
    {
        var rows = Enumerable.Range(0, (int)PerImage.Rows.Count).Select(i => (
            Method: (string)PerImage["method"][i], Modality: (string)PerImage["modality"][i],
            Psnr: (double)PerImage["psnr"][i], Ssim: (double)PerImage["ssim"][i], DeltaE: (double)PerImage["deltaE"][i])).ToArray();
        var result = new List<MethodScores>();
        foreach (var modality in Modalities)
            foreach (var method in Methods)
            {
                var of = rows.Where(r => r.Method == method && r.Modality == modality).ToArray();
                result.Add(new MethodScores(method, modality, of.Average(r => r.Psnr), of.Average(r => r.Ssim), of.Average(r => r.DeltaE), of.Length));
            }
        foreach (var method in Methods)
        {
            var of = result.Where(r => r.Method == method).ToArray();
            result.Add(new MethodScores(method, "Average", of.Average(r => r.Psnr), of.Average(r => r.Ssim), of.Average(r => r.DeltaE), of.Sum(r => r.Images)));
        }
        return result;
    }

    /// <summary>The paper's Table 2: per modality and method, PSNR/SSIM/DeltaE, best blind method per modality emphasised.</summary>
    public ResultsTable ComparisonTable(string title = "Table 2. Objective comparison (mean per modality; Average = mean of modality means)")
    {
        var table = new ResultsTable(title, ["Modality", "Method", "PSNR (dB) ↑", "SSIM ↑", "DeltaE ↓", "Images"]);
        int row = 0;
        foreach (var group in Means().GroupBy(m => m.Modality))
        {
            var blind = group.Where(m => !Oracles.Contains(m.Method) && m.Method != "Blurry input").ToArray();
            string? best = blind.Length > 0 ? blind.MaxBy(m => m.Psnr)!.Method : null;
            foreach (var m in group)
            {
                table.Add(m.Modality, Oracles.Contains(m.Method) ? m.Method + " †" : m.Method, m.Psnr, F4(m.Ssim), m.DeltaE, m.Images);
                if (m.Method == best) table.Emphasised.Add(row);
                row++;
            }
        }
        AddNotes(table);
        return table;
    }

    /// <summary>A compact table of the Average rows only (used for the ablation, Table 3).</summary>
    public ResultsTable AverageTable(string title, IReadOnlyDictionary<string, string>? descriptions = null)
    {
        var table = new ResultsTable(title, ["Variant", "Description", "PSNR (dB) ↑", "SSIM ↑", "DeltaE ↓"]);
        foreach (var m in Means().Where(m => m.Modality == "Average"))
            table.Add(m.Method, descriptions?.GetValueOrDefault(m.Method) ?? "", m.Psnr, F4(m.Ssim), m.DeltaE);
        AddNotes(table);
        return table;
    }

    /// <summary>Per-image rows as CSV (the DataFrame, numbers with full precision, invariant culture).</summary>
    public string PerImageCsv()
    {
        var sb = new StringBuilder(string.Join(",", PerImage.Columns.Select(c => c.Name))).Append('\n');
        for (long i = 0; i < PerImage.Rows.Count; i++)
        {
            sb.AppendJoin(",", PerImage.Columns.Select(c => c[i] switch
            {
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                string s when s.IndexOfAny([',', '"']) >= 0 => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
                var v => Convert.ToString(v, CultureInfo.InvariantCulture),
            })).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Reads a per_image.csv written by <see cref="PerImageCsv"/> back as a <see cref="DataFrame"/> (text columns
    /// method, modality, image; integer kernel_length; every other column a double).</summary>
    public static DataFrame ReadPerImageCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string[] header = File.ReadLines(path).FirstOrDefault()?.Split(',') ?? throw new MedDeblurException($"{path} is empty (no per-image header)");
        var types = header.Select(c => c switch
        {
            "method" or "modality" or "image" => typeof(string),
            "kernel_length" => typeof(int),
            _ => typeof(double),
        }).ToArray();
        return DataFrame.LoadCsv(path, dataTypes: types, cultureInfo: CultureInfo.InvariantCulture);
    }

    /// <summary>Writes per_image.csv, table.csv and table.md into <paramref name="folder"/>.</summary>
    public void Save(string folder, string tableName = "table2_comparison")
    {
        AtomicFile.WriteAllText(Path.Combine(folder, "per_image.csv"), PerImageCsv());
        ComparisonTable().Save(folder, tableName);
    }

    private void AddNotes(ResultsTable table)
    {
        table.Notes.Add(Conventions.Describe());
        table.Notes.Add($"Inputs: {Blur.Describe()}; one fixed kernel per image from seed {KernelSeed} and its path (per_image.csv lists them).");
        if (MaxImageSize is int max) table.Notes.Add($"Evaluation budget: images larger than {max}x{max} were blurred at native size and evaluated on their centre {max}x{max} crop (not the paper's whole images).");
        if (Oracles.Count > 0) table.Notes.Add("† oracle: told the true blur kernel (non-blind), unlike every network; a reference, not a competitor.");
    }

    private static string F4(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
