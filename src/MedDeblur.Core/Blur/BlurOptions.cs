namespace MedDeblur.Blur;

/// <summary>
/// Settings of the blur simulator. Defaults follow the official code: d uniform in [20, 45], angle uniform in [-45, 45]
/// integer degrees, no noise, no 8-bit rounding; except the normalisation, which defaults to <see cref="KernelNormalization.Sum"/>
/// (the official divide-by-d darkens images; choose <see cref="KernelNormalization.Official"/> to reproduce it).
/// With the official angle range only orientations between horizontal and vertical through "\" occur (90° of 180°);
/// widen to [-90, 89] for every orientation.
/// </summary>
public sealed record BlurOptions
{
    /// <summary>Smallest kernel length (inclusive).</summary>
    public int MinLength { get; init; } = 20;

    /// <summary>Largest kernel length (inclusive).</summary>
    public int MaxLength { get; init; } = 45;

    /// <summary>Smallest angle in degrees (inclusive, integer steps as in the official code).</summary>
    public int MinAngle { get; init; } = -45;

    /// <summary>Largest angle in degrees (inclusive).</summary>
    public int MaxAngle { get; init; } = 45;

    /// <summary>Kernel normalisation; stated in every run's options.</summary>
    public KernelNormalization Normalization { get; init; } = KernelNormalization.Sum;

    /// <summary>Standard deviation of additive Gaussian sensor noise S_N (Equation 1) in [0,1] intensity units; 0 = off.</summary>
    public double NoiseSigma { get; init; }

    /// <summary>Round the blurred image to 8 bits (half to even), as OpenCV's filter2D on uint8 images does.</summary>
    public bool RoundTo8Bit { get; init; }

    /// <summary>Checks every value and throws naming the bad one; returns this for chaining.</summary>
    public BlurOptions Validate()
    {
        if (MinLength < 1 || MinLength > MotionKernel.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(MinLength), MinLength, $"blur minLength must be in [1, {MotionKernel.MaxLength}]");
        if (MaxLength < MinLength || MaxLength > MotionKernel.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, $"blur maxLength must be in [minLength = {MinLength}, {MotionKernel.MaxLength}]");
        if (MinAngle < -180 || MinAngle > 180)
            throw new ArgumentOutOfRangeException(nameof(MinAngle), MinAngle, "blur minAngle must be in [-180, 180]");
        if (MaxAngle < MinAngle || MaxAngle > 180)
            throw new ArgumentOutOfRangeException(nameof(MaxAngle), MaxAngle, $"blur maxAngle must be in [minAngle = {MinAngle}, 180]");
        if (!(NoiseSigma >= 0) || NoiseSigma > 1)
            throw new ArgumentOutOfRangeException(nameof(NoiseSigma), NoiseSigma, "blur noiseSigma must be in [0, 1]");
        if (!Enum.IsDefined(Normalization))
            throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "blur normalization must be sum or official");
        return this;
    }

    /// <summary>One line for reports, e.g. "d 20-45, angle -45..45°, normalisation sum, no noise".</summary>
    public string Describe() => Describe(null);

    /// <summary>As <see cref="Describe()"/>, naming <paramref name="fixedKernel"/> instead of the random range when one
    /// kernel is forced for every image (e.g. the <c>simulate</c> verb given a length and an angle).</summary>
    public string Describe(BlurKernelParameters? fixedKernel) =>
        (fixedKernel is null ? $"motion blur: d {MinLength}-{MaxLength} px, angle {MinAngle}..{MaxAngle}°" : $"motion blur: one kernel {fixedKernel} for every image") +
        $", kernel normalisation {Normalization.ToString().ToLowerInvariant()}" +
        (NoiseSigma > 0 ? $", Gaussian noise σ={NoiseSigma}" : ", no noise") + (RoundTo8Bit ? ", 8-bit rounding" : "");
}
