using System.Security.Cryptography;
using System.Text;

namespace MedDeblur.Data;

/// <summary>
/// A small, fully specified random generator (SplitMix64) whose sequence depends only on its seed: the same on every
/// machine and .NET version (System.Random makes no such promise). Training derives one per step from (seed, step,
/// stream), so resuming at step k reproduces exactly the randomness an uninterrupted run would have used.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong state;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public DeterministicRandom(ulong seed) => state = seed;

    /// <summary>A generator for one purpose (<paramref name="stream"/>) at one training step of a run.</summary>
    public static DeterministicRandom For(long seed, long step, string stream)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{step}/{stream}"));
        return new DeterministicRandom(BitConverter.ToUInt64(hash, 0));
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) / (double)(1UL << 53);

    /// <summary>A seed for a torch.Generator derived from this generator.</summary>
    public ulong NextSeed() => NextUInt64() >> 1;
}
