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

    [Fact]
    public void Invalid_length_is_rejected_naming_the_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MotionKernel.Compute(new BlurKernelParameters(0, 10), KernelNormalization.Sum));
        Assert.Contains("0", e.Message);
    }
}
