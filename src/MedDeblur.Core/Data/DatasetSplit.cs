using System.Security.Cryptography;
using System.Text;

namespace MedDeblur.Data;

/// <summary>The three splits of a dataset.</summary>
public enum DatasetSplit
{
    /// <summary>Training images (random kernels every step).</summary>
    Train,
    /// <summary>Validation images (one fixed kernel each; model selection and training curves).</summary>
    Validation,
    /// <summary>Test images (one fixed kernel each; the reported tables).</summary>
    Test,
}

/// <summary>Fractions of groups assigned to each split by <see cref="Assign"/>.</summary>
/// <param name="Train">Fraction for training.</param>
/// <param name="Validation">Fraction for validation.</param>
/// <param name="Test">Fraction for testing.</param>
public sealed record SplitRatios(double Train = 0.8, double Validation = 0.1, double Test = 0.1)
{
    /// <summary>Checks that the fractions are non-negative and sum to 1.</summary>
    public SplitRatios Validate()
    {
        if (Train < 0 || Validation < 0 || Test < 0 || Math.Abs(Train + Validation + Test - 1) > 1e-9)
            throw new ArgumentException($"split ratios must be non-negative and sum to 1, got train {Train}, validation {Validation}, test {Test}");
        return this;
    }

    /// <summary>
    /// The split of a group: a stable function of the group name (SHA-256, the same on every machine and .NET version),
    /// so the split never changes between runs and every file of one group lands in the same split.
    /// </summary>
    public DatasetSplit Assign(string group)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(group));
        double u = (BitConverter.ToUInt64(hash, 0) >> 11) / (double)(1UL << 53);
        return u < Train ? DatasetSplit.Train : u < Train + Validation ? DatasetSplit.Validation : DatasetSplit.Test;
    }

    /// <summary>Parses "train", "validation"/"val", "test" (case-insensitive).</summary>
    public static DatasetSplit? Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => DatasetSplit.Train,
        "val" or "valid" or "validation" => DatasetSplit.Validation,
        "test" or "testing" => DatasetSplit.Test,
        _ => null,
    };
}
