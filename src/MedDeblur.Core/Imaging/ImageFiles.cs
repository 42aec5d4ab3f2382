using Microsoft.Extensions.FileSystemGlobbing;

namespace MedDeblur.Imaging;

/// <summary>An input image and its path relative to the input root (used to mirror folder structure in outputs).</summary>
/// <param name="FullPath">Absolute path.</param>
/// <param name="RelativePath">Path relative to the input root, '/' separators.</param>
public sealed record InputImage(string FullPath, string RelativePath);

/// <summary>Resolves the <c>--input FILE|DIR|GLOB</c> argument of batch commands into image files.</summary>
public static class ImageFiles
{
    /// <summary>
    /// A file gives itself; a folder gives every image in it and its subfolders; a glob (e.g. <c>scans/**/*.tif</c>) gives
    /// the matching images. Ordered ordinally. Each image's <see cref="InputImage.RelativePath"/> is taken relative to
    /// <paramref name="root"/> when given (every image must lie inside it), else to the folder, the glob's fixed part, or
    /// the file's own folder. Throws when nothing matches, naming the input.
    /// </summary>
    public static IReadOnlyList<InputImage> Resolve(string input, string? root = null)
    {
        var (natural, files) = Find(input);
        string keyRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root ?? natural));
        if (root is not null && !Directory.Exists(keyRoot)) throw new MedDeblurException($"--root {keyRoot} is not an existing folder");
        return files.Select(f => IsInside(f, keyRoot)
            ? new InputImage(f, Path.GetRelativePath(keyRoot, f).Replace('\\', '/'))
            : throw new MedDeblurException($"input {f} is not inside the root folder {keyRoot} (--root)")).ToArray();
    }

    /// <summary>True when <paramref name="path"/> (a file or folder) lies inside <paramref name="folder"/>.</summary>
    public static bool IsInside(string path, string folder)
    {
        string relative = Path.GetRelativePath(Path.GetFullPath(folder), Path.GetFullPath(path)).Replace('\\', '/');
        return relative != ".." && !relative.StartsWith("../", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
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

    private static (string Root, IReadOnlyList<string> Files) Find(string input)
    {
        if (File.Exists(input))
        {
            return (BaseFolder(input), [Path.GetFullPath(input)]);
        }
        string root;
        Matcher matcher = new(StringComparison.Ordinal);
        if (Directory.Exists(input))
        {
            root = Path.GetFullPath(input);
            matcher.AddInclude("**/*");
        }
        else if (input.IndexOfAny(['*', '?']) >= 0)
        {
            root = BaseFolder(input);
            var parts = input.Replace('\\', '/').Split('/');
            matcher.AddInclude(string.Join('/', parts[Array.FindIndex(parts, p => p.IndexOfAny(['*', '?']) >= 0)..]));
            if (!Directory.Exists(root)) throw new MedDeblurException($"input '{input}': folder {root} does not exist");
        }
        else
        {
            throw new MedDeblurException($"input '{input}' is not an existing file, folder or glob pattern");
        }
        var files = matcher.GetResultsInFullPath(root)
            .Where(f => ImageIO.Extensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
            throw new MedDeblurException($"input '{input}' matches no images ({string.Join(", ", ImageIO.Extensions)})");
        return (root, files);
    }
}
