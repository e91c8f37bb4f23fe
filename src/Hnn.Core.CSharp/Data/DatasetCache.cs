using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hnn.IO;

namespace Hnn.Data;

/// <summary>
/// Generated datasets kept as binary files in a cache folder, one per recipe. The file name and the envelope's key
/// carry a SHA-256 of the recipe's type, its JSON (<see cref="Json.Options"/>) and <see cref="FormatVersion"/>, so a
/// changed recipe never reuses an old file. The file is a <see cref="FileEnvelope"/> (checksummed, written atomically);
/// a corrupt, truncated or mismatched file is deleted and rebuilt, never used.
/// </summary>
/// <remarks>
/// Envelope magic "HNNDSET\0", 32-byte key. Payload: int32 name length + UTF-8 name, int32 D, int32 train rows,
/// int32 test rows, float64 values of TrainX, TrainDx, TestX, TestDx (row-major), then per split a bool and, if set,
/// its timeline: float64 times and int32 trajectory ids.
/// </remarks>
public static class DatasetCache
{
    /// <summary>Version of the file layout and of the key derivation; bumping it invalidates every cached file.</summary>
    public const int FormatVersion = 2;

    private static readonly FileEnvelope Envelope = new(
        "HNNDSET\0",
        FormatVersion,
        "a dataset cache file",
        keyLength: 32,
        keyOwner: "recipe",
        (path, problem) => new DataFileException(path, problem)
    );

    /// <summary>The hex SHA-256 key of a recipe: its type name, its JSON and the format version.</summary>
    public static string KeyOf<TRecipe>(TRecipe recipe)
        where TRecipe : notnull => Convert.ToHexStringLower(KeyBytes(recipe));

    /// <summary>Where the dataset of <paramref name="recipe"/> is cached inside <paramref name="cacheFolder"/>.</summary>
    public static string PathFor<TRecipe>(string cacheFolder, TRecipe recipe)
        where TRecipe : notnull => Path.Combine(cacheFolder, $"{typeof(TRecipe).Name}-{KeyOf(recipe)[..32]}.dataset");

    /// <summary>
    /// The cached dataset of <paramref name="recipe"/> if a valid file exists; otherwise (missing, corrupt, truncated,
    /// other recipe or version) deletes any bad file, calls <paramref name="generate"/>, stores its result atomically
    /// and returns it. <paramref name="log"/> receives one line per miss or rebuild.
    /// </summary>
    public static Dataset GetOrCreate<TRecipe>(
        string cacheFolder,
        TRecipe recipe,
        Func<TRecipe, Dataset> generate,
        Action<string>? log = null
    )
        where TRecipe : notnull
    {
        ArgumentNullException.ThrowIfNull(generate);
        return Envelope.ReadOrCreate(PathFor(cacheFolder, recipe), KeyBytes(recipe), Parse, () => generate(recipe), WritePayload, log);
    }

    /// <summary>Writes <paramref name="dataset"/> atomically to <paramref name="path"/> under the key of <paramref name="recipe"/>.</summary>
    public static void Write<TRecipe>(string path, TRecipe recipe, Dataset dataset)
        where TRecipe : notnull => Envelope.Write(path, KeyBytes(recipe), w => WritePayload(w, dataset));

    /// <summary>Reads a file written for <paramref name="recipe"/>.</summary>
    /// <exception cref="DataFileException">The file is missing, corrupt, truncated, of another version or of another recipe.</exception>
    public static Dataset Read<TRecipe>(string path, TRecipe recipe)
        where TRecipe : notnull => Envelope.Read(path, KeyBytes(recipe), Parse);

    private static byte[] KeyBytes<TRecipe>(TRecipe recipe)
        where TRecipe : notnull
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var text = $"hnn-dataset-cache v{FormatVersion}\n{typeof(TRecipe).FullName}\n{JsonSerializer.Serialize(recipe, Json.Options)}";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    private static void WritePayload(BinaryWriter w, Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int d = dataset.Dimension;
        if (
            dataset.TrainDx.Columns != d
            || dataset.TestX.Columns != d
            || dataset.TestDx.Columns != d
            || dataset.TrainDx.Rows != dataset.TrainX.Rows
            || dataset.TestDx.Rows != dataset.TestX.Rows
        )
            throw new ArgumentException($"dataset '{dataset.Name}': states and targets disagree in shape");
        FileEnvelope.WriteBlock(w, Encoding.UTF8.GetBytes(dataset.Name));
        w.Write(d);
        w.Write(dataset.TrainX.Rows);
        w.Write(dataset.TestX.Rows);
        foreach (var m in new[] { dataset.TrainX, dataset.TrainDx, dataset.TestX, dataset.TestDx })
            FileEnvelope.WriteValues<double>(w, m.Values);
        WriteTimeline(w, dataset.TrainTimeline, dataset.TrainX.Rows);
        WriteTimeline(w, dataset.TestTimeline, dataset.TestX.Rows);
    }

    private static Dataset Parse(FileEnvelope.PayloadReader r)
    {
        var name = r.ReadString("name");
        int d = r.ReadInt32(),
            trainRows = r.ReadInt32(),
            testRows = r.ReadInt32();
        if (d < 1 || trainRows < 0 || testRows < 0 || 16L * d * ((long)trainRows + testRows) + 2 > r.Remaining)
            throw r.Fail($"shapes D = {d}, train = {trainRows}, test = {testRows} do not match the file length");
        var trainX = ReadMatrix(r, trainRows, d, "TrainX");
        var trainDx = ReadMatrix(r, trainRows, d, "TrainDx");
        var testX = ReadMatrix(r, testRows, d, "TestX");
        var testDx = ReadMatrix(r, testRows, d, "TestDx");
        var trainTimeline = ReadTimeline(r, trainRows);
        var testTimeline = ReadTimeline(r, testRows);
        return new Dataset(name, trainX, trainDx, testX, testDx, trainTimeline, testTimeline);
    }

    private static void WriteTimeline(BinaryWriter w, Timeline? timeline, int rows)
    {
        if (timeline is null)
        {
            w.Write(false);
            return;
        }
        if (timeline.Rows != rows)
            throw new ArgumentException($"timeline has {timeline.Rows} rows, its split {rows}");
        w.Write(true);
        FileEnvelope.WriteValues<double>(w, timeline.Times);
        FileEnvelope.WriteValues<int>(w, timeline.Trajectories);
    }

    private static Timeline? ReadTimeline(FileEnvelope.PayloadReader r, int rows) =>
        r.ReadBoolean() ? new Timeline(r.ReadValues<double>(rows, "timeline times"), r.ReadValues<int>(rows, "trajectory ids")) : null;

    private static StateMatrix ReadMatrix(FileEnvelope.PayloadReader r, int rows, int columns, string what) =>
        new(r.ReadValues<double>((long)rows * columns, what), rows, columns);
}
