using MedDeblur.Blur;

namespace MedDeblur.Tests.Blur;

public class MotionKernelTests
{
    public static IEnumerable<object[]> OpenCvKernels()
    {
        using var doc = Fixture.Json("Blur", "opencv_reference.json");
        foreach (var k in doc.RootElement.GetProperty("kernels").EnumerateArray())
            yield return [k.GetProperty("length").GetInt32(), k.GetProperty("angle").GetInt32()];
    }

    [Theory]
    [MemberData(nameof(OpenCvKernels))]
    public void Official_kernel_equals_OpenCV_warpAffine_exactly(int length, int angle)
    {
        using var doc = Fixture.Json("Blur", "opencv_reference.json");
        var expected = doc.RootElement.GetProperty("kernels").EnumerateArray()
            .First(k => k.GetProperty("length").GetInt32() == length && k.GetProperty("angle").GetInt32() == angle)
            .GetProperty("kernel");
        var actual = MotionKernel.Compute(new BlurKernelParameters(length, angle), KernelNormalization.Official);
        int y = 0;
        foreach (var row in expected.EnumerateArray())
        {
            int x = 0;
            foreach (var v in row.EnumerateArray())
            {
                Assert.True(Math.Abs(v.GetDouble() - actual[y, x]) < 1e-12, $"({length},{angle}) [{y},{x}]: {actual[y, x]} vs OpenCV {v.GetDouble()}");
                x++;
            }
            y++;
        }
        Assert.Equal(length, y);
    }

    [Theory]
    [InlineData(20, 45, 0.732)]
    [InlineData(45, 45, 0.686)]
    [InlineData(33, 10, 0.865)]
    [InlineData(30, 0, 1.000)]
    public void Official_kernel_sums_match_the_notes(int length, int angle, double sum)
    {
        Assert.Equal(sum, MotionKernel.OfficialSum(new BlurKernelParameters(length, angle)), 3);
    }

    [Fact]
    public void Official_sums_over_the_whole_default_range_lie_in_0_68_to_1()
    {
        var sums = (from d in Enumerable.Range(20, 26) from a in Enumerable.Range(-45, 91)
                    select MotionKernel.OfficialSum(new BlurKernelParameters(d, a))).ToArray();
        Assert.InRange(sums.Min(), 0.679, 0.681);
        Assert.Equal(1.0, sums.Max(), 9);
        Assert.InRange(sums.Average(), 0.78, 0.80);
    }

    [Theory]
    [InlineData(20, 33)]
    [InlineData(45, -45)]
    [InlineData(7, 12)]
    public void Sum_normalised_kernels_sum_to_one(int length, int angle)
    {
        var k = MotionKernel.Compute(new BlurKernelParameters(length, angle), KernelNormalization.Sum);
        Assert.Equal(1.0, k.Cast<double>().Sum(), 12);
    }

    [Fact]
    public void Angle_zero_is_the_main_diagonal_plus_45_horizontal_minus_45_vertical()
    {
        var diag = MotionKernel.Compute(new BlurKernelParameters(9, 0), KernelNormalization.Official);
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 9; x++)
                Assert.Equal(x == y ? 1.0 / 9 : 0.0, diag[y, x], 12);

        var horizontal = MotionKernel.Compute(new BlurKernelParameters(21, 45), KernelNormalization.Sum);
        var vertical = MotionKernel.Compute(new BlurKernelParameters(21, -45), KernelNormalization.Sum);
        double RowSpread(double[,] k) => Enumerable.Range(0, 21).Count(y => Enumerable.Range(0, 21).Any(x => k[y, x] > 1e-3));
        double ColSpread(double[,] k) => Enumerable.Range(0, 21).Count(x => Enumerable.Range(0, 21).Any(y => k[y, x] > 1e-3));
        Assert.True(RowSpread(horizontal) <= 3 && ColSpread(horizontal) >= 19, "+45 should be a horizontal line");
        Assert.True(ColSpread(vertical) <= 3 && RowSpread(vertical) >= 19, "-45 should be a vertical line");
    }

    [Theory]
    [InlineData(20)]
    [InlineData(33)]
    [InlineData(45)]
    public void Angle_zero_is_exactly_the_diagonal_under_both_normalisations(int length)
    {
        // the only orientation OpenCV's fixed-point warp leaves untouched: sum and official both give I/d, summing to 1
        foreach (var normalization in new[] { KernelNormalization.Sum, KernelNormalization.Official })
        {
            var k = MotionKernel.Compute(new BlurKernelParameters(length, 0), normalization);
            for (int y = 0; y < length; y++)
                for (int x = 0; x < length; x++)
                    Assert.Equal(x == y ? 1.0 / length : 0.0, k[y, x]);
        }
        Assert.Equal(1.0, MotionKernel.OfficialSum(new BlurKernelParameters(length, 0)), 12);
    }

    [Theory]
    [InlineData(45, 45, 31)]
    [InlineData(20, 33, 5)]
    [InlineData(31, 7, 26)]
    [InlineData(26, 44, 0)]
    [InlineData(37, 17, 25)]
    public void Opposite_angles_are_transposes_up_to_OpenCV_fixed_point_rounding(int length, int angle, int expectedMax1024ths)
    {
        // In exact arithmetic K(d, -a) = K(d, a)^T (the diagonal is symmetric about itself and the centre (d/2, d/2) lies
        // on it). OpenCV rounds the row and column parts of each source coordinate separately to 1/1024 and the
        // interpolation weights to 1/32, so the identity holds only to within that grid: every entry of d*K is a multiple
        // of 1/1024, and d*K(d,-a)^T and d*K(d,a) differ by at most two 1/32 steps.
        var plus = MotionKernel.Compute(new BlurKernelParameters(length, angle), KernelNormalization.Official);
        var minus = MotionKernel.Compute(new BlurKernelParameters(length, -angle), KernelNormalization.Official);
        int maxDiff = 0;
        for (int y = 0; y < length; y++)
            for (int x = 0; x < length; x++)
            {
                double a = plus[y, x] * length * 1024, b = minus[x, y] * length * 1024;
                Assert.Equal(Math.Round(a), a, 9);
                Assert.Equal(Math.Round(b), b, 9);
                Assert.InRange(a, 0, 1024);
                maxDiff = Math.Max(maxDiff, (int)Math.Abs(Math.Round(a) - Math.Round(b)));
            }
        Assert.InRange(maxDiff, 0, 64);
        Assert.Equal(expectedMax1024ths, maxDiff); // exact for (26, 44); (45, +-45) also checked against OpenCV's own kernels
        Assert.Equal(MotionKernel.OfficialSum(new BlurKernelParameters(length, angle)), MotionKernel.OfficialSum(new BlurKernelParameters(length, -angle)), 2);
    }

    [Fact]
    public void Invalid_length_is_rejected_naming_the_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MotionKernel.Compute(new BlurKernelParameters(0, 10), KernelNormalization.Sum));
        Assert.Contains("0", e.Message);
    }
}
