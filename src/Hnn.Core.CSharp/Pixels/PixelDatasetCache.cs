using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hnn.Data;
using Hnn.IO;

namespace Hnn.Pixels;

/// <summary>
/// Generated pixel datasets kept as binary files in a cache folder, as <see cref="DatasetCache"/> keeps phase-space
/// ones: the file name and header carry a SHA-256 key of the recipe's JSON and <see cref="FormatVersion"/>, the file
/// ends with a SHA-256 of everything before it, writes are atomic, and a corrupt, truncated or mismatched file is
/// deleted and rebuilt, never used.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic "HNNPIXD\0", int32 version, 32-byte key, int32 name length + UTF-8 name, int32
/// trials, frames per trial, side, test trials, float32 frames, float64 coordinates, 32-byte SHA-256.
/// </remarks>
public static class PixelDatasetCache
{
    /// <summary>Version of the file layout and of the key derivation; bumping it invalidates every cached file.</summary>
    public const int FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "HNNPIXD\0"u8;

    /// <summary>Where the dataset of <paramref name="recipe"/> is cached inside <paramref name="cacheFolder"/>.</summary>
    public static string PathFor(string cacheFolder, PixelPendulumRecipe recipe) =>
        Path.Combine(cacheFolder, $"{nameof(PixelPendulumRecipe)}-{Convert.ToHexStringLower(KeyBytes(recipe))[..32]}.pixels");

    /// <summary>
    /// The cached dataset of <paramref name="recipe"/> if a valid file exists; otherwise deletes any bad file, generates
    /// the data, stores it atomically and returns it. <paramref name="log"/> receives one line per miss or rebuild.
    /// </summary>
    public static PixelDataset GetOrCreate(string cacheFolder, PixelPendulumRecipe recipe, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var path = PathFor(cacheFolder, recipe);
        var key = KeyBytes(recipe);
        if (File.Exists(path))
        {
            try
            {
                return Read(path, key);
            }
            catch (DataFileException e)
            {
                log?.Invoke($"pixel cache: {e.Message}; deleting and rebuilding");
                File.Delete(path);
            }
        }
        else log?.Invoke($"pixel cache: no file at {path}; generating");
        var data = recipe.Generate();
        Write(path, key, data);
        return data;
    }

    /// <summary>Reads a file written for <paramref name="recipe"/>.</summary>
    /// <exception cref="DataFileException">The file is missing, corrupt, truncated, of another version or of another recipe.</exception>
    public static PixelDataset Read(string path, PixelPendulumRecipe recipe) => Read(path, KeyBytes(recipe));

    private static byte[] KeyBytes(PixelPendulumRecipe recipe) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(
            $"hnn-pixel-cache v{FormatVersion}\n{typeof(PixelPendulumRecipe).FullName}\n{JsonSerializer.Serialize(recipe, Json.Options)}"));

    private static void Write(string path, byte[] key, PixelDataset data)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(key);
            var name = Encoding.UTF8.GetBytes(data.Name);
            w.Write(name.Length);
            w.Write(name);
            w.Write(data.Trials);
            w.Write(data.FramesPerTrial);
            w.Write(data.Side);
            w.Write(data.TestTrials);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the pixel cache is written little-endian only");
            w.Write(MemoryMarshal.AsBytes(data.Frames.AsSpan()));
            w.Write(MemoryMarshal.AsBytes(data.Coordinates.AsSpan()));
        }
        var checksum = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(checksum);
        AtomicFile.Write(path, s => buffer.WriteTo(s));
    }

    private static PixelDataset Read(string path, byte[] key)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new DataFileException(path, $"unreadable ({e.Message})");
        }
        const int fixedHeader = 8 + 4 + 32 + 4;
        if (bytes.Length < fixedHeader + 16 + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new DataFileException(path, "not a pixel dataset cache file (bad magic or too short)");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new DataFileException(path, "checksum mismatch (corrupt or truncated)");
        using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
        r.ReadBytes(Magic.Length);
        int version = r.ReadInt32();
        if (version != FormatVersion) throw new DataFileException(path, $"format version {version}, this library reads {FormatVersion}");
        if (!r.ReadBytes(32).AsSpan().SequenceEqual(key)) throw new DataFileException(path, "written for another recipe (key mismatch)");
        int nameLength = r.ReadInt32();
        if (nameLength < 0 || nameLength > body.Length - fixedHeader - 16) throw new DataFileException(path, $"bad name length {nameLength}");
        var name = Encoding.UTF8.GetString(r.ReadBytes(nameLength));
        int trials = r.ReadInt32(), framesPerTrial = r.ReadInt32(), side = r.ReadInt32(), testTrials = r.ReadInt32();
        long frameCount = (long)trials * framesPerTrial * side * side, coordinateCount = 2L * trials * framesPerTrial;
        if (trials < 2 || framesPerTrial < 4 || side < 1 || fixedHeader + nameLength + 16 + 4 * frameCount + 8 * coordinateCount != body.Length)
            throw new DataFileException(path, $"sizes {trials} trials × {framesPerTrial} frames of {side}² do not match the file length {bytes.Length}");
        var frames = new float[frameCount];
        var coordinates = new double[coordinateCount];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(frames.AsSpan()));
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(coordinates.AsSpan()));
        try
        {
            return new PixelDataset(name, trials, framesPerTrial, side, testTrials, frames, coordinates);
        }
        catch (ArgumentException e)
        {
            throw new DataFileException(path, e.Message);
        }
    }
}
