using MedDeblur.Data;
using MedDeblur.Display;
using MedDeblur.Imaging;

namespace MedDeblur.Downstream;

/// <summary>One image with its mask.</summary>
/// <param name="RelativePath">Image path relative to the root, '/' separators (the key of the fixed test kernel).</param>
/// <param name="MaskPath">Absolute path of the mask.</param>
/// <param name="Group">Images of one group (one patient, one scan) share a split.</param>
/// <param name="Split">Its split.</param>
/// <param name="FullPath">Absolute path of the image.</param>
public sealed record SegmentationItem(string RelativePath, string MaskPath, string Group, DatasetSplit Split, string FullPath);

/// <summary>
/// A folder of images with binary masks for the downstream experiment. Every image <c>NAME.ext</c> has its mask beside
/// it as <c>NAME_mask.ext2</c> (any supported format; nonzero = object), found recursively: the layout of the LGG
/// segmentation dataset (<c>TCGA_CS_4941_19960909/TCGA_CS_4941_19960909_1.tif</c> with <c>..._1_mask.tif</c>). The split
/// comes from <c>splits.csv</c> (<c>path,group,split</c> for every image, masks not listed) when present; otherwise each
/// image's group is its folder (one patient folder in LGG) and groups are split by hash with the given ratios, so all
/// slices of a patient share a split. An image without a mask, or a mask without an image, is an error naming it.
/// </summary>
public sealed class SegmentationDataset
{
    /// <summary>Suffix of mask file names (before the extension).</summary>
    public const string MaskSuffix = "_mask";

    private SegmentationDataset(string root, IReadOnlyList<SegmentationItem> items, string splitSource)
    {
        Root = root;
        Items = items;
        SplitSource = splitSource;
    }

    /// <summary>Absolute root folder.</summary>
    public string Root { get; }

    /// <summary>Every image with its mask, by relative path.</summary>
    public IReadOnlyList<SegmentationItem> Items { get; }

    /// <summary>Where the split came from.</summary>
    public string SplitSource { get; }

    /// <summary>The items of one split.</summary>
    public IReadOnlyList<SegmentationItem> Split(DatasetSplit split) => Items.Where(i => i.Split == split).ToArray();

    /// <summary>The embedded lateral-ventricle set (<c>data/downstream/colin27-ventricles</c>, found like <see cref="SampleData.Root"/>).</summary>
    /// <exception cref="MedDeblurException">Not found; the message says where it looked.</exception>
    public static string EmbeddedRoot => TryFindEmbeddedRoot() ?? throw new MedDeblurException(
        $"data/downstream/colin27-ventricles was not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; pass a folder of images with *_mask files");

    /// <summary>The embedded lateral-ventricle set's folder, or null when it is not above the current or the application's folder.</summary>
    public static string? TryFindEmbeddedRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", "downstream", "colin27-ventricles");
                if (Directory.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>Opens the dataset at <paramref name="root"/>.</summary>
    /// <exception cref="MedDeblurException">Missing folder, no pairs, an unpaired file or a bad splits.csv (file and line named).</exception>
    public static SegmentationDataset Open(string root, SplitRatios? ratios = null)
    {
        ratios = (ratios ?? new SplitRatios()).Validate();
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new MedDeblurException($"segmentation folder {full} does not exist");
        var files = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
            .Where(f => ImageIO.Extensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal).ToArray();
        var masks = files.Where(IsMask).ToDictionary(f => Path.Combine(Path.GetDirectoryName(f)!, Path.GetFileNameWithoutExtension(f)[..^MaskSuffix.Length]), StringComparer.Ordinal);
        var images = files.Where(f => !IsMask(f)).ToArray();
        if (images.Length == 0) throw new MedDeblurException($"segmentation folder {full} holds no images (NAME.png with NAME{MaskSuffix}.png beside it)");
        var pairs = new List<(string Relative, string Mask, string Full)>();
        foreach (var image in images)
        {
            string stem = Path.Combine(Path.GetDirectoryName(image)!, Path.GetFileNameWithoutExtension(image));
            if (!masks.Remove(stem, out var mask))
                throw new MedDeblurException($"{image} has no mask: expected {Path.GetFileNameWithoutExtension(image)}{MaskSuffix}.<ext> beside it");
            pairs.Add((Path.GetRelativePath(full, image).Replace('\\', '/'), mask, image));
        }
        if (masks.Count > 0) throw new MedDeblurException($"mask {masks.Values.First()} has no image beside it");

        string splitsPath = Path.Combine(full, ImageFolderDataset.SplitsFile);
        if (File.Exists(splitsPath))
        {
            var listed = new Dictionary<string, (string Group, DatasetSplit Split)>(StringComparer.Ordinal);
            var groupSplit = new Dictionary<string, DatasetSplit>(StringComparer.Ordinal);
            int line = 0;
            foreach (var text in File.ReadLines(splitsPath))
            {
                line++;
                if (string.IsNullOrWhiteSpace(text) || text.TrimStart().StartsWith('#')) continue;
                var cells = text.Split(',').Select(c => c.Trim()).ToArray();
                if (cells[0].Equals("path", StringComparison.OrdinalIgnoreCase)) continue;
                if (cells.Length != 3 || cells.Any(c => c.Length == 0))
                    throw new MedDeblurException($"{splitsPath} line {line}: expected path,group,split, got '{text}'");
                var split = SplitRatios.Parse(cells[2]) ?? throw new MedDeblurException($"{splitsPath} line {line}: split '{cells[2]}' is not train, validation or test");
                if (groupSplit.TryGetValue(cells[1], out var other) && other != split)
                    throw new MedDeblurException($"{splitsPath} line {line}: group '{cells[1]}' is in two splits; every image of one group must be in one split");
                groupSplit[cells[1]] = split;
                if (!listed.TryAdd(cells[0].Replace('\\', '/'), (cells[1], split)))
                    throw new MedDeblurException($"{splitsPath} line {line}: '{cells[0]}' is listed twice");
            }
            var items = pairs.Select(p => listed.TryGetValue(p.Relative, out var s)
                ? new SegmentationItem(p.Relative, p.Mask, s.Group, s.Split, p.Full)
                : throw new MedDeblurException($"{splitsPath} does not list '{p.Relative}': add it or delete the file to split by folder")).ToArray();
            var unknown = listed.Keys.Except(pairs.Select(p => p.Relative)).FirstOrDefault();
            if (unknown is not null) throw new MedDeblurException($"{splitsPath} lists '{unknown}', which is not an image with a mask in {full}");
            return new SegmentationDataset(full, items, splitsPath);
        }
        var hashed = pairs.Select(p =>
        {
            string group = Path.GetDirectoryName(p.Relative)?.Replace('\\', '/') is { Length: > 0 } folder ? folder : p.Relative;
            return new SegmentationItem(p.Relative, p.Mask, group, ratios.Assign(group), p.Full);
        }).ToArray();
        return new SegmentationDataset(full, hashed, $"SHA-256 of each image's folder (its group), ratios {ratios.Train}/{ratios.Validation}/{ratios.Test}");
    }

    /// <summary>Reads the mask of <paramref name="item"/> as [1,H,W] with 1 = object (any nonzero channel value).</summary>
    public static TorchSharp.torch.Tensor ReadMask(SegmentationItem item)
    {
        using var mask = ImageIO.Read(item.MaskPath);
        return (mask.Pixels.amax([0], keepdim: true) > 0).to_type(TorchSharp.torch.ScalarType.Float32);
    }

    /// <summary>Channels of the first training image (what the U-Net reads).</summary>
    public static int ChannelsOf(SegmentationDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var first = dataset.Split(DatasetSplit.Train).FirstOrDefault() ?? throw new MedDeblurException($"{dataset.Root}: the segmentation training split holds no images");
        using var image = ImageIO.Read(first.FullPath);
        return image.Channels;
    }

    /// <summary>Images per split and groups.</summary>
    public ResultsTable Summary()
    {
        var table = new ResultsTable($"Segmentation dataset {Root}", ["Split", "Images", "Groups"]);
        foreach (var split in new[] { DatasetSplit.Train, DatasetSplit.Validation, DatasetSplit.Test })
        {
            var of = Split(split);
            table.Add(split.ToString().ToLowerInvariant(), of.Count, of.Select(i => i.Group).Distinct().Count());
        }
        table.Notes.Add($"split: {SplitSource}");
        return table;
    }

    private static bool IsMask(string file) => Path.GetFileNameWithoutExtension(file).EndsWith(MaskSuffix, StringComparison.Ordinal);
}
