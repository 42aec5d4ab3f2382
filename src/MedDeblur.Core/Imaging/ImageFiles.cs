using Microsoft.Extensions.FileSystemGlobbing;

namespace MedDeblur.Imaging;

/// <summary>An input image and its path relative to the input root (used to mirror folder structure in outputs).</summary>
/// <param name="FullPath">Absolute path.</param>
/// <param name="RelativePath">Path relative to the input root, '/' separators.</param>
public sealed record InputImage(string FullPath, string RelativePath);

/// <summary>Resolves an input given as a file, a folder or a glob (the input of batch commands) into image files.</summary>
public static class ImageFiles
{
    /// <summary>
    /// A file gives itself; a folder gives every image in it and its subfolders; a glob (e.g. <c>scans/**/*.tif</c>) gives
    /// the matching images. Ordered ordinally. Each image's <see cref="InputImage.RelativePath"/> is taken relative to
    /// <paramref name="root"/> when given (every image must lie inside it), else to the folder, the glob's fixed part, or
    /// the file's own folder. Throws when nothing matches, naming the input.
    /// Folders are walked without looping: a symbolic link to a folder already visited (e.g. <c>self -> .</c>) is not
    /// followed again, one file reachable under two paths is taken once, FIFOs, sockets and devices are never opened,
    /// and nothing inside <paramref name="exclude"/> (the output folder, when it lies inside the input folder) is taken.
    /// Each such entry is passed to <paramref name="skipped"/> with the reason.
    /// </summary>
    public static IReadOnlyList<InputImage> Resolve(string input, string? root = null, string? exclude = null, Action<string>? skipped = null)
    {
        var (natural, files) = Find(input, exclude, skipped);
        string keyRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root ?? natural));
        if (root is not null && !Directory.Exists(keyRoot)) throw new SettingException("ImageFiles.Root", $"the root folder {keyRoot} is not an existing folder");
        return files.Select(f => IsInside(f, keyRoot)
            ? new InputImage(f, Path.GetRelativePath(keyRoot, f).Replace('\\', '/'))
            : throw new SettingException("ImageFiles.Root", $"input {f} is not inside the root folder {keyRoot}")).ToArray();
    }

    /// <summary>True when <paramref name="path"/> (a file or folder) lies inside <paramref name="folder"/>.</summary>
    public static bool IsInside(string path, string folder)
    {
        string relative = Path.GetRelativePath(Path.GetFullPath(folder), Path.GetFullPath(path)).Replace('\\', '/');
        return relative != ".." && !relative.StartsWith("../", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    /// <summary>
    /// True when <paramref name="output"/> lies strictly inside <paramref name="inputFolder"/> (after resolving symbolic
    /// links): then a batch verb must not take its own outputs as inputs on the next run.
    /// </summary>
    public static bool IsStrictlyInside(string output, string inputFolder)
    {
        string o = RealOrFull(output), i = RealOrFull(inputFolder);
        return !string.Equals(Path.TrimEndingDirectorySeparator(o), Path.TrimEndingDirectorySeparator(i), StringComparison.Ordinal) && IsInside(o, i);
    }

    /// <summary>
    /// The inputs that are not earlier outputs: when <paramref name="outputFolder"/> lies strictly inside an input's root
    /// folder (e.g. <c>-i scans -o scans/out</c>), the inputs inside it are left out, so a second run never processes its
    /// own outputs. An output folder equal to the input folder is left to the callers' overwrite checks.
    /// </summary>
    public static IReadOnlyList<InputImage> WithoutOutputs(IReadOnlyList<InputImage> inputs, string outputFolder)
    {
        string output = RealOrFull(outputFolder);
        return inputs.Where(i =>
        {
            string root = i.FullPath.EndsWith(i.RelativePath, StringComparison.Ordinal) ? i.FullPath[..^i.RelativePath.Length] : Path.GetDirectoryName(i.FullPath)!;
            return !(IsStrictlyInside(output, root) && IsInside(RealOrFull(i.FullPath), output));
        }).ToArray();
    }

    /// <summary>
    /// The folder relative paths are taken from when no root is given: a folder itself, a file's folder, or a glob's part
    /// before its first wildcard segment (absolute paths).
    /// </summary>
    public static string BaseFolder(string input)
    {
        if (Directory.Exists(input)) return Path.GetFullPath(input);
        if (File.Exists(input)) return Path.GetDirectoryName(Path.GetFullPath(input))!;
        var parts = input.Replace('\\', '/').Split('/');
        int first = Array.FindIndex(parts, p => p.IndexOfAny(['*', '?']) >= 0);
        return Path.GetFullPath(first <= 0 ? "." : string.Join('/', parts[..first]) is { Length: > 0 } r ? r : "/");
    }

    /// <summary>
    /// Every regular file under <paramref name="folder"/> (recursively, ordinal order, logical paths), visiting each real
    /// folder once: symbolic links to a folder already visited are reported to <paramref name="skipped"/> and not
    /// followed, as are FIFOs, sockets, devices and dangling links; folders inside <paramref name="exclude"/> are left out.
    /// Files reachable under two paths are all returned (see <see cref="Resolve"/> for the de-duplication).
    /// </summary>
    public static IReadOnlyList<string> Walk(string folder, string? exclude = null, Action<string>? skipped = null,
        Func<string, bool>? wanted = null)
    {
        wanted ??= _ => true;
        string? excluded = exclude is null ? null : RealOrFull(exclude);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<string>();
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(folder));
        visited.Add(RealOrFull(folder));
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            string[] entries;
            try { entries = Directory.GetFileSystemEntries(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                skipped?.Invoke($"{dir}: the folder cannot be listed ({e.Message})");
                continue;
            }
            var subfolders = new List<string>();
            foreach (string entry in entries.Order(StringComparer.Ordinal))
            {
                switch (FileSystemFacts.KindOf(entry))
                {
                    case FileKind.Directory:
                        string real = RealOrFull(entry);
                        if (excluded is not null && IsInside(real, excluded)) { skipped?.Invoke($"{entry}: inside the output folder, not an input"); continue; }
                        if (!visited.Add(real))
                        {
                            skipped?.Invoke($"{entry}: a link to the folder {real}, which is already searched (symbolic-link loop or duplicate), not followed");
                            continue;
                        }
                        subfolders.Add(entry);
                        break;
                    case FileKind.Regular:
                        if (wanted(entry)) files.Add(entry);
                        break;
                    case FileKind.Special:
                        if (wanted(entry)) skipped?.Invoke($"{entry}: not a regular file (a FIFO, socket or device), not read");
                        break;
                    case FileKind.Missing:
                        if (wanted(entry)) skipped?.Invoke($"{entry}: a symbolic link to nothing (or an unreadable entry), skipped");
                        break;
                }
            }
            for (int i = subfolders.Count - 1; i >= 0; i--) pending.Push(subfolders[i]);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Keeps the first of every group of paths that are one file (same real path), reporting the others.</summary>
    public static IReadOnlyList<string> DistinctFiles(IEnumerable<string> files, Action<string>? skipped = null)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var kept = new List<string>();
        foreach (string file in files)
        {
            string real = RealOrFull(file);
            if (seen.TryAdd(real, file)) kept.Add(file);
            else skipped?.Invoke($"{file}: the same file as {seen[real]} (reached through a symbolic link), taken once");
        }
        return kept;
    }

    private static string RealOrFull(string path) => Path.TrimEndingDirectorySeparator(
        File.Exists(path) || Directory.Exists(path) ? FileSystemFacts.RealPath(path) : Path.GetFullPath(path));

    private static (string Root, IReadOnlyList<string> Files) Find(string input, string? exclude, Action<string>? skipped)
    {
        if (File.Exists(input) || (FileSystemFacts.KindOf(input) == FileKind.Special))
        {
            return (BaseFolder(input), [Path.GetFullPath(input)]); // a single file is read (and refused) by ImageIO.Read
        }
        string root;
        Matcher? matcher = null;
        if (Directory.Exists(input))
        {
            root = Path.GetFullPath(input);
        }
        else if (input.IndexOfAny(['*', '?']) >= 0)
        {
            root = BaseFolder(input);
            var parts = input.Replace('\\', '/').Split('/');
            matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(string.Join('/', parts[Array.FindIndex(parts, p => p.IndexOfAny(['*', '?']) >= 0)..]));
            if (!Directory.Exists(root)) throw new MedDeblurException($"input '{input}': folder {root} does not exist");
        }
        else
        {
            throw new MedDeblurException($"input '{input}' is not an existing file, folder or glob pattern");
        }
        var walked = Walk(root, exclude, skipped, f => ImageIO.Extensions.Contains(Path.GetExtension(f)));
        if (matcher is not null)
        {
            var matched = matcher.Match(root, walked.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')))
                .Files.Select(m => Path.GetFullPath(Path.Combine(root, m.Path))).ToHashSet(StringComparer.Ordinal);
            walked = walked.Where(matched.Contains).ToArray();
        }
        var files = DistinctFiles(walked, skipped);
        if (files.Count == 0)
            throw new MedDeblurException($"input '{input}' matches no images ({string.Join(", ", ImageIO.Extensions)})");
        return (root, files);
    }
}
