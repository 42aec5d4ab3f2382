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
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TileOptions { TileSize = 64, Overlap = 40 }.Validate());
        Assert.Contains("40", e.Message);
    }
}
