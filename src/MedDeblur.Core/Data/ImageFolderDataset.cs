using MedDeblur.Display;
using MedDeblur.Imaging;

namespace MedDeblur.Data;

/// <summary>One sharp image of a dataset.</summary>
/// <param name="RelativePath">Path relative to the dataset root with '/' separators (the key for splits and fixed kernels).</param>
/// <param name="Modality">The modality (dataset) it belongs to: its top-level folder (a row of the paper's Table 2).</param>
/// <param name="Group">Files of one group (one scan, one cine run, one patient) always share a split.</param>
/// <param name="Split">Its split.</param>
/// <param name="FullPath">Absolute path.</param>
public sealed record DatasetItem(string RelativePath, string Modality, string Group, DatasetSplit Split, string FullPath);

/// <summary>
/// A folder dataset of sharp images: each immediate subfolder of the root is one modality, its images are found
/// recursively (PNG, JPEG, BMP, WebP, TIFF; sorted ordinally). The split comes from <c>splits.csv</c> in the root when it
/// exists (columns <c>path,group,split</c>; authoritative: every image must be listed), otherwise from a stable hash of
/// each image's group (<see cref="SplitRatios.Assign"/>), where the group is the relative path unless <c>groups.csv</c>
/// (<c>path,group</c>) names one. A group that splits.csv puts in two splits, or a file that groups.csv puts in two groups,
/// is refused (file, line and group named). Subfolders without images (e.g. LICENSES) are ignored and listed in <see cref="Ignored"/>.
/// Images directly in the root belong to a modality named after the root folder.
/// </summary>
public sealed class ImageFolderDataset
{
    /// <summary>Name of the optional split file in the dataset root.</summary>
    public const string SplitsFile = "splits.csv";

    /// <summary>Name of the optional group file in the dataset root.</summary>
    public const string GroupsFile = "groups.csv";

    private ImageFolderDataset(string root, IReadOnlyList<DatasetItem> items, IReadOnlyList<string> ignored, IReadOnlyList<string> skipped, string splitSource)
    {
        Skipped = skipped;
        Root = root;
        Items = items;
        Ignored = ignored;
        SplitSource = splitSource;
    }

    /// <summary>Absolute path of the root folder.</summary>
    public string Root { get; }

    /// <summary>Every image, ordered by relative path.</summary>
    public IReadOnlyList<DatasetItem> Items { get; }

    /// <summary>Subfolders of the root that hold no images.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>Entries not taken, with the reason: links to folders already searched (symbolic-link loops), second paths
    /// of one file, FIFOs and devices, dangling links.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>Where the split came from (the splits.csv path or "hash of group, ratios ...").</summary>
    public string SplitSource { get; }

    /// <summary>Modalities in order of appearance.</summary>
    public IReadOnlyList<string> Modalities => Items.Select(i => i.Modality).Distinct().ToArray();

    /// <summary>The images of one split.</summary>
    public IReadOnlyList<DatasetItem> Split(DatasetSplit split) => Items.Where(i => i.Split == split).ToArray();

    /// <summary>Opens the dataset at <paramref name="root"/>.</summary>
    /// <exception cref="MedDeblurException">Missing root, no images, or a bad splits.csv/groups.csv (file and line named).</exception>
    public static ImageFolderDataset Open(string root, SplitRatios? ratios = null)
    {
        ratios = (ratios ?? new SplitRatios()).Validate();
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new MedDeblurException($"dataset folder {full} does not exist");

        var files = new List<(string Relative, string Modality, string FullPath)>();
        var ignored = new List<string>();
        var skipped = new List<string>();
        // one walk over the whole tree: each real folder is visited once (symbolic-link loops are not followed), and a
        // file reachable under two paths counts once, so no image can land in two splits under two names
        var all = ImageFiles.DistinctFiles(ImageFiles.Walk(full, skipped: skipped.Add,
            wanted: f => ImageIO.Extensions.Contains(Path.GetExtension(f))), skipped.Add);
        foreach (var file in all)
        {
            string relative = Relative(full, file);
            var parts = relative.Split('/');
            if (parts.Any(p => p.StartsWith('.'))) continue; // hidden files and folders
            files.Add((relative, parts.Length == 1 ? Path.GetFileName(full) : parts[0], file));
        }
        foreach (var folder in Directory.GetDirectories(full).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            if (!name.StartsWith('.') && !files.Any(f => f.Modality == name && f.Relative.Contains('/'))) ignored.Add(name);
        }
        if (files.Count == 0)
            throw new MedDeblurException($"dataset folder {full} holds no images ({string.Join(", ", ImageIO.Extensions)}) in itself or its subfolders");
        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));

        string splitsPath = Path.Combine(full, SplitsFile);
        if (File.Exists(splitsPath))
        {
            var listed = new Dictionary<string, CsvRow>(StringComparer.Ordinal);
            foreach (var row in ReadCsv(splitsPath, 3))
                if (!listed.TryAdd(row.Cells[0], row))
                    throw new MedDeblurException($"{splitsPath} line {row.Line}: '{row.Cells[0]}' is listed twice (first on line {listed[row.Cells[0]].Line})");
            var present = files.Select(f => f.Relative).ToHashSet(StringComparer.Ordinal);
            var groupSplit = new Dictionary<string, (DatasetSplit Split, CsvRow Row)>(StringComparer.Ordinal);
            foreach (var row in listed.Values.OrderBy(r => r.Line))
            {
                if (!present.Contains(row.Cells[0]))
                    throw new MedDeblurException($"{splitsPath} line {row.Line}: '{row.Cells[0]}' is not an image in {full}");
                var split = SplitRatios.Parse(row.Cells[2])
                    ?? throw new MedDeblurException($"{splitsPath} line {row.Line}: split '{row.Cells[2]}' is not train, validation or test");
                if (!groupSplit.TryAdd(row.Cells[1], (split, row)) && groupSplit[row.Cells[1]].Split != split)
                    throw new MedDeblurException(
                        $"{splitsPath} line {row.Line}: group '{row.Cells[1]}' is put in {split.ToString().ToLowerInvariant()}, but line " +
                        $"{groupSplit[row.Cells[1]].Row.Line} puts it in {groupSplit[row.Cells[1]].Split.ToString().ToLowerInvariant()}: " +
                        "every file of one group (one scan, one patient) must be in one split, or test images leak into training");
            }
            var missing = files.Where(f => !listed.ContainsKey(f.Relative)).Select(f => f.Relative).ToArray();
            if (missing.Length > 0)
                throw new MedDeblurException($"{splitsPath} does not list {missing.Length} image(s), e.g. '{missing[0]}': add them or delete the file to split by hash");
            var items = files.Select(f =>
            {
                var row = listed[f.Relative];
                return new DatasetItem(f.Relative, f.Modality, row.Cells[1], SplitRatios.Parse(row.Cells[2])!.Value, f.FullPath);
            }).ToArray();
            return new ImageFolderDataset(full, items, ignored, skipped, splitsPath);
        }

        string groupsPath = Path.Combine(full, GroupsFile);
        var groups = new Dictionary<string, CsvRow>(StringComparer.Ordinal);
        if (File.Exists(groupsPath))
            foreach (var row in ReadCsv(groupsPath, 2))
                if (!groups.TryAdd(row.Cells[0], row))
                    throw new MedDeblurException(groups[row.Cells[0]].Cells[1] == row.Cells[1]
                        ? $"{groupsPath} line {row.Line}: '{row.Cells[0]}' is listed twice (first on line {groups[row.Cells[0]].Line})"
                        : $"{groupsPath} line {row.Line}: '{row.Cells[0]}' is put in group '{row.Cells[1]}', but line {groups[row.Cells[0]].Line} " +
                          $"puts it in group '{groups[row.Cells[0]].Cells[1]}': a file belongs to one group");
        var hashed = files.Select(f =>
        {
            string group = groups.TryGetValue(f.Relative, out var row) ? row.Cells[1] : f.Relative;
            return new DatasetItem(f.Relative, f.Modality, group, ratios.Assign(group), f.FullPath);
        }).ToArray();
        return new ImageFolderDataset(full, hashed, ignored, skipped,
            $"SHA-256 of each image's {(groups.Count > 0 ? "group (groups.csv)" : "relative path")}, ratios {ratios.Train}/{ratios.Validation}/{ratios.Test}");
    }

    /// <summary>Image counts per modality and split (the notebooks' and the report's data overview).</summary>
    public ResultsTable Summary()
    {
        var table = new ResultsTable($"Dataset {Root}", ["Modality", "Train", "Validation", "Test", "Groups"]);
        foreach (var modality in Modalities)
        {
            var of = Items.Where(i => i.Modality == modality).ToArray();
            table.Add(modality, of.Count(i => i.Split == DatasetSplit.Train), of.Count(i => i.Split == DatasetSplit.Validation),
                of.Count(i => i.Split == DatasetSplit.Test), of.Select(i => i.Group).Distinct().Count());
        }
        table.Notes.Add($"split: {SplitSource}");
        if (Ignored.Count > 0) table.Notes.Add($"ignored folders without images: {string.Join(", ", Ignored)}");
        foreach (var entry in Skipped) table.Notes.Add($"skipped {entry}");
        return table;
    }

    private static string Relative(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');

    private sealed record CsvRow(int Line, string[] Cells);

    private static IEnumerable<CsvRow> ReadCsv(string path, int columns)
    {
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text) || text.TrimStart().StartsWith('#')) continue;
            var cells = text.Split(',').Select(c => c.Trim()).ToArray();
            if (cells[0].Equals("path", StringComparison.OrdinalIgnoreCase)) continue; // header row
            if (cells.Length != columns || cells.Any(c => c.Length == 0))
                throw new MedDeblurException($"{path} line {line}: expected {columns} non-empty comma-separated columns, got '{text}'");
            cells[0] = cells[0].Replace('\\', '/');
            yield return new CsvRow(line, cells);
        }
    }
}
