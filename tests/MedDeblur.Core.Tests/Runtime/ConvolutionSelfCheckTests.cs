using MedDeblur.Networks;
using MedDeblur.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Runtime;

/// <summary>
/// The convolution path the kit chose at start-up computes correct numbers on this CPU, checked against a reference that
/// shares no code with LibTorch: direct loops in C#. These tests run on whatever CPU CI has, under the default (automatic)
/// configuration (LibTorch's default threads), and fail loudly when a path gives wrong values or gradients (issue 8:
/// oneDNN on AMD Zen 5).
/// </summary>
public sealed class ConvolutionSelfCheckTests(ITestOutputHelper output) : IDisposable
{
    private readonly DefaultThreadsScope threads = new();

    /// <inheritdoc />
    public void Dispose() => threads.Dispose();

    /// <summary>Channel counts and kernels of the shapes that broke on Zen 5 (outputs not a multiple of 16, 16k+8 inputs)
    /// and shapes that did not.</summary>
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 32, 8, 3, 3 }, { 40, 8, 3, 3 }, { 24, 16, 3, 3 }, { 2, 1, 9, 9 }, { 32, 3, 5, 5 }, { 32, 16, 3, 3 }, { 8, 8, 3, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_active_path_matches_direct_loops_forward_and_backward(int inChannels, int outChannels, int kh, int kw)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7, CPU);
        var x = randn([2, inChannels, 9, 11], generator: generator).requires_grad_();
        var w = (randn([outChannels, inChannels, kh, kw], generator: generator) * 0.1).requires_grad_();
        var b = randn([outChannels], generator: generator);
        var y = Convolutions.Conv2d(x, w, b, padding: [kh / 2, kw / 2]);
        var g = linspace(-1, 1, y.numel()).reshape(y.shape);
        y.backward([g]);

        var (yRef, dxRef, dwRef) = DirectConvolution(Data(x), Data(w), Data(b), Data(g), 2, inChannels, outChannels, 9, 11, kh, kw);
        AssertClose(yRef, Data(y), $"output on {Convolutions.Path}");
        AssertClose(dxRef, Data(x.grad!), $"input gradient on {Convolutions.Path}");
        AssertClose(dwRef, Data(w.grad!), $"weight gradient on {Convolutions.Path}");
    }

    [Fact]
    public void The_start_up_verdict_is_correct_and_every_case_passes_on_the_chosen_path()
    {
        var verdict = ConvolutionSelfCheck.Result;
        Assert.NotNull(verdict);
        output.WriteLine(verdict.ToString());
        Assert.True(verdict.Correct, $"no correct convolution path on this CPU: {verdict}");
        var fresh = ConvolutionSelfCheck.Check(Convolutions.Path);
        foreach (var c in fresh.Cases) output.WriteLine(c.ToString());
        Assert.True(fresh.Correct, fresh.Summary());
    }

    [Fact]
    public void Every_path_is_reported_and_a_wrong_one_is_never_chosen()
    {
        var chosen = Convolutions.Path;
        try
        {
            foreach (var path in Enum.GetValues<ConvolutionPath>())
            {
                var check = ConvolutionSelfCheck.Check(path);
                output.WriteLine(check.Summary()); // the reproducer: on Zen 5, OneDnn lists the wrong cases here
                if (path < chosen && ConvolutionSelfCheck.Result is { Forced: false, FromCache: false })
                    Assert.False(check.Correct, $"{path} is faster and correct but {chosen} was chosen");
                if (path == chosen) Assert.True(check.Correct, check.Summary());
            }
        }
        finally
        {
            Convolutions.Use(chosen);
        }
    }

    [Fact]
    public void The_network_layer_keeps_the_state_dict_names_and_default_initialisation_of_conv2d()
    {
        manual_seed(5);
        using var reference = nn.Conv2d(12, 8, 3, padding: 1);
        manual_seed(5);
        using var layer = new CheckedConv2d(12, 8, 3, padding: 1);
        Assert.Equal(reference.state_dict().Keys.Order(), layer.state_dict().Keys.Order());
        Assert.True(reference.weight!.allclose(layer.weight!, rtol: 0, atol: 0));
        Assert.True(reference.bias!.allclose(layer.bias!, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_wrong_verdict_makes_training_and_evaluation_refuse_with_the_cpu_named()
    {
        var wrong = new ConvolutionCheckResult(ConvolutionPath.Native, false, false, false,
            ["oneDNN: 7 of 21 cases wrong (first: conv 32->8 k3x3 s1: ...)"], 12, "AuthenticAMD family 26 model 2 (AMD EPYC)");
        var e = new WrongNumericsException(wrong);
        Assert.Contains("AMD EPYC", e.Message);
        Assert.Contains("conv 32->8", e.Message);
        Assert.IsAssignableFrom<MedDeblurException>(e);
    }

    private static double[] Data(Tensor t) => t.detach().to(float64).contiguous().data<double>().ToArray();

    /// <summary>Zero-padded cross-correlation (stride 1, padding k/2) and its two gradients, by definition.</summary>
    private static (double[] Y, double[] Dx, double[] Dw) DirectConvolution(
        double[] x, double[] w, double[] b, double[] g, int n, int cin, int cout, int h, int wd, int kh, int kw)
    {
        var y = new double[n * cout * h * wd];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        int ph = kh / 2, pw = kw / 2;
        for (int i = 0; i < n; i++)
        for (int o = 0; o < cout; o++)
        for (int r = 0; r < h; r++)
        for (int c = 0; c < wd; c++)
        {
            int yi = ((i * cout + o) * h + r) * wd + c;
            double sum = b[o];
            for (int ci = 0; ci < cin; ci++)
            for (int u = 0; u < kh; u++)
            for (int v = 0; v < kw; v++)
            {
                int rr = r + u - ph, cc = c + v - pw;
                if (rr < 0 || rr >= h || cc < 0 || cc >= wd) continue;
                int xi = ((i * cin + ci) * h + rr) * wd + cc, wi = ((o * cin + ci) * kh + u) * kw + v;
                sum += x[xi] * w[wi];
                dx[xi] += g[yi] * w[wi];
                dw[wi] += g[yi] * x[xi];
            }
            y[yi] = sum;
        }
        return (y, dx, dw);
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs), worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(double.IsFinite(worst) && worst <= 1e-4 * scale, $"{what}: largest error {worst:g3} against {scale:g3}");
    }
}
