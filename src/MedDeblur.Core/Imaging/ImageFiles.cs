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
    /// the matching images. Ordered ordinally. Throws when nothing matches, naming the input.
    /// </summary>
    public static IReadOnlyList<InputImage> Resolve(string input)
    {
        if (File.Exists(input))
        {
            string full = Path.GetFullPath(input);
            return [new InputImage(full, Path.GetFileName(full))];
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
            // the part before the first wildcard segment is the root
            var parts = input.Replace('\\', '/').Split('/');
            int first = Array.FindIndex(parts, p => p.IndexOfAny(['*', '?']) >= 0);
            root = Path.GetFullPath(first == 0 ? "." : string.Join('/', parts[..first]) is { Length: > 0 } r ? r : "/");
            matcher.AddInclude(string.Join('/', parts[first..]));
            if (!Directory.Exists(root)) throw new MedDeblurException($"input '{input}': folder {root} does not exist");
        }
        else
        {
            throw new MedDeblurException($"input '{input}' is not an existing file, folder or glob pattern");
        }
        var files = matcher.GetResultsInFullPath(root)
            .Where(f => ImageIO.Extensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal)
            .Select(f => new InputImage(f, Path.GetRelativePath(root, f).Replace('\\', '/')))
            .ToArray();
        if (files.Length == 0)
            throw new MedDeblurException($"input '{input}' matches no images ({string.Join(", ", ImageIO.Extensions)})");
        return files;
    }
}
