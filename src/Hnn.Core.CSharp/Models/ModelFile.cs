using System.Security.Cryptography;
using System.Text.Json;
using Hnn.IO;
using Hnn.Training;

namespace Hnn.Models;

/// <summary>A model file is unreadable or does not describe a usable model; the message names the file and the problem.</summary>
public sealed class ModelFileException(string path, string problem) : Exception($"model file '{path}': {problem}")
{
    /// <summary>The file at fault.</summary>
    public string Path { get; } = path;
}

/// <summary>
/// The small JSON document saved beside a model's TorchSharp weights: what was trained, how, and a
/// checksum of the weights file so a truncated or swapped file is caught.
/// </summary>
/// <param name="Format">Always "hnn-model".</param>
/// <param name="Version">File format version.</param>
/// <param name="Task">The task key the model was trained on (e.g. "spring").</param>
/// <param name="Model">Architecture.</param>
/// <param name="Training">Training settings.</param>
/// <param name="Weights">File name of the weights, relative to this file.</param>
/// <param name="WeightsSha256">Hex SHA-256 of the weights file.</param>
/// <param name="Sampling">
/// For a sampled model, the settings it was sampled and fitted with (of <paramref name="Training"/> only the seed
/// applies: the fit's); else null.
/// </param>
/// <param name="Fit">For a fitted sampled model, what its fit chose and measured (sampler, width, λ, errors, seconds); else null.</param>
public sealed record ModelFile(
    string Format,
    int Version,
    string Task,
    ModelSettings Model,
    TrainSettings Training,
    string Weights,
    string WeightsSha256,
    Sampled.SampledSettings? Sampling = null,
    Sampled.SampledFitReport? Fit = null
)
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentVersion = 1;

    const string FormatName = "hnn-model";

    /// <summary>
    /// Saves <paramref name="model"/> as <paramref name="path"/> (JSON) and a weights file beside it
    /// (same name, extension <c>.weights</c>). Both are written atomically, weights first. A sampled model's weights
    /// are its float64 buffers (hidden weights, biases, coefficients, offset); <paramref name="sampling"/> records how
    /// it was fitted (default: the model's own <see cref="Sampled.SampledHnn.Sampling"/>), and its fit report is kept.
    /// </summary>
    public static ModelFile Save(
        DynamicsModel model,
        string task,
        TrainSettings training,
        string path,
        Sampled.SampledSettings? sampling = null
    )
    {
        var sampled = model as Sampled.SampledHnn;
        sampling ??= sampled?.Sampling;
        var weightsPath = System.IO.Path.ChangeExtension(path, ".weights");
        AtomicFile.Write(
            weightsPath,
            stream =>
            {
                // TorchSharp's save(Stream) closes the stream; a BinaryWriter left open keeps it ours.
                using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                model.save(writer);
                writer.Flush();
            }
        );
        var file = new ModelFile(
            FormatName,
            CurrentVersion,
            task,
            model.Settings,
            training,
            System.IO.Path.GetFileName(weightsPath),
            Sha256(weightsPath),
            sampling,
            sampled?.FitReport
        );
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(file, Json.Options));
        return file;
    }

    /// <summary>Loads a model saved by <see cref="Save"/>, checking format, version, checksum and architecture.</summary>
    /// <exception cref="ModelFileException">Anything is missing, corrupt or inconsistent.</exception>
    public static (DynamicsModel Model, ModelFile File) Load(string path)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, "no such file");
        ModelFile? file;
        try
        {
            file = JsonSerializer.Deserialize<ModelFile>(File.ReadAllText(path), Json.Options);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"not a valid model description ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, $"unreadable ({e.Message})");
        }
        if (file is null || file.Format != FormatName)
            throw new ModelFileException(path, $"not an Hnn model file (expected format \"{FormatName}\")");
        if (file.Version != CurrentVersion)
            throw new ModelFileException(
                path,
                $"format version {file.Version} is not supported (this library reads version {CurrentVersion})"
            );
        if (file.Model is null || file.Training is null || string.IsNullOrEmpty(file.Weights))
            throw new ModelFileException(path, "incomplete model description");
        if (string.IsNullOrWhiteSpace(file.Task))
            throw new ModelFileException(path, "no task named");
        try
        {
            file.Model.Validate();
            file.Training.Validate();
            file.Sampling?.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException(path, e.Message);
        }
        if (file.Weights != System.IO.Path.GetFileName(file.Weights))
            throw new ModelFileException(path, $"weights '{file.Weights}' must be a file name beside the model file, not a path");
        var weightsPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, file.Weights);
        if (!File.Exists(weightsPath))
            throw new ModelFileException(path, $"weights file '{weightsPath}' is missing");
        if (!string.Equals(Sha256(weightsPath), file.WeightsSha256, StringComparison.OrdinalIgnoreCase))
            throw new ModelFileException(path, $"weights file '{weightsPath}' does not match its checksum (truncated or replaced)");
        // A description asking for more weights than the file holds is refused before torch tries to allocate them: the
        // trained networks' second hidden layer alone holds HiddenDim² float32 weights, a sampled model's layers
        // HiddenDim·(InputDim + 2) float64 numbers per learned function.
        // A SympNet's modules hold Layers·w·(n + 2) (G) or Layers·Sublayers·n² (LA) float32 numbers, n = InputDim / 2.
        double hidden = file.Model.HiddenDim,
            input = file.Model.InputDim;
        double least = file.Model.Kind switch
        {
            ModelKind.SampledHnn => 8 * hidden * (input + 2),
            ModelKind.SampledDissipativeHnn => 16 * hidden * (input + 2),
            ModelKind.GSympNet => 4.0 * file.Model.SympNetLayers() * hidden * (input / 2 + 2),
            ModelKind.LaSympNet => 4.0 * file.Model.SympNetLayers() * Models.SympNets.LaSympNet.Sublayers * (input / 2) * (input / 2),
            _ => 4 * (hidden * hidden + hidden * input),
        };
        if (least > new FileInfo(weightsPath).Length)
            throw new ModelFileException(
                path,
                $"weights file '{weightsPath}' is too small for a {file.Model.InputDim}→{file.Model.HiddenDim} model"
            );
        var model = DynamicsModel.Create(file.Model);
        try
        {
            model.load(weightsPath, strict: true);
        }
        catch (Exception e)
        {
            model.Dispose();
            throw new ModelFileException(path, $"weights do not fit the described {file.Model.Kind} model ({e.Message.Split('\n')[0]})");
        }
        model.eval();
        if (model is Sampled.SampledHnn fitted)
        {
            fitted.Sampling = file.Sampling;
            fitted.FitReport = file.Fit;
        }
        return (model, file);
    }

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
