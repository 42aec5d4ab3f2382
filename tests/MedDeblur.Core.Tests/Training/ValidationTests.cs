using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Imaging;
using MedDeblur.Metrics;
using MedDeblur.Training;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Training;

/// <summary>Validation during training follows the preset's evaluation budget, as the test evaluation does: images are
/// blurred at native size, then measured on their centre crop (the smoke preset's 128 px keeps its runs short).</summary>
public sealed class ValidationTests
{
    [Fact]
    public void The_evaluation_budget_crops_the_validation_images_after_blurring_at_native_size()
    {
        var options = TrainingFixture.Smoke();
        var items = RunFolder.OpenDataset(options).Split(DatasetSplit.Validation);
        Assert.NotEmpty(items);
        var simulator = new MotionBlurSimulator(options.Blur);
        var conventions = options.MetricsConventions();
        const int Crop = 64;

        using var cropped = new Validation(items, simulator, options.Evaluation.KernelSeed, conventions, Crop);
        using var native = new Validation(items, simulator, options.Evaluation.KernelSeed, conventions);

        double expected = items.Average(item =>
        {
            using var scope = NewDisposeScope();
            using var image = ImageIO.Read(item.FullPath);
            Assert.True(image.Pixels.shape[^1] > Crop && image.Pixels.shape[^2] > Crop, $"{item.RelativePath} is too small to show a crop");
            var (blurred, _) = simulator.ApplyFixed(image.Pixels, options.Evaluation.KernelSeed, item.RelativePath);
            return ImageQuality.Measure(CenterCrop.Apply(image.Pixels, Crop), CenterCrop.Apply(blurred, Crop), conventions)[0].Psnr;
        });
        Assert.Equal(items.Count, cropped.Count);
        Assert.Equal(expected, cropped.BlurryPsnr, 9);
        Assert.NotEqual(native.BlurryPsnr, cropped.BlurryPsnr, 3); // the crop is a different measurement, not the same one
    }
}
