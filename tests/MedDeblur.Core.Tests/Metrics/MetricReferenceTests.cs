using System.Globalization;
using System.Text.Json;
using MedDeblur.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Metrics;

/// <summary>Metrics against scikit-image 0.19 values (tests/reference/make_metric_fixtures.py) and Sharma et al. 2005.</summary>
public class MetricReferenceTests
{
    private static Tensor Image(JsonElement chw) =>
        tensor(chw.EnumerateArray().SelectMany(p => p.EnumerateArray().SelectMany(r => r.EnumerateArray())).Select(v => v.GetInt32() / 255f).ToArray(),
            [chw.GetArrayLength(), chw[0].GetArrayLength(), chw[0][0].GetArrayLength()]);

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String ? double.PositiveInfinity : e.GetDouble();

    public static IEnumerable<object[]> Pairs()
    {
        using var doc = Fixture.Json("Metrics", "skimage_reference.json");
        foreach (var p in doc.RootElement.GetProperty("pairs").EnumerateArray()) yield return [p.GetProperty("name").GetString()!];
    }

    private static JsonElement Pair(JsonDocument doc, string name) =>
        doc.RootElement.GetProperty("pairs").EnumerateArray().First(p => p.GetProperty("name").GetString() == name);

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Paper_convention_matches_skimage(string name)
    {
        using var scope = NewDisposeScope();
        using var doc = Fixture.Json("Metrics", "skimage_reference.json");
        var pair = Pair(doc, name);
        var s = ImageQuality.Measure(Image(pair.GetProperty("reference")), Image(pair.GetProperty("test")))[0];
        double psnr = Number(pair.GetProperty("psnr"));
        if (double.IsPositiveInfinity(psnr)) Assert.Equal(double.PositiveInfinity, s.Psnr);
        else Assert.Equal(psnr, s.Psnr, 1e-4);
        Assert.Equal(pair.GetProperty("ssim_uniform").GetDouble(), s.Ssim, 1e-4);
        Assert.Equal(pair.GetProperty("deltae_ciede2000").GetDouble(), s.DeltaE, 1e-3);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Literature_options_match_their_references(string name)
    {
        using var scope = NewDisposeScope();
        using var doc = Fixture.Json("Metrics", "skimage_reference.json");
        var pair = Pair(doc, name);
        var r = Image(pair.GetProperty("reference"));
        var t = Image(pair.GetProperty("test"));
        var c = new MetricConventions { Psnr = PsnrChannels.Y, Ssim = SsimWindow.Gaussian11, DeltaE = DeltaEFormula.Cie76 };
        double psnrY = Number(pair.GetProperty("psnr_y"));
        double actualY = ImageQuality.Psnr(r, t, c)[0];
        if (double.IsPositiveInfinity(psnrY)) Assert.Equal(double.PositiveInfinity, actualY);
        else Assert.Equal(psnrY, actualY, 1e-4);
        Assert.Equal(pair.GetProperty("ssim_gaussian").GetDouble(), ImageQuality.Ssim(r, t, c)[0], 1e-4);
        Assert.Equal(pair.GetProperty("deltae_cie76").GetDouble(), ImageQuality.DeltaE(r, t, c)[0], 1e-3);
    }

    [Fact]
    public void Ciede2000_matches_the_34_Sharma_Wu_Dalal_pairs()
    {
        var rows = File.ReadLines(Fixture.Path("Metrics", "sharma2005_ciede2000.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t', ' ')).ToArray();
        Assert.Equal(34, rows.Length);
        double P(string[] r, int i) => double.Parse(r[i], CultureInfo.InvariantCulture);
        // columns: pair, 1, L1, a1, b1, (intermediates...), dE, 2, L2, a2, b2, ...
        var lab1 = tensor(rows.SelectMany(r => new[] { P(r, 2), P(r, 3), P(r, 4) }).ToArray(), [34, 3]);
        var lab2 = tensor(rows.SelectMany(r => new[] { P(r, 17), P(r, 18), P(r, 19) }).ToArray(), [34, 3]);
        var expected = rows.Select(r => P(r, 15)).ToArray();
        var actual = Ciede2000.Compute(lab1, lab2).data<double>().ToArray();
        Assert.Equal(2.0425, expected[0]);
        for (int i = 0; i < 34; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4, $"pair {i + 1}: {actual[i]:F6} vs {expected[i]}");
    }

    [Fact]
    public void Rgb_to_lab_matches_skimage()
    {
        using var doc = Fixture.Json("Metrics", "skimage_reference.json");
        foreach (var c in doc.RootElement.GetProperty("rgb2lab").EnumerateArray())
        {
            var rgb = c.GetProperty("rgb").EnumerateArray().Select(v => v.GetInt32() / 255.0).ToArray();
            var lab = ColorSpace.RgbToLab(tensor(rgb, [3, 1, 1])).data<double>().ToArray();
            var expected = c.GetProperty("lab").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(expected[i] - lab[i]) < 1e-9, $"rgb {string.Join(",", rgb)}: {lab[i]} vs {expected[i]}");
        }
    }
}
