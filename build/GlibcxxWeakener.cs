// Debian 12 load fix for TorchSharp 0.107.0 (see environment/README.md).
//
// libLibTorchSharp.so was linked with GCC 13 and carries a version requirement on GLIBCXX_3.4.32 that only the
// unused marker symbol _ZSt21ios_base_library_initv needs. Debian 12 ships libstdc++ up to GLIBCXX_3.4.30, so the
// dynamic loader refuses the library and TorchSharp reports a misleading "doesn't contain a reference to
// libtorch-cpu-linux-x64". Setting VER_FLG_WEAK in that one requirement (vna_flags |= 2) lets the loader accept the
// file. This file is compiled twice: into an MSBuild inline task that patches the build-output copy after every
// build, and into the tests, which check the flag on the output copy.
#nullable enable
#pragma warning disable IDE0161 // block namespace: this file also compiles as an MSBuild inline task
using System;
using System.IO;
using System.Text;

namespace MedDeblur.Build
{

    /// <summary>Marks the GLIBCXX_3.4.32 version requirement of an ELF64 little-endian shared object as weak.</summary>
    public static class GlibcxxWeakener
    {
        /// <summary>The version requirement that Debian 12's libstdc++ cannot satisfy.</summary>
        public const string Requirement = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>Result of inspecting or patching one file.</summary>
        public enum Outcome
        {
            /// <summary>The file does not require the version at all.</summary>
            NotRequired,
            /// <summary>The requirement was already weak; nothing written.</summary>
            AlreadyWeak,
            /// <summary>The requirement was strong and has been made weak.</summary>
            Patched,
            /// <summary>The requirement is strong (inspection only).</summary>
            Strong,
        }

        /// <summary>Inspects <paramref name="path"/> and, when <paramref name="write"/> is set, weakens the requirement in place.</summary>
        public static Outcome Apply(string path, bool write)
        {
            byte[] elf = File.ReadAllBytes(path);
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"{path}: only 64-bit little-endian ELF is supported");

            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            var result = Outcome.NotRequired;
            var patched = new System.Collections.Generic.List<int>();
            for (int s = 0; s < shnum; s++)
            {
                long sh = shoff + (long)s * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
                int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
                int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
                long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);

                long vn = offset;
                for (int i = 0; i < count; i++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int j = 0; j < auxCount; j++)
                    {
                        int flagsAt = (int)aux + 4;
                        long nameAt = strtab + BitConverter.ToUInt32(elf, (int)aux + 8);
                        if (ReadCString(elf, nameAt) == Requirement)
                        {
                            ushort flags = BitConverter.ToUInt16(elf, flagsAt);
                            if ((flags & VerFlgWeak) != 0)
                            {
                                if (result == Outcome.NotRequired) result = Outcome.AlreadyWeak;
                            }
                            else if (write)
                            {
                                BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, flagsAt);
                                patched.Add(flagsAt);
                                result = Outcome.Patched;
                            }
                            else
                            {
                                result = Outcome.Strong;
                            }
                        }
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    vn += BitConverter.ToUInt32(elf, (int)vn + 12);
                }
            }

            if (result == Outcome.Patched)
            {
                foreach (int at in patched)
                {
                    using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
                    file.Position = at;
                    file.Write(elf, at, 2);
                }
            }
            return result;
        }

        private static string ReadCString(byte[] bytes, long at)
        {
            int end = (int)at;
            while (end < bytes.Length && bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(bytes, (int)at, end - (int)at);
        }
    }

#if !GLIBCXX_WEAKENER_NO_TASK
    /// <summary>MSBuild task: weakens the requirement in each given file and logs what it did.</summary>
    public sealed class WeakenGlibcxxRequirement : Microsoft.Build.Utilities.Task
    {
        /// <summary>Copies of libLibTorchSharp.so in a build or publish output folder.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            foreach (var item in Files)
            {
                var outcome = GlibcxxWeakener.Apply(item.ItemSpec, write: true);
                if (outcome == GlibcxxWeakener.Outcome.Patched)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        "MedDeblur: marked " + GlibcxxWeakener.Requirement + " weak in " + item.ItemSpec + " (Debian 12 load fix)");
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
