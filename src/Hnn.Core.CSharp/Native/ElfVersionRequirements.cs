using System.Buffers.Binary;
using System.Text;

namespace Hnn.Native;

/// <summary>
/// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>, ELF type
/// <c>SHT_GNU_verneed</c>) of a 64-bit little-endian ELF shared library.
/// </summary>
/// <remarks>
/// Used to mark one version requirement weak (<c>VER_FLG_WEAK</c>), which turns the dynamic
/// loader's "version not found" error for it into a warning. See <see cref="TorchNative"/>.
/// </remarks>
public static class ElfVersionRequirements
{
    /// <summary>The <c>vna_flags</c> bit that makes a version requirement weak.</summary>
    public const ushort WeakFlag = 2;

    const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>One required version (an ELF <c>Vernaux</c> entry).</summary>
    /// <param name="Library">The library the version is required from (e.g. <c>libstdc++.so.6</c>).</param>
    /// <param name="Version">The version name (e.g. <c>GLIBCXX_3.4.32</c>).</param>
    /// <param name="Flags">Its <c>vna_flags</c>.</param>
    /// <param name="FlagsOffset">File offset of <c>vna_flags</c>.</param>
    public sealed record Requirement(string Library, string Version, ushort Flags, long FlagsOffset)
    {
        /// <summary>Whether the loader treats a missing version as a warning only.</summary>
        public bool IsWeak => (Flags & WeakFlag) != 0;
    }

    /// <summary>Lists every version requirement of an ELF file's bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed 64-bit little-endian ELF file.</exception>
    public static IReadOnlyList<Requirement> Read(ReadOnlySpan<byte> elf, string nameForErrors)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{nameForErrors}: not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{nameForErrors}: not a 64-bit little-endian ELF file");

        long shoff = (long)U64(elf, 0x28, nameForErrors);
        int shentsize = U16(elf, 0x3A, nameForErrors);
        int shnum = U16(elf, 0x3C, nameForErrors);
        var result = new List<Requirement>();
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (U32(elf, sh + 4, nameForErrors) != ShtGnuVerneed)
                continue;
            long offset = (long)U64(elf, sh + 0x18, nameForErrors);
            int link = (int)U32(elf, sh + 0x28, nameForErrors);
            long strtab = (long)U64(elf, shoff + (long)link * shentsize + 0x18, nameForErrors);

            long need = offset;
            while (true)
            {
                int count = U16(elf, need + 2, nameForErrors);
                string file = CString(elf, strtab + U32(elf, need + 4, nameForErrors), nameForErrors);
                long aux = need + U32(elf, need + 8, nameForErrors);
                for (int k = 0; k < count; k++)
                {
                    ushort flags = U16(elf, aux + 4, nameForErrors);
                    string name = CString(elf, strtab + U32(elf, aux + 8, nameForErrors), nameForErrors);
                    result.Add(new Requirement(file, name, flags, aux + 4));
                    uint nextAux = U32(elf, aux + 12, nameForErrors);
                    if (nextAux == 0)
                        break;
                    aux += nextAux;
                }
                uint next = U32(elf, need + 12, nameForErrors);
                if (next == 0)
                    break;
                need += next;
            }
        }
        return result;
    }

    /// <summary>
    /// Marks the requirement of <paramref name="version"/> weak in the file at <paramref name="path"/>,
    /// replacing the file atomically (written beside it, flushed, then renamed over it).
    /// Returns false if the file has no such requirement or it is weak already.
    /// </summary>
    public static bool MarkWeak(string path, string version)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var req = Read(bytes, path).FirstOrDefault(r => r.Version == version);
        if (req is null || req.IsWeak)
            return false;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)req.FlagsOffset), (ushort)(req.Flags | WeakFlag));
        string temp = path + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
        return true;
    }

    static ushort U16(ReadOnlySpan<byte> b, long at, string name) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(b, at, 2, name));

    static uint U32(ReadOnlySpan<byte> b, long at, string name) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(b, at, 4, name));

    static ulong U64(ReadOnlySpan<byte> b, long at, string name) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(b, at, 8, name));

    static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> b, long at, int length, string name) =>
        at >= 0 && at + length <= b.Length
            ? b.Slice((int)at, length)
            : throw new InvalidDataException($"{name}: truncated ELF file (offset {at} out of range)");

    static string CString(ReadOnlySpan<byte> b, long at, string name)
    {
        var rest = Slice(b, at, 1, name).Length == 1 ? b[(int)at..] : default;
        int end = rest.IndexOf((byte)0);
        if (end < 0)
            throw new InvalidDataException($"{name}: unterminated string in ELF string table");
        return Encoding.ASCII.GetString(rest[..end]);
    }
}
