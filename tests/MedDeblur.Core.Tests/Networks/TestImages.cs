using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Networks;

/// <summary>Shared inputs for the network tests: seeded random batches and a structured image blurred by a fixed kernel.</summary>
internal static class TestImages
{
    public static NetworkOptions Smoke
    {
        get
        {
            TorchRuntime.Initialize();
            return Presets.Load("smoke").Network;
        }
    }

    public static Tensor Random(long seed, params long[] shape)
    {
        TorchRuntime.Initialize();
        using var generator = new Generator((ulong)seed);
        return rand(shape, generator: generator);
    }

    /// <summary>
    /// A smooth structured RGB batch in [0, 1]: per image and channel a mix of oriented sinusoids and a Gaussian blob
    /// whose phases and positions come from <paramref name="seed"/>.
    /// </summary>
    public static Tensor Sharp(long seed, int batch, int height, int width)
    {
        TorchRuntime.Initialize();
        var rng = new System.Random((int)seed);
        var data = new float[batch * 3 * height * width];
        int i = 0;
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < 3; c++)
        {
            double fx = 0.15 + 0.35 * rng.NextDouble(), fy = 0.1 + 0.3 * rng.NextDouble(), phase = 6.28 * rng.NextDouble();
            double cx = width * rng.NextDouble(), cy = height * rng.NextDouble(), sigma = 3 + 5 * rng.NextDouble();
            for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double stripes = 0.5 + 0.25 * Math.Sin(fx * x + fy * y + phase) + 0.15 * Math.Sign(Math.Sin(0.3 * x + phase));
                double blob = 0.3 * Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma));
                data[i++] = (float)Math.Clamp(0.8 * stripes + blob, 0, 1);
            }
        }
        return tensor(data, [batch, 3, height, width]);
    }

    /// <summary>Horizontal motion blur: a 1 x 7 box kernel applied per channel with reflect padding.</summary>
    public static Tensor Blur(Tensor sharp)
    {
        using var scope = NewDisposeScope();
        var kernel = full(new long[] { 3, 1, 1, 7 }, 1f / 7);
        var padded = nn.functional.pad(sharp, [3, 3, 0, 0], PaddingModes.Reflect);
        return nn.functional.conv2d(padded, kernel, groups: 3).MoveToOuterDisposeScope();
    }
}
