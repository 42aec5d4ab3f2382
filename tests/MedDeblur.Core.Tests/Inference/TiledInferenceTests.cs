using MedDeblur.Inference;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedDeblur.Tests.Inference;

public class TiledInferenceTests
{
    [Theory]
    [InlineData(100, 64, 16, new[] { 0, 36 })]
    [InlineData(64, 64, 16, new[] { 0 })]
    [InlineData(50, 64, 16, new[] { 0 })]
    [InlineData(200, 64, 16, new[] { 0, 48, 96, 136 })]
    public void Tile_origins_cover_the_axis_and_end_at_the_edge(int length, int tile, int overlap, int[] expected)
    {
        Assert.Equal(expected, TiledInference.Windows(length, tile, overlap).ToArray());
    }

    [Fact]
    public void Identity_model_is_reproduced_exactly_through_tiles()
    {
        using var scope = NewDisposeScope();
        var image = rand(3, 150, 170, generator: new Generator(3));
        var tiled = TiledInference.Run(image, x => x.clone(), new TileOptions { TileSize = 64, Overlap = 16, TilesPerBatch = 3 });
        Assert.True(tiled.allclose(image, rtol: 0, atol: 1e-6), "tiling changed an identity mapping");
    }

    [Fact]
    public void Local_model_gives_the_whole_image_result_when_overlap_covers_its_reach()
    {
        using var scope = NewDisposeScope();
        var image = rand(1, 130, 97, generator: new Generator(5));
        var kernel = ones(1, 1, 5, 5) / 25;
        Tensor Model(Tensor x) => F.conv2d(F.pad(x, [2, 2, 2, 2], PaddingModes.Reflect), kernel);
        var whole = Model(image.unsqueeze(0)).squeeze(0);
        var tiled = TiledInference.Run(image, Model, new TileOptions { TileSize = 48, Overlap = 16 });
        // away from tile borders the two agree exactly; blending only mixes values that are already equal there
        Assert.True(tiled[.., 3..^3, 3..^3].allclose(whole[.., 3..^3, 3..^3], rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Bad_overlap_is_rejected_naming_the_value()
    {
        var e = Assert.Throws<SettingException>(() => new TileOptions { TileSize = 64, Overlap = 40 }.Validate());
        Assert.Contains("40", e.Message);
    }

    [Theory]
    [InlineData(16, 64, "--tile")]
    [InlineData(64, 40, "--overlap")]
    public void Tile_errors_name_the_options_not_internal_properties(int tile, int overlap, string named)
    {
        var e = Assert.Throws<SettingException>(() => new TileOptions { TileSize = tile, Overlap = overlap }.Validate());
        string message = MedDeblur.Cli.CliMessages.Describe(e); // the library names the setting, the CLI its option
        Assert.Contains(named, message);
        Assert.DoesNotContain("Parameter", message);
        Assert.DoesNotContain("TileSize", message);
    }
}

public sealed class TiledBorderTests
{
    /// <summary>
    /// Issue 11: with --tile 32 or 64 on a 181x217 image a bright band appeared at the bottom and right borders. The network
    /// pads a whole image at the bottom/right to its size multiple (reflect), so its asymmetric border effect falls in the
    /// cropped padding; tiles of exactly a multiple got no padding, so the effect landed inside the image.
    /// </summary>
    [Theory]
    [InlineData(32, 8)]
    [InlineData(64, 16)]
    public void Tiles_at_the_bottom_and_right_borders_match_the_whole_image_result(int tile, int overlap)
    {
        using var scope = NewDisposeScope();
        using var network = MedDeblur.Networks.NetworkRegistry.Create("meddeblur", MedDeblur.Configuration.Presets.Load("smoke").Network, 11);
        var image = MedDeblur.Tests.Networks.TestImages.Sharp(1, 1, 181, 217).squeeze(0);
        var whole = new Deblurrer(network, CPU, new TileOptions { TileSize = 512, Overlap = 64 }).Deblur(image);
        var tiled = new Deblurrer(network, CPU, new TileOptions { TileSize = tile, Overlap = overlap }).Deblur(image);
        double Border(Tensor a, Tensor b) => (a[.., ^3.., ..] - b[.., ^3.., ..]).abs().mean().item<float>() +
                                            (a[.., .., ^3..] - b[.., .., ^3..]).abs().mean().item<float>();
        double inner = (whole[.., 8..^8, 8..^8] - tiled[.., 8..^8, 8..^8]).abs().mean().item<float>();
        double border = Border(whole, tiled) / 2;
        Assert.True(border <= Math.Max(3 * inner, 2e-3), $"bottom/right border differs by {border:0.0000} on average, the interior by {inner:0.0000}");
    }
}
