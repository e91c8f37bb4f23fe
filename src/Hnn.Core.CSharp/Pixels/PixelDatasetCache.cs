using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hnn.Data;
using Hnn.IO;

namespace Hnn.Pixels;

/// <summary>
/// Generated pixel datasets kept as binary files in a cache folder, as <see cref="DatasetCache"/> keeps phase-space
/// ones: the file name and the envelope's key carry a SHA-256 of the recipe's JSON and <see cref="FormatVersion"/>; the
/// file is a <see cref="FileEnvelope"/> (checksummed, written atomically), and a corrupt, truncated or mismatched file
/// is deleted and rebuilt, never used.
/// </summary>
/// <remarks>
/// Envelope magic "HNNPIXD\0", 32-byte key. Payload: int32 name length + UTF-8 name, int32 trials, frames per trial,
/// side, test trials, float32 frames, float64 coordinates.
/// </remarks>
public static class PixelDatasetCache
{
    /// <summary>Version of the file layout and of the key derivation; bumping it invalidates every cached file.</summary>
    public const int FormatVersion = 1;

    private static readonly FileEnvelope Envelope = new(
        "HNNPIXD\0",
        FormatVersion,
        "a pixel dataset cache file",
        keyLength: 32,
        keyOwner: "recipe",
        (path, problem) => new DataFileException(path, problem)
    );

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
        return Envelope.ReadOrCreate(PathFor(cacheFolder, recipe), KeyBytes(recipe), Parse, recipe.Generate, WritePayload, log);
    }

    /// <summary>Reads a file written for <paramref name="recipe"/>.</summary>
    /// <exception cref="DataFileException">The file is missing, corrupt, truncated, of another version or of another recipe.</exception>
    public static PixelDataset Read(string path, PixelPendulumRecipe recipe) => Envelope.Read(path, KeyBytes(recipe), Parse);

    private static byte[] KeyBytes(PixelPendulumRecipe recipe) =>
        SHA256.HashData(
            Encoding.UTF8.GetBytes(
                $"hnn-pixel-cache v{FormatVersion}\n{typeof(PixelPendulumRecipe).FullName}\n{JsonSerializer.Serialize(recipe, Json.Options)}"
            )
        );

    private static void WritePayload(BinaryWriter w, PixelDataset data)
    {
        FileEnvelope.WriteBlock(w, Encoding.UTF8.GetBytes(data.Name));
        w.Write(data.Trials);
        w.Write(data.FramesPerTrial);
        w.Write(data.Side);
        w.Write(data.TestTrials);
        FileEnvelope.WriteValues<float>(w, data.Frames);
        FileEnvelope.WriteValues<double>(w, data.Coordinates);
    }

    private static PixelDataset Parse(FileEnvelope.PayloadReader r)
    {
        var name = r.ReadString("name");
        int trials = r.ReadInt32(),
            framesPerTrial = r.ReadInt32(),
            side = r.ReadInt32(),
            testTrials = r.ReadInt32();
        long frameCount = (long)trials * framesPerTrial * side * side,
            coordinateCount = 2L * trials * framesPerTrial;
        if (trials < 2 || framesPerTrial < 4 || side < 1 || 4 * frameCount + 8 * coordinateCount != r.Remaining)
            throw r.Fail($"sizes {trials} trials × {framesPerTrial} frames of {side}² do not match the file length");
        var frames = r.ReadValues<float>(frameCount, "frames");
        var coordinates = r.ReadValues<double>(coordinateCount, "coordinates");
        return new PixelDataset(name, trials, framesPerTrial, side, testTrials, frames, coordinates);
    }
}
