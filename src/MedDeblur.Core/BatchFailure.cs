using System.Text;

namespace MedDeblur;

/// <summary>
/// One line for a file a batch verb (<c>deblur</c>, <c>simulate</c>) could not process, whatever failed: reading, the
/// computation or writing. The batch reports it, skips the file and goes on.
/// </summary>
public static class BatchFailure
{
    /// <summary>Describes <paramref name="error"/>, raised while <paramref name="stage"/> (read, deblur, blur, write)
    /// <paramref name="input"/>; <paramref name="output"/> is the file being written, when known.</summary>
    public static string Describe(Exception error, string stage, string input, string? output)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is MedDeblurException) return error.Message; // already names the file and the reason
        string first = error.Message.Split('\n')[0].Trim();
        if (stage == "write")
        {
            string target = output ?? "the output";
            string reason = error switch
            {
                PathTooLongException => "the name is too long for the file system (at most 255 bytes per name)",
                IOException when output is not null && Directory.Exists(output) => "a folder of that name is in the way",
                IOException when output is not null && Encoding.UTF8.GetByteCount(Path.GetFileName(output)) > 255 =>
                    $"the name is {Encoding.UTF8.GetByteCount(Path.GetFileName(output))} bytes, over the file system's 255",
                UnauthorizedAccessException => $"permission denied ({first})",
                _ => first,
            };
            return $"cannot write {target}: {reason}";
        }
        if (stage == "read") return $"cannot read image {input}: {error.GetType().Name}: {first}";
        return $"{input}: the {stage} step failed ({error.GetType().Name}: {first})";
    }
}
