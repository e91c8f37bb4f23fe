using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Hnn.IO;

/// <summary>
/// A kind of checksummed binary file: 8-byte magic, int32 format version, a key of fixed length (what the file was
/// written for, e.g. the SHA-256 of a recipe; none for some kinds), the payload, and the SHA-256 of all preceding bytes.
/// Little-endian; written atomically (<see cref="AtomicFile"/>). Reading checks, in order, the magic, the length, the
/// version, the checksum and the key, then hands the payload to the caller's parser, and reports any problem as one
/// line through the kind's own exception, so each caller keeps the exception type its users catch.
/// </summary>
public sealed class FileEnvelope
{
    private const int ChecksumLength = 32;

    private readonly byte[] magic;
    private readonly int version;
    private readonly string what;
    private readonly int keyLength;
    private readonly string keyOwner;
    private readonly Func<string, string, Exception> error;

    /// <summary>Describes a kind of file.</summary>
    /// <param name="magic">The 8 ASCII characters that start every file of the kind, e.g. "HNNDSET\0".</param>
    /// <param name="version">The format version written and read; bump it when the payload's layout changes.</param>
    /// <param name="what">The kind for messages, with its article: "a dataset cache file".</param>
    /// <param name="keyLength">Bytes of key after the version; 0 for none.</param>
    /// <param name="keyOwner">What a key identifies, for the mismatch message: "recipe".</param>
    /// <param name="error">Makes the kind's exception from the file's path and the problem.</param>
    /// <exception cref="ArgumentException">The magic is not 8 ASCII characters, or the key length is negative.</exception>
    public FileEnvelope(string magic, int version, string what, int keyLength, string keyOwner, Func<string, string, Exception> error)
    {
        ArgumentNullException.ThrowIfNull(magic);
        ArgumentNullException.ThrowIfNull(error);
        this.magic = Encoding.ASCII.GetBytes(magic);
        if (this.magic.Length != 8 || !Ascii.IsValid(magic))
            throw new ArgumentException($"a file magic has 8 ASCII characters, got \"{magic}\"", nameof(magic));
        if (keyLength < 0)
            throw new ArgumentException($"key length must not be negative, got {keyLength}", nameof(keyLength));
        this.version = version;
        this.what = what;
        this.keyLength = keyLength;
        this.keyOwner = keyOwner;
        this.error = error;
    }

    private int HeaderLength => magic.Length + 4 + keyLength;

    /// <summary>Writes magic, version, <paramref name="key"/>, the payload and the checksum to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">The key is not of the kind's key length.</exception>
    public void Write(string path, ReadOnlySpan<byte> key, Action<BinaryWriter> payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (key.Length != keyLength)
            throw new ArgumentException($"{what} takes a key of {keyLength} bytes, got {key.Length}", nameof(key));
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException($"{what} is written little-endian only");
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(magic);
            w.Write(version);
            w.Write(key);
            payload(w);
        }
        var checksum = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(checksum);
        AtomicFile.Write(path, s => buffer.WriteTo(s));
    }

    /// <summary>Reads and checks the file at <paramref name="path"/> and parses its payload with <paramref name="parse"/>.</summary>
    /// <exception cref="Exception">The kind's exception: the file is missing, unreadable, not of this kind, truncated, corrupt, of another version, written for another key, or its payload does not parse.</exception>
    public T Read<T>(string path, byte[] key, Func<PayloadReader, T> parse) => Worded(path, () => Check(ReadBytes(path), path, key, parse));

    /// <summary>As <see cref="Read"/>, from the file's bytes; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="Exception">The kind's exception, as for <see cref="Read"/>.</exception>
    public T Parse<T>(byte[] bytes, string path, byte[] key, Func<PayloadReader, T> parse) =>
        Worded(path, () => Check(bytes, path, key, parse));

    /// <summary>
    /// A cache: the value in the file at <paramref name="path"/> if it reads; otherwise (missing, or refused for any
    /// reason) deletes the file, makes the value with <paramref name="create"/>, writes it with <paramref name="write"/>
    /// and returns it. <paramref name="log"/> receives one line per miss or rebuild.
    /// </summary>
    public T ReadOrCreate<T>(
        string path,
        byte[] key,
        Func<PayloadReader, T> parse,
        Func<T> create,
        Action<BinaryWriter, T> write,
        Action<string>? log = null
    )
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(write);
        if (File.Exists(path))
        {
            try
            {
                return Check(ReadBytes(path), path, key, parse);
            }
            catch (Problem p)
            {
                log?.Invoke($"{path}: {p.Message}; deleting it and generating the data again");
                File.Delete(path);
            }
        }
        else
            log?.Invoke($"{path}: no such file; generating the data");
        var value = create();
        Write(path, key, w => write(w, value));
        return value;
    }

    private T Worded<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Problem p)
        {
            throw error(path, p.Message);
        }
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Problem(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : $"unreadable ({e.Message})");
        }
    }

    private T Check<T>(byte[] bytes, string path, byte[] key, Func<PayloadReader, T> parse)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(parse);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException($"{what} is read little-endian only");
        if (bytes.Length < magic.Length || !bytes.AsSpan(0, magic.Length).SequenceEqual(magic))
            throw new Problem($"not {what} (bad magic)");
        if (bytes.Length < HeaderLength + ChecksumLength)
            throw new Problem($"truncated ({bytes.Length} bytes)");
        int found = BitConverter.ToInt32(bytes, magic.Length);
        if (found != version)
            throw new Problem($"format version {found} is not supported (this library reads version {version})");
        int end = bytes.Length - ChecksumLength;
        if (!SHA256.HashData(bytes.AsSpan(0, end)).AsSpan().SequenceEqual(bytes.AsSpan(end)))
            throw new Problem("checksum mismatch (corrupt or truncated)");
        if (!bytes.AsSpan(magic.Length + 4, keyLength).SequenceEqual(key))
            throw new Problem($"written for another {keyOwner} (key mismatch)");
        var reader = new PayloadReader(path, bytes, HeaderLength, end);
        T value;
        try
        {
            value = parse(reader);
        }
        catch (EndOfStreamException)
        {
            throw new Problem("truncated payload");
        }
        catch (ArgumentException e)
        {
            throw new Problem(e.Message);
        }
        if (reader.Remaining != 0)
            throw new Problem($"{reader.Remaining} unexpected bytes after the payload");
        return value;
    }

    /// <summary>Writes a length-prefixed block: int32 length, then the bytes.</summary>
    public static void WriteBlock(BinaryWriter w, ReadOnlySpan<byte> block)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Write(block.Length);
        w.Write(block);
    }

    /// <summary>Writes numbers as their little-endian bytes, no length.</summary>
    public static void WriteValues<TNumber>(BinaryWriter w, ReadOnlySpan<TNumber> values)
        where TNumber : unmanaged
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>A problem with a file, before it is worded as the kind's exception.</summary>
    private sealed class Problem(string problem) : Exception(problem);

    /// <summary>Reads a payload, checking every length against the bytes left; problems become the kind's exception.</summary>
    public sealed class PayloadReader
    {
        private readonly BinaryReader reader;
        private readonly long end;

        internal PayloadReader(string path, byte[] bytes, int start, int end)
        {
            Path = path;
            this.end = end - start;
            reader = new BinaryReader(new MemoryStream(bytes, start, end - start, writable: false), Encoding.UTF8);
        }

        /// <summary>The file being read.</summary>
        public string Path { get; }

        /// <summary>Bytes of payload not read yet.</summary>
        public long Remaining => end - reader.BaseStream.Position;

        /// <summary>An exception for a problem with the payload, to throw; the reader words it as the kind's exception.</summary>
        public Exception Fail(string problem) => new Problem(problem);

        /// <summary>An int32.</summary>
        public int ReadInt32() => reader.ReadInt32();

        /// <summary>A bool (one byte).</summary>
        public bool ReadBoolean() => reader.ReadBoolean();

        /// <summary>A block written by <see cref="WriteBlock"/>; <paramref name="what"/> names it in errors.</summary>
        public byte[] ReadBlock(string what)
        {
            if (Remaining < 4)
                throw Fail($"truncated before the {what}");
            int length = reader.ReadInt32();
            if (length < 0 || length > Remaining)
                throw Fail($"bad {what} length {length}");
            return reader.ReadBytes(length);
        }

        /// <summary>A UTF-8 string written as a block.</summary>
        public string ReadString(string what) => Encoding.UTF8.GetString(ReadBlock(what));

        /// <summary><paramref name="count"/> numbers written by <see cref="WriteValues"/>; <paramref name="what"/> names them in errors.</summary>
        public TNumber[] ReadValues<TNumber>(long count, string what)
            where TNumber : unmanaged
        {
            long size = Unsafe.SizeOf<TNumber>();
            if (count < 0 || count > Remaining / size)
                throw Fail($"{what}: {count} values do not fit in the {Remaining} bytes left");
            var values = new TNumber[count];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            return values;
        }
    }
}
