using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hnn.IO;

namespace Hnn.Data;

/// <summary>
/// Generated datasets kept as binary files in a cache folder, one per recipe. The file name and header carry a
/// SHA-256 key of the recipe's type, its JSON (<see cref="Json.Options"/>) and <see cref="FormatVersion"/>, so a
/// changed recipe never reuses an old file. The file ends with a SHA-256 of everything before it; a corrupt,
/// truncated or mismatched file is deleted and rebuilt, never used. Writes are atomic.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic "HNNDSET\0", int32 version, 32-byte key, int32 name length + UTF-8 name,
/// int32 D, int32 train rows, int32 test rows, float64 values of TrainX, TrainDx, TestX, TestDx (row-major),
/// 32-byte SHA-256 of all preceding bytes.
/// </remarks>
public static class DatasetCache
{
    /// <summary>Version of the file layout and of the key derivation; bumping it invalidates every cached file.</summary>
    public const int FormatVersion = 2;

    private static ReadOnlySpan<byte> Magic => "HNNDSET\0"u8;

    /// <summary>The hex SHA-256 key of a recipe: its type name, its JSON and the format version.</summary>
    public static string KeyOf<TRecipe>(TRecipe recipe) where TRecipe : notnull =>
        Convert.ToHexStringLower(KeyBytes(recipe));

    /// <summary>Where the dataset of <paramref name="recipe"/> is cached inside <paramref name="cacheFolder"/>.</summary>
    public static string PathFor<TRecipe>(string cacheFolder, TRecipe recipe) where TRecipe : notnull =>
        Path.Combine(cacheFolder, $"{typeof(TRecipe).Name}-{KeyOf(recipe)[..32]}.dataset");

    /// <summary>
    /// The cached dataset of <paramref name="recipe"/> if a valid file exists; otherwise (missing, corrupt, truncated,
    /// other recipe or version) deletes any bad file, calls <paramref name="generate"/>, stores its result atomically
    /// and returns it. <paramref name="log"/> receives one line per miss or rebuild.
    /// </summary>
    public static Dataset GetOrCreate<TRecipe>(string cacheFolder, TRecipe recipe, Func<TRecipe, Dataset> generate, Action<string>? log = null)
        where TRecipe : notnull
    {
        ArgumentNullException.ThrowIfNull(generate);
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
                log?.Invoke($"dataset cache: {e.Message}; deleting and rebuilding");
                File.Delete(path);
            }
        }
        else
        {
            log?.Invoke($"dataset cache: no file for {typeof(TRecipe).Name} at {path}; generating");
        }
        var dataset = generate(recipe);
        Write(path, key, dataset);
        return dataset;
    }

    /// <summary>Writes <paramref name="dataset"/> atomically to <paramref name="path"/> under the key of <paramref name="recipe"/>.</summary>
    public static void Write<TRecipe>(string path, TRecipe recipe, Dataset dataset) where TRecipe : notnull =>
        Write(path, KeyBytes(recipe), dataset);

    /// <summary>Reads a file written for <paramref name="recipe"/>.</summary>
    /// <exception cref="DataFileException">The file is missing, corrupt, truncated, of another version or of another recipe.</exception>
    public static Dataset Read<TRecipe>(string path, TRecipe recipe) where TRecipe : notnull => Read(path, KeyBytes(recipe));

    private static byte[] KeyBytes<TRecipe>(TRecipe recipe) where TRecipe : notnull
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var text = $"hnn-dataset-cache v{FormatVersion}\n{typeof(TRecipe).FullName}\n{JsonSerializer.Serialize(recipe, Json.Options)}";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    private static void Write(string path, byte[] key, Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int d = dataset.Dimension;
        if (dataset.TrainDx.Columns != d || dataset.TestX.Columns != d || dataset.TestDx.Columns != d
            || dataset.TrainDx.Rows != dataset.TrainX.Rows || dataset.TestDx.Rows != dataset.TestX.Rows)
            throw new ArgumentException($"dataset '{dataset.Name}': states and targets disagree in shape");
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(key);
            var name = Encoding.UTF8.GetBytes(dataset.Name);
            w.Write(name.Length);
            w.Write(name);
            w.Write(d);
            w.Write(dataset.TrainX.Rows);
            w.Write(dataset.TestX.Rows);
            foreach (var m in new[] { dataset.TrainX, dataset.TrainDx, dataset.TestX, dataset.TestDx })
                WriteDoubles(w, m.Values);
            WriteTimeline(w, dataset.TrainTimeline, dataset.TrainX.Rows);
            WriteTimeline(w, dataset.TestTimeline, dataset.TestX.Rows);
        }
        var checksum = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(checksum);
        AtomicFile.Write(path, s => buffer.WriteTo(s));
    }

    private static Dataset Read(string path, byte[] key)
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
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new DataFileException(path, "not a dataset cache file (bad magic)");
        const int fixedHeader = 8 + 4 + 32 + 4;
        if (bytes.Length < fixedHeader + 12 + 32) throw new DataFileException(path, $"truncated ({bytes.Length} bytes)");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new DataFileException(path, "checksum mismatch (corrupt or truncated)");
        using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
        r.ReadBytes(Magic.Length);
        int version = r.ReadInt32();
        if (version != FormatVersion) throw new DataFileException(path, $"format version {version}, this library reads {FormatVersion}");
        if (!r.ReadBytes(32).AsSpan().SequenceEqual(key)) throw new DataFileException(path, "written for another recipe (key mismatch)");
        int nameLength = r.ReadInt32();
        if (nameLength < 0 || nameLength > body.Length - fixedHeader - 12) throw new DataFileException(path, $"bad name length {nameLength}");
        var name = Encoding.UTF8.GetString(r.ReadBytes(nameLength));
        int d = r.ReadInt32(), trainRows = r.ReadInt32(), testRows = r.ReadInt32();
        long matrices = fixedHeader + nameLength + 12 + 16L * d * ((long)trainRows + testRows);
        if (d < 1 || trainRows < 0 || testRows < 0 || matrices + 2 > body.Length)
            throw new DataFileException(path, $"shapes D = {d}, train = {trainRows}, test = {testRows} do not match the file length {bytes.Length}");
        var trainX = ReadMatrix(r, trainRows, d);
        var trainDx = ReadMatrix(r, trainRows, d);
        var testX = ReadMatrix(r, testRows, d);
        var testDx = ReadMatrix(r, testRows, d);
        try
        {
            var trainTimeline = ReadTimeline(r, trainRows);
            var testTimeline = ReadTimeline(r, testRows);
            if (r.BaseStream.Position != body.Length) throw new DataFileException(path, $"{body.Length - r.BaseStream.Position} unexpected bytes after the data");
            return new Dataset(name, trainX, trainDx, testX, testDx, trainTimeline, testTimeline);
        }
        catch (EndOfStreamException)
        {
            throw new DataFileException(path, "truncated timeline");
        }
    }

    private static void WriteTimeline(BinaryWriter w, Timeline? timeline, int rows)
    {
        if (timeline is null)
        {
            w.Write(false);
            return;
        }
        if (timeline.Rows != rows) throw new ArgumentException($"timeline has {timeline.Rows} rows, its split {rows}");
        w.Write(true);
        WriteDoubles(w, timeline.Times);
        foreach (var id in timeline.Trajectories) w.Write(id);
    }

    private static Timeline? ReadTimeline(BinaryReader r, int rows)
    {
        if (!r.ReadBoolean()) return null;
        var times = ReadMatrix(r, rows, 1).Values;
        var ids = new int[rows];
        for (int i = 0; i < rows; i++) ids[i] = r.ReadInt32();
        return new Timeline(times, ids);
    }

    private static void WriteDoubles(BinaryWriter w, double[] values)
    {
        if (BitConverter.IsLittleEndian) w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        else foreach (var v in values) w.Write(v);
    }

    private static StateMatrix ReadMatrix(BinaryReader r, int rows, int columns)
    {
        var values = new double[rows * columns];
        if (BitConverter.IsLittleEndian) r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        else for (int i = 0; i < values.Length; i++) values[i] = r.ReadDouble();
        return new StateMatrix(values, rows, columns);
    }
}
