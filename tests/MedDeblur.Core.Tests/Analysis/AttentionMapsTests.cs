using MedDeblur.Analysis;
using MedDeblur.Networks;
using MedDeblur.Tests.Networks;

namespace MedDeblur.Tests.Analysis;

public class AttentionMapsTests
{
    [Fact]
    public void Capture_returns_one_finest_scale_map_per_attention_module_and_restores_training_mode()
    {
        using var net = NetworkRegistry.Create("meddeblur", TestImages.Smoke);
        net.train();
        using var image = TestImages.Random(41, 1, 3, 32, 48);
        using var blurred = image[0];
        var maps = AttentionMaps.Capture(net, blurred);
        try
        {
            // Keys are the state-dict prefixes; sizes are those of the finest scale (blocks at H, H/2, H/4).
            var expected = new (string, long, long)[]
            {
                ("inblock.sam.multikernelconv1", 32, 48), ("eblock1.sam.multikernelconv1", 16, 24),
                ("eblock2.sam.multikernelconv1", 8, 12), ("dblock1.sam.multikernelconv1", 8, 12),
                ("dblock2.sam.multikernelconv1", 16, 24), ("outblock.sam.multikernelconv1", 32, 48),
            };
            Assert.Equal(expected, maps.Select(m => (m.Block, m.Map.shape[1], m.Map.shape[2])).ToArray());
            Assert.All(maps, m => Assert.Equal(1, m.Map.shape[0]));
            Assert.All(maps, m => Assert.InRange(m.Map.min().item<float>(), 0f, 2f));
            Assert.All(maps, m => Assert.InRange(m.Map.max().item<float>(), 0f, 2f));
            Assert.True(net.training, "Capture must restore the training mode");
        }
        finally
        {
            foreach (var m in maps) m.Map.Dispose();
        }
    }
}
