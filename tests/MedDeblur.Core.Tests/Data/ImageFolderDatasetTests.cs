using MedDeblur.Data;
using MedDeblur.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Data;

public sealed class ImageFolderDatasetTests : TempFolderTest
{
    private string MakeImage(string relative)
    {
        string path = Path.Combine(Temp, relative);
        using var scope = NewDisposeScope();
        ImageIO.Write(path, rand(1, 8, 8));
        return path;
    }

    [Fact]
    public void Sample_set_uses_its_splits_csv_and_keeps_every_source_in_one_split()
    {
        var dataset = ImageFolderDataset.Open(SampleData.Root);
        Assert.Equal(55, dataset.Items.Count);
        Assert.Equal(["ct", "fundus", "microscopy", "mri", "natural", "xray"], dataset.Modalities.Order().ToArray());
        Assert.Equal(["LICENSES"], dataset.Ignored);
        Assert.Equal(36, dataset.Split(DatasetSplit.Train).Count);
        Assert.Equal(["microscopy/ihc_colon_fhl2.png", "mri/head_flair.png", "mri/itk_t1_cor_z25.png", "mri/itk_t1_cor_z35.png"],
            dataset.Split(DatasetSplit.Validation).Select(i => i.RelativePath).Order(StringComparer.Ordinal));
        Assert.Equal(15, dataset.Split(DatasetSplit.Test).Count);
        Assert.Equal(13, dataset.Items.Select(i => i.Group).Distinct().Count(g => dataset.Items.First(i => i.Group == g).Split == DatasetSplit.Train));
        Assert.All(dataset.Items.GroupBy(i => i.Group), g => Assert.Single(g.Select(i => i.Split).Distinct()));
        // one source = one group (PROVENANCE.md): the file-name prefix names the source
        foreach (var source in new[] { "colin27_", "brain_pd_fse_", "coronary_xa_", "retina_", "chest_ct_lungwin|chest_ct_mediastinal",
                                       "head_ct_", "stent_ct_", "cardiac_cine_", "dipy_", "itk_t1_cor_" })
        {
            var files = dataset.Items.Where(i => source.Split('|').Any(p => Path.GetFileName(i.RelativePath).StartsWith(p, StringComparison.Ordinal))).ToArray();
            Assert.True(files.Length >= 2, source);
            Assert.Single(files.Select(i => i.Group).Distinct());
        }
        Assert.Equal(["ct", "fundus", "microscopy", "mri", "xray"], dataset.Split(DatasetSplit.Test).Select(i => i.Modality).Distinct().Order().ToArray());
        Assert.EndsWith("splits.csv", dataset.SplitSource);
    }

    [Fact]
    public void Sample_set_trains_on_colour_images_and_lists_every_file_in_its_provenance()
    {
        var dataset = ImageFolderDataset.Open(SampleData.Root);
        var colourSources = dataset.Split(DatasetSplit.Train)
            .Where(i => { using var image = ImageIO.Read(i.FullPath); return image.Channels == 3; })
            .Select(i => i.Group).Distinct().ToArray();
        Assert.True(colourSources.Length >= 4, string.Join(", ", colourSources));
        string provenance = File.ReadAllText(Path.Combine(SampleData.Root, "PROVENANCE.md"));
        Assert.All(dataset.Items, i => Assert.Contains($"| {i.RelativePath} |", provenance));
        long bytes = new DirectoryInfo(SampleData.Root).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.InRange(bytes, 1, 20L << 20); // the embedded set stays small enough for a repository
    }

    [Fact]
    public void Hash_split_is_stable_and_follows_the_ratios()
    {
        var ratios = new SplitRatios();
        // golden assignments: must never change, or published splits change under users' feet
        Assert.Equal(DatasetSplit.Train, ratios.Assign("patient-001"));
        Assert.Equal(new[] { ratios.Assign("a/1.png"), ratios.Assign("a/2.png") }, new[] { ratios.Assign("a/1.png"), ratios.Assign("a/2.png") });
        var counts = Enumerable.Range(0, 5000).Select(i => ratios.Assign($"m/img{i}.png")).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        Assert.InRange(counts[DatasetSplit.Train], 3850, 4150);
        Assert.InRange(counts[DatasetSplit.Validation], 420, 580);
        Assert.InRange(counts[DatasetSplit.Test], 420, 580);
    }

    [Fact]
    public void Groups_csv_keeps_a_group_together_without_a_splits_file()
    {
        for (int i = 0; i < 12; i++) MakeImage($"mri/scan1_slice{i}.png");
        MakeImage("ct/a.png");
        File.WriteAllLines(Path.Combine(Temp, "groups.csv"), ["path,group", .. Enumerable.Range(0, 12).Select(i => $"mri/scan1_slice{i}.png,scan1")]);
        var dataset = ImageFolderDataset.Open(Temp);
        Assert.Single(dataset.Items.Where(i => i.Modality == "mri").Select(i => i.Split).Distinct());
        Assert.Equal(new SplitRatios().Assign("scan1"), dataset.Items.First(i => i.Modality == "mri").Split);
        Assert.Contains("groups.csv", dataset.SplitSource);
    }

    [Fact]
    public void Splits_csv_errors_name_the_file_and_line()
    {
        MakeImage("ct/a.png");
        MakeImage("ct/b.png");
        string csv = Path.Combine(Temp, "splits.csv");
        File.WriteAllLines(csv, ["path,group,split", "ct/a.png,g1,train", "ct/b.png,g2,holdout"]);
        var e = Assert.Throws<MedDeblurException>(() => ImageFolderDataset.Open(Temp));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("holdout", e.Message);
        File.WriteAllLines(csv, ["ct/a.png,g1,train"]);
        e = Assert.Throws<MedDeblurException>(() => ImageFolderDataset.Open(Temp));
        Assert.Contains("ct/b.png", e.Message);
        File.WriteAllLines(csv, ["ct/a.png,g1,train", "ct/b.png,g2,test", "ct/c.png,g3,test"]);
        e = Assert.Throws<MedDeblurException>(() => ImageFolderDataset.Open(Temp));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("ct/c.png", e.Message);
    }

    [Fact]
    public void A_group_in_two_splits_is_refused_naming_file_line_and_group()
    {
        MakeImage("mri/scan1_s1.png");
        MakeImage("mri/scan1_s2.png");
        MakeImage("mri/scan2_s1.png");
        string csv = Path.Combine(Temp, "splits.csv");
        File.WriteAllLines(csv, ["# comment", "path,group,split", "mri/scan1_s1.png,scan1,train", "mri/scan2_s1.png,scan2,test", "mri/scan1_s2.png,scan1,val"]);
        var e = Assert.Throws<MedDeblurException>(() => ImageFolderDataset.Open(Temp));
        Assert.StartsWith($"{csv} line 5: group 'scan1' is put in validation, but line 3 puts it in train", e.Message);
        File.WriteAllLines(csv, ["path,group,split", "mri/scan1_s1.png,scan1,train", "mri/scan2_s1.png,scan2,test", "mri/scan1_s2.png,scan1,train"]);
        Assert.Equal(DatasetSplit.Train, ImageFolderDataset.Open(Temp).Items.Single(i => i.RelativePath == "mri/scan1_s2.png").Split);

        File.Delete(csv);
        string groups = Path.Combine(Temp, "groups.csv");
        File.WriteAllLines(groups, ["path,group", "mri/scan1_s1.png,scan1", "mri/scan1_s2.png,scan1", "mri/scan1_s1.png,scan2"]);
        e = Assert.Throws<MedDeblurException>(() => ImageFolderDataset.Open(Temp));
        Assert.StartsWith($"{groups} line 4: 'mri/scan1_s1.png' is put in group 'scan2', but line 2 puts it in group 'scan1'", e.Message);
    }

    [Fact]
    public void Missing_or_empty_roots_are_reported()
    {
        Assert.Contains("does not exist", Assert.Throws<MedDeblurException>(() => ImageFolderDataset.Open(Path.Combine(Temp, "nope"))).Message);
        Directory.CreateDirectory(Path.Combine(Temp, "empty"));
        Assert.Contains("holds no images", Assert.Throws<MedDeblurException>(() => ImageFolderDataset.Open(Path.Combine(Temp, "empty"))).Message);
    }

    [Fact]
    public void Crop_and_augmentation_are_identical_for_both_images_of_a_pair()
    {
        using var scope = NewDisposeScope();
        var sharp = rand(3, 40, 50, generator: new Generator(1));
        var blurred = sharp * 0.5f;
        var random = new DeterministicRandom(9);
        for (int i = 0; i < 20; i++)
        {
            var window = PairAugmentation.Draw(40, 50, 32, random);
            var a = PairAugmentation.Apply(sharp, window);
            var b = PairAugmentation.Apply(blurred, window);
            Assert.Equal(new long[] { 3, 32, 32 }, a.shape);
            Assert.True((a * 0.5f).allclose(b), $"window {window} differs between the pair");
        }
    }

    [Fact]
    public void Small_images_are_padded_reflectively_not_dropped()
    {
        using var scope = NewDisposeScope();
        var small = arange(12, dtype: ScalarType.Float32).view(1, 3, 4);
        var window = new CropWindow(0, 0, 9, false, false, 0);
        var crop = PairAugmentation.Apply(small, window);
        Assert.Equal(new long[] { 1, 9, 9 }, crop.shape);
        Assert.Equal(small[0, 1, 2].item<float>(), crop[0, 3, 2].item<float>()); // row 3 mirrors row 1
        Assert.Equal(small[0, 0, 2].item<float>(), crop[0, 4, 2].item<float>()); // then row 0, mirrored again
    }

    [Fact]
    public void Deterministic_random_is_a_pure_function_of_seed_step_and_stream()
    {
        Assert.Equal(DeterministicRandom.For(1, 5, "crop").NextUInt64(), DeterministicRandom.For(1, 5, "crop").NextUInt64());
        Assert.NotEqual(DeterministicRandom.For(1, 5, "crop").NextUInt64(), DeterministicRandom.For(1, 6, "crop").NextUInt64());
        Assert.Equal(0xE220A8397B1DCDAFUL, new DeterministicRandom(0).NextUInt64()); // SplitMix64 reference value for seed 0
    }
}
