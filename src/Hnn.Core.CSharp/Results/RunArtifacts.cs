using System.Text.Json;
using Hnn.Evaluation;
using Hnn.IO;

namespace Hnn.Results;

/// <summary>
/// What a run keeps of one trained model besides its weights and its results.json cells, so reports can be
/// rebuilt later without retraining: loss curves and the evaluation paths. Stored as
/// <c>OutDir/artifacts/&lt;task&gt;-&lt;model&gt;.json</c>.
/// </summary>
/// <param name="Task">Task key.</param>
/// <param name="Model">Model key ("baseline", "hnn").</param>
/// <param name="TrainLoss">Train loss per step.</param>
/// <param name="TestLoss">Test loss per step (NaN where not evaluated).</param>
/// <param name="Rollouts">The reference and model paths of the energy protocol, if it ran.</param>
/// <param name="ReferenceEnergy">True energy along the reference paths [K·T], if it ran.</param>
/// <param name="ModelEnergy">True energy along the model's paths [K·T], if it ran.</param>
public sealed record RunArtifacts(
    string Task,
    string Model,
    float[] TrainLoss,
    float[] TestLoss,
    Rollouts? Rollouts,
    double[]? ReferenceEnergy,
    double[]? ModelEnergy
)
{
    /// <summary>The folder inside an output folder.</summary>
    public const string Folder = "artifacts";

    /// <summary>The file of a task and model inside <paramref name="outDir"/>.</summary>
    public static string PathFor(string outDir, string task, string model) => Path.Combine(outDir, Folder, $"{task}-{model}.json");

    /// <summary>Writes the artifacts atomically; returns the path.</summary>
    public string Save(string outDir)
    {
        var path = PathFor(outDir, Task, Model);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json.Compact));
        return path;
    }

    /// <summary>Reads artifacts written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid artifacts JSON; the message names it.</exception>
    public static RunArtifacts Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunArtifacts>(File.ReadAllText(path), Json.Compact)
                ?? throw new InvalidDataException($"{path}: empty artifacts file");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid artifacts file ({e.Message})");
        }
    }
}
