using System.Text.Json;
using MedDeblur.Blur;
using MedDeblur.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Blur;

public class MotionBlurSimulatorTests
{
    private static Tensor FromJson(JsonElement chw)
    {
        var planes = chw.EnumerateArray().Select(p => p.EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetInt32()).ToArray()).ToArray()).ToArray();
        int c = planes.Length, h = planes[0].Length, w = planes[0][0].Length;
        var flat = planes.SelectMany(p => p.SelectMany(r => r)).ToArray();
        return tensor(flat, [c, h, w]);
    }

    public static IEnumerable<object[]> FilteredCrops()
    {
        using var doc = Fixture.Json("Blur", "opencv_reference.json");
        int i = 0;
        foreach (var crop in doc.RootElement.GetProperty("filtered").EnumerateArray())
            yield return [i++, crop.GetProperty("source").GetString()!, crop.GetProperty("length").GetInt32(), crop.GetProperty("angle").GetInt32()];
    }

    [Theory]
    [MemberData(nameof(FilteredCrops))]
    public void Official_blur_of_a_real_image_matches_OpenCV_filter2D(int index, string source, int length, int angle)
    {
        using var scope = NewDisposeScope();
        using var doc = Fixture.Json("Blur", "opencv_reference.json");
        var crop = doc.RootElement.GetProperty("filtered")[index];
        var input = FromJson(crop.GetProperty("input")) / 255;
        var expected = FromJson(crop.GetProperty("output"));
        var simulator = new MotionBlurSimulator(new BlurOptions { Normalization = KernelNormalization.Official, RoundTo8Bit = true });
        var actual = (simulator.Apply(input, new BlurKernelParameters(length, angle)) * 255).round();
        var diff = (actual - expected).abs();
        Assert.True(diff.max().item<float>() <= 1, $"{source} ({length},{angle}): max difference {diff.max().item<float>()} LSB");
        long off = diff.gt(0).sum().item<long>();
        Assert.True(off <= diff.numel() / 500, $"{source} ({length},{angle}): {off} of {diff.numel()} pixels differ by 1 LSB");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(30)]
    public void Constant_image_stays_constant_under_sum_and_darkens_by_the_kernel_sum_under_official(int length)
    {
        using var scope = NewDisposeScope();
        var image = full(3, 40, 50, 0.6f);
        var p = new BlurKernelParameters(length, 20);
        var sum = new MotionBlurSimulator().Apply(image, p);
        Assert.True(sum.allclose(image, rtol: 0, atol: 1e-5), "sum-normalised blur changed a constant image");
        var official = new MotionBlurSimulator(new BlurOptions { Normalization = KernelNormalization.Official }).Apply(image, p);
        Assert.Equal(0.6 * MotionKernel.OfficialSum(p), official.mean().item<float>(), 4);
    }

    [Fact]
    public void Mixed_kernels_in_one_batch_equal_per_image_application_and_fft_equals_direct()
    {
        using var scope = NewDisposeScope();
        var images = rand(3, 2, 37, 53, generator: new Generator(11));
        var kernels = new[] { new BlurKernelParameters(5, 30), new BlurKernelParameters(24, -13), new BlurKernelParameters(45, 45) };
        var sim = new MotionBlurSimulator();
        var batch = sim.Apply(images, kernels);
        for (int i = 0; i < 3; i++)
        {
            var single = sim.Apply(images[i], kernels[i]);
            Assert.True(batch[i].allclose(single, rtol: 0, atol: 1e-5), $"image {i} differs between batch and single");
            // independent direct correlation in float64 (no FFT) as the reference
            var k = sim.Kernel(kernels[i]).to_type(ScalarType.Float64);
            int d = (int)k.shape[0], a = d / 2;
            var padded = ReflectPad.Reflect101(images[i].unsqueeze(0).to_type(ScalarType.Float64), a, d - 1 - a);
            var direct = nn.functional.conv2d(padded.transpose(0, 1), k.view(1, 1, d, d)).transpose(0, 1).squeeze(0);
            Assert.True(batch[i].to_type(ScalarType.Float64).allclose(direct, rtol: 0, atol: 1e-5), $"image {i} differs from direct correlation");
        }
    }

    [Fact]
    public void Images_smaller_than_the_kernel_are_reflected_as_often_as_needed()
    {
        using var scope = NewDisposeScope();
        var image = rand(1, 1, 9, 6, generator: new Generator(2));
        var padded = ReflectPad.Reflect101(image, 20, 20);
        Assert.Equal(new long[] { 1, 1, 49, 46 }, padded.shape);
        // reflect-101: index -1 mirrors index 1, index n mirrors n-2
        Assert.Equal(image[0, 0, 1, 0].item<float>(), padded[0, 0, 19, 20].item<float>());
        Assert.Equal(image[0, 0, 7, 0].item<float>(), padded[0, 0, 29, 20].item<float>());
        foreach (var p in new[] { new BlurKernelParameters(45, 0), new BlurKernelParameters(33, 17) })
        {
            // FFT path (45 >= FftThreshold) against a plain double loop with its own reflect-101 index arithmetic
            var blurred = new MotionBlurSimulator().Apply(image, [p]);
            Assert.Equal(image.shape, blurred.shape);
            var expected = DirectCorrelation(image[0, 0].to_type(ScalarType.Float64), MotionKernel.Compute(p, KernelNormalization.Sum));
            Assert.True(blurred[0, 0].to_type(ScalarType.Float64).allclose(expected, rtol: 0, atol: 1e-5), $"{p}: FFT blur differs from direct correlation");
        }
        // a constant image stays constant whatever the reflections
        var constant = new MotionBlurSimulator().Apply(full(1, 1, 5, 3, 0.25f), [new BlurKernelParameters(45, 30)]);
        Assert.True(constant.allclose(full(1, 1, 5, 3, 0.25f), rtol: 0, atol: 1e-6));
    }

    /// <summary>filter2D by definition: out(y,x) = sum k(i,j) img(r(y+i-a), r(x+j-a)), reflect-101 indices r.</summary>
    private static Tensor DirectCorrelation(Tensor image, double[,] kernel)
    {
        int h = (int)image.shape[0], w = (int)image.shape[1], d = kernel.GetLength(0), a = d / 2;
        var pixels = image.data<double>().ToArray();
        static int Reflect(int i, int n)
        {
            if (n == 1) return 0;
            while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
            return i;
        }
        var output = new double[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double sum = 0;
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++)
                        sum += kernel[i, j] * pixels[Reflect(y + i - a, h) * w + Reflect(x + j - a, w)];
                output[y * w + x] = sum;
            }
        return tensor(output, [h, w]);
    }

    [Fact]
    public void ApplyFixed_uses_the_fixed_kernel_and_noise_keyed_by_seed_and_path()
    {
        using var scope = NewDisposeScope();
        var image = rand(1, 30, 40, generator: new Generator(4));
        var sim = new MotionBlurSimulator(new BlurOptions { NoiseSigma = 0.01 });
        var (blurred, kernel) = sim.ApplyFixed(image, 2023, "mri/colin27_t1_ax_z050.png");
        Assert.Equal(new BlurKernelParameters(35, -15), kernel);
        // the noise generator is seeded exactly as before this method existed (results stay reproducible)
        var expected = sim.Apply(image, kernel, new Generator(MedDeblur.Data.DeterministicRandom.For(2023, 0, "noise:mri/colin27_t1_ax_z050.png").NextSeed()));
        Assert.True(blurred.allclose(expected, rtol: 0, atol: 0));
        Assert.True(sim.ApplyFixed(image, 2023, "mri\\colin27_t1_ax_z050.png").Blurred.allclose(blurred, rtol: 0, atol: 0));
        var other = sim.ApplyFixed(image, 2023, "mri/colin27_t1_ax_z050.png", new BlurKernelParameters(35, -15));
        Assert.True(other.Blurred.allclose(blurred, rtol: 0, atol: 0));
        Assert.False(sim.ApplyFixed(image, 2024, "mri/colin27_t1_ax_z050.png", kernel).Blurred.allclose(blurred, rtol: 0, atol: 0));
        // without noise no generator is needed and the result is the plain blur
        var clean = new MotionBlurSimulator().ApplyFixed(image, 2023, "mri/colin27_t1_ax_z050.png").Blurred;
        Assert.True(clean.allclose(new MotionBlurSimulator().Apply(image, kernel), rtol: 0, atol: 0));
    }

    [Fact]
    public void Fixed_kernels_are_deterministic_per_path_and_within_range()
    {
        var sim = new MotionBlurSimulator();
        var a = sim.FixedFor(2023, "mri/colin27_t1_ax_z050.png");
        Assert.Equal(a, new MotionBlurSimulator().FixedFor(2023, "mri\\colin27_t1_ax_z050.png"));
        var all = Enumerable.Range(0, 400).Select(i => sim.FixedFor(2023, $"x/{i}.png")).ToArray();
        Assert.True(all.Distinct().Count() > 300, "fixed kernels should differ between paths");
        Assert.All(all, p => { Assert.InRange(p.Length, 20, 45); Assert.InRange(p.AngleDegrees, -45, 45); });
        Assert.Contains(all, p => p.Length == 20);
        Assert.Contains(all, p => p.Length == 45);
        Assert.NotEqual(a, sim.FixedFor(2024, "mri/colin27_t1_ax_z050.png"));
        // golden values: fixed kernels must never change between versions, or published results stop being reproducible
        Assert.Equal(new BlurKernelParameters(35, -15), a);
        Assert.Equal(new BlurKernelParameters(29, -5), sim.FixedFor(7, "xray/chest_ct_localizer.png"));
    }

    [Fact]
    public void Sampling_is_reproducible_from_the_seed_and_covers_the_range()
    {
        var sim = new MotionBlurSimulator(new BlurOptions { MinLength = 3, MaxLength = 6, MinAngle = -2, MaxAngle = 2 });
        var first = sim.Sample(new Generator(7), 500);
        var again = sim.Sample(new Generator(7), 500);
        Assert.Equal(first, again);
        Assert.Equal([3, 4, 5, 6], first.Select(p => p.Length).Distinct().Order().ToArray());
        Assert.Equal([-2.0, -1, 0, 1, 2], first.Select(p => p.AngleDegrees).Distinct().Order().ToArray());
        Assert.NotEqual(first, sim.Sample(new Generator(8), 500));
    }

    [Fact]
    public void Sensor_noise_has_the_requested_standard_deviation_and_needs_a_generator()
    {
        using var scope = NewDisposeScope();
        var sim = new MotionBlurSimulator(new BlurOptions { NoiseSigma = 0.02 });
        var image = full(1, 1, 128, 128, 0.5f);
        var noisy = sim.Apply(image, [new BlurKernelParameters(5, 0)], new Generator(1));
        Assert.Equal(0.02, (noisy - 0.5f).std().item<float>(), 3);
        Assert.Throws<ArgumentException>(() => sim.Apply(image, [new BlurKernelParameters(5, 0)]));
    }

    [Theory]
    [InlineData(0, 45, "MinLength")]
    [InlineData(30, 20, "MaxLength")]
    public void Invalid_options_name_the_value(int min, int max, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BlurOptions { MinLength = min, MaxLength = max }.Validate());
        Assert.Equal(name, e.ParamName);
    }
}
