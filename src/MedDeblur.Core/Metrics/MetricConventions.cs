namespace MedDeblur.Metrics;

/// <summary>Which channel(s) PSNR is computed on.</summary>
public enum PsnrChannels
{
    /// <summary>All channels jointly (one MSE over C x H x W), as skimage's peak_signal_noise_ratio.</summary>
    Rgb,
    /// <summary>The ITU-R BT.601 luma Y = 16 + 65.481 R + 128.553 G + 24.966 B (BasicSR's rgb2ycbcr), range 255.</summary>
    Y,
}

/// <summary>Which SSIM definition.</summary>
public enum SsimWindow
{
    /// <summary>scikit-image's default: 7x7 uniform window, sample covariance N/(N-1), map cropped by 3 px.</summary>
    Uniform7,
    /// <summary>Wang et al. 2004: 11x11 Gaussian window (σ = 1.5), population covariance, 'valid' region.</summary>
    Gaussian11,
}

/// <summary>Which colour-difference formula.</summary>
public enum DeltaEFormula
{
    /// <summary>CIEDE2000 with kL = kC = kH = 1 (skimage's deltaE_ciede2000).</summary>
    Ciede2000,
    /// <summary>CIE76: Euclidean distance in CIELAB.</summary>
    Cie76,
}

/// <summary>
/// The definitions behind a PSNR/SSIM/DeltaE number (docs/metrics.md). The paper does not define its metrics; the default
/// <see cref="Paper"/> is the official evaluation as reconstructed from its code: outputs quantised to 8 bits as saved
/// PNGs are, skimage PSNR on all channels with peak 255, skimage SSIM (uniform 7x7), CIEDE2000 on sRGB → CIELAB (D65).
/// </summary>
public sealed record MetricConventions
{
    /// <summary>Quantise both images to 8 bits (round half up) first, as saving and reloading a PNG does; peak 255. When false
    /// the float values are used with peak 1.</summary>
    public bool Quantize8Bit { get; init; } = true;

    /// <summary>PSNR channels.</summary>
    public PsnrChannels Psnr { get; init; } = PsnrChannels.Rgb;

    /// <summary>SSIM definition.</summary>
    public SsimWindow Ssim { get; init; } = SsimWindow.Uniform7;

    /// <summary>DeltaE formula.</summary>
    public DeltaEFormula DeltaE { get; init; } = DeltaEFormula.Ciede2000;

    /// <summary>Pixels cropped from every border before all metrics (0 = none, the paper's convention).</summary>
    public int CropBorder { get; init; }

    /// <summary>The paper's (reconstructed official) convention; the kit's default.</summary>
    public static MetricConventions Paper { get; } = new();

    /// <summary>The convention common in the deblurring literature: Y-channel PSNR, Wang's Gaussian SSIM.</summary>
    public static MetricConventions Literature { get; } = new() { Psnr = PsnrChannels.Y, Ssim = SsimWindow.Gaussian11 };

    /// <summary>Parses a named convention: <c>paper</c> or <c>literature</c>.</summary>
    public static MetricConventions Named(string name) => name.Trim().ToLowerInvariant() switch
    {
        "paper" or "default" => Paper,
        "literature" or "wang" => Literature,
        _ => throw new ArgumentException($"metric convention '{name}' is not one of: paper, literature"),
    };

    /// <summary>One line printed under every results table.</summary>
    public string Describe()
    {
        string q = Quantize8Bit ? "8-bit quantised, peak 255" : "float, peak 1";
        string psnr = Psnr == PsnrChannels.Rgb ? "all channels" : "BT.601 Y channel";
        string ssim = Ssim == SsimWindow.Uniform7 ? "skimage 7x7 uniform window, sample covariance, channel mean" : "Wang 2004 11x11 Gaussian σ1.5, channel mean";
        string de = DeltaE == DeltaEFormula.Ciede2000 ? "CIEDE2000" : "CIE76";
        string crop = CropBorder > 0 ? $" | {CropBorder}px border cropped" : "";
        return $"PSNR: {psnr}, {q} | SSIM: {ssim} | DeltaE: {de} on sRGB→CIELAB (D65), pixel mean{crop}";
    }
}
