using System.Collections;
using Hnn.IO;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Hnn.Models;

/// <summary>A PyTorch weights file cannot be written or read as a model; the message names the file and the problem.</summary>
/// <param name="path">The file at fault.</param>
/// <param name="problem">What is wrong with it.</param>
/// <param name="noCounterpart">Whether the model has no counterpart in the reference classes (nothing was written).</param>
public sealed class PyTorchWeightsException(string path, string problem, bool noCounterpart = false)
    : Exception($"PyTorch weights '{path}': {problem}")
{
    /// <summary>The file at fault.</summary>
    public string Path { get; } = path;

    /// <summary>The model has no counterpart in the reference classes (a momentum-symmetric HNN): nothing was written.</summary>
    public bool NoCounterpart { get; } = noCounterpart;
}

/// <summary>One entry of a state dict: its key and the shape of its tensor.</summary>
/// <param name="Key">The key, e.g. <c>differentiable_model.linear1.weight</c>.</param>
/// <param name="Shape">The tensor's shape.</param>
public sealed record StateDictEntry(string Key, long[] Shape)
{
    /// <inheritdoc />
    public override string ToString() => $"{Key} [{string.Join(", ", Shape)}]";
}

/// <summary>
/// Model weights as a PyTorch state dict (<c>torch.save</c>'s zip-and-pickle format, through TorchSharp.PyBridge), laid
/// out as the reference implementation's classes (greydanus/hamiltonian-nn) hold them, so that
/// <c>HNN(input_dim, differentiable_model=MLP(input_dim, hidden, output_dim, nonlinearity), field_type=…)</c>
/// loads the file with <c>load_state_dict</c>, and a state dict of such a model loads here.
/// </summary>
/// <remarks>
/// <para>The reference's HNN keeps its MLP as <c>differentiable_model</c>; the MLP has <c>linear1</c> (input → hidden),
/// <c>linear2</c> (hidden → hidden), both with bias, and <c>linear3</c> (hidden → output, <c>bias=None</c>: no bias). Its
/// structure matrix M is a plain attribute, not a buffer, so the state dict holds the five MLP tensors only. The baseline
/// is the same HNN class with <c>baseline=True</c> and <c>output_dim = input_dim</c>; the HNN has <c>output_dim = 2</c>
/// (F1, F2). Ours hold the same MLP under the field <c>mlp</c> and M as a derived tensor, so only the prefix differs.</para>
/// <para>A dissipative HNN is the reference HNN with <c>field_type='both'</c> (F1 = D, F2 = H: ∇D + M·∇H), so it is
/// written in the HNN layout. A momentum-symmetric HNN (H = ½(F(q, p) + F(q, −p))) has no counterpart in the reference
/// classes, which would compute another field from the same weights: it is refused.</para>
/// <para>Weights are float32, as the networks are; a file of float64 (or float16) tensors is converted to float32 on
/// reading.</para>
/// </remarks>
public static class PyTorchWeights
{
    /// <summary>The reference HNN's attribute that holds its MLP: the prefix of every key.</summary>
    public const string ModulePrefix = "differentiable_model.";

    const string OurPrefix = "mlp.";

    /// <summary>The keys and shapes the reference classes use for a model of these settings, in the reference's order.</summary>
    public static IReadOnlyList<StateDictEntry> ReferenceLayout(ModelSettings settings)
    {
        int d = settings.InputDim,
            h = settings.HiddenDim;
        int output = settings.Kind == ModelKind.Baseline ? d : 2;
        return
        [
            new(ModulePrefix + "linear1.weight", [h, d]),
            new(ModulePrefix + "linear1.bias", [h]),
            new(ModulePrefix + "linear2.weight", [h, h]),
            new(ModulePrefix + "linear2.bias", [h]),
            new(ModulePrefix + "linear3.weight", [output, h]),
        ];
    }

    /// <summary>
    /// The Python expression that builds the reference model these weights fit, e.g.
    /// <c>HNN(2, differentiable_model=MLP(2, 200, 2, 'tanh'), field_type='solenoidal')</c>.
    /// </summary>
    public static string ReferenceConstructor(ModelSettings settings)
    {
        int d = settings.InputDim;
        string mlp(int output) => $"MLP({d}, {settings.HiddenDim}, {output}, '{settings.Nonlinearity.Name()}')";
        if (settings.Kind == ModelKind.Baseline)
            return $"HNN({d}, differentiable_model={mlp(d)}, baseline=True)";
        var field = settings.Kind == ModelKind.DissipativeHnn ? FieldType.Both : settings.Field;
        var canonical = settings.CanonicalCoordinates ? "" : ", assume_canonical_coords=False";
        return $"HNN({d}, differentiable_model={mlp(2)}, field_type='{field.ToString().ToLowerInvariant()}'{canonical})";
    }

    /// <summary>
    /// Writes <paramref name="model"/>'s weights to <paramref name="path"/> as a PyTorch state dict in the reference layout
    /// (atomically: a reader never sees half a file).
    /// </summary>
    /// <exception cref="PyTorchWeightsException">The model has no counterpart in the reference classes (sampled, another family, or momentum-symmetric).</exception>
    public static void Export(DynamicsModel model, string path)
    {
        if (model is Sampled.SampledHnn)
            throw new PyTorchWeightsException(
                path,
                $"a {model.Settings.Kind} (one sampled float64 layer, coefficients solved by least squares) has no counterpart in the reference classes; export a trained hnn, baseline or dissipative-hnn"
            );
        CheckReferenceKind(path, model.Settings.Kind);
        if (model.Settings.MomentumSymmetric)
            throw new PyTorchWeightsException(
                path,
                "a momentum-symmetric HNN (H = ½(F(q, p) + F(q, −p))) has no counterpart in the reference classes, "
                    + "which would compute another field from the same weights",
                noCounterpart: true
            );
        using var scope = NewDisposeScope();
        var dict = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!name.StartsWith(OurPrefix, StringComparison.Ordinal))
                throw new InvalidOperationException(
                    $"parameter '{name}' is not part of the model's MLP; the reference layout has no place for it"
                );
            dict[ModulePrefix + name[OurPrefix.Length..]] = parameter.detach().cpu().to_type(ScalarType.Float32).contiguous();
        }
        var expected = ReferenceLayout(model.Settings);
        var written = dict.Select(kv => new StateDictEntry(kv.Key, kv.Value.shape)).ToList();
        if (!SameLayout(expected, written))
            throw new InvalidOperationException(
                $"the model's weights ({string.Join(", ", written)}) do not form the reference layout ({string.Join(", ", expected)})"
            );
        var ordered = new Dictionary<string, Tensor>();
        foreach (var e in expected)
            ordered[e.Key] = dict[e.Key];
        AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, ordered, leaveOpen: true));
    }

    /// <summary>Only the reference's own classes (its baseline and HNN, the latter also as the dissipative HNN) have its layout.</summary>
    static void CheckReferenceKind(string path, ModelKind kind)
    {
        if (kind is not (ModelKind.Baseline or ModelKind.Hnn or ModelKind.DissipativeHnn))
            throw new PyTorchWeightsException(
                path,
                $"a {kind} model has no counterpart in the reference implementation's classes (its baseline, HNN and dissipative HNN)"
            );
    }

    /// <summary>The keys and shapes of the tensors in a PyTorch state-dict file, in key order.</summary>
    /// <exception cref="PyTorchWeightsException">The file is missing or is not a state dict that torch.save wrote.</exception>
    public static IReadOnlyList<StateDictEntry> ReadLayout(string path)
    {
        using var scope = NewDisposeScope();
        return Read(path).Select(kv => new StateDictEntry(kv.Key, kv.Value.shape)).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Builds a model of <paramref name="settings"/> (kind, input dimension, nonlinearity, field) whose weights are read
    /// from a PyTorch state dict in the reference layout. The hidden width is taken from the file
    /// (<c>linear1.weight</c> is [hidden, input]); the rest of the layout must then match exactly.
    /// </summary>
    /// <exception cref="PyTorchWeightsException">The file is missing, not a state dict, or its keys or shapes do not fit.</exception>
    public static DynamicsModel Import(string path, ModelSettings settings)
    {
        var tensors = Read(path);
        try
        {
            var full = CheckLayout(path, tensors, settings);
            var model = DynamicsModel.Create(full);
            using (no_grad())
            {
                foreach (var (name, parameter) in model.named_parameters())
                {
                    using var weights = tensors[ModulePrefix + name[OurPrefix.Length..]].to_type(ScalarType.Float32);
                    parameter.copy_(weights);
                }
            }
            model.eval();
            return model;
        }
        finally
        {
            foreach (var t in tensors.Values)
                t.Dispose();
        }
    }

    /// <summary>The settings with the file's hidden width, once the file's keys, shapes and values fit them.</summary>
    static ModelSettings CheckLayout(string path, Dictionary<string, Tensor> tensors, ModelSettings settings)
    {
        CheckReferenceKind(path, settings.Kind);
        var first = ModulePrefix + "linear1.weight";
        if (!tensors.TryGetValue(first, out var w1))
            throw new PyTorchWeightsException(
                path,
                $"no '{first}' (keys: {string.Join(", ", tensors.Keys.Order(StringComparer.Ordinal))}); expected the reference HNN's state dict"
            );
        if (w1.dim() != 2)
            throw new PyTorchWeightsException(path, $"'{first}' has shape [{string.Join(", ", w1.shape)}], expected [hidden, input]");
        if (w1.shape[1] != settings.InputDim)
            throw new PyTorchWeightsException(
                path,
                $"'{first}' takes inputs of dimension {w1.shape[1]}, but the task's state has dimension {settings.InputDim}"
            );
        var full = settings with { HiddenDim = checked((int)w1.shape[0]) };
        var expected = ReferenceLayout(full);
        var found = tensors.Select(kv => new StateDictEntry(kv.Key, kv.Value.shape)).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        if (!SameLayout(expected, found))
        {
            string kindHint =
                full.Kind == ModelKind.Baseline
                    ? $"a baseline's linear3.weight is [{full.InputDim}, hidden]"
                    : "an HNN's linear3.weight is [2, hidden]";
            throw new PyTorchWeightsException(
                path,
                $"keys and shapes ({string.Join(", ", found)}) are not the reference {full.Kind} layout "
                    + $"({string.Join(", ", expected)}); {kindHint}"
            );
        }
        foreach (var (key, tensor) in tensors)
        {
            if (!tensor.is_floating_point())
                throw new PyTorchWeightsException(path, $"'{key}' holds {tensor.dtype} values, expected floating-point weights");
            using var finite = tensor.isfinite().all();
            if (!finite.item<bool>())
                throw new PyTorchWeightsException(path, $"'{key}' holds NaN or infinite values");
        }
        return full;
    }

    static bool SameLayout(IReadOnlyList<StateDictEntry> expected, IReadOnlyList<StateDictEntry> actual) =>
        expected.Count == actual.Count && expected.All(e => actual.Any(a => a.Key == e.Key && a.Shape.SequenceEqual(e.Shape)));

    /// <summary>Reads every tensor of a state-dict file; the caller disposes them (or reads inside a dispose scope).</summary>
    static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path))
            throw new PyTorchWeightsException(path, "no such file");
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new PyTorchWeightsException(
                path,
                $"not a PyTorch state dict written by torch.save ({FirstLine(e.Message)}); save the model's state_dict(), not the model"
            );
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is not string key || entry.Value is not Tensor tensor)
                throw new PyTorchWeightsException(path, $"entry '{entry.Key}' is not a named tensor; expected a state dict");
            tensors[key] = tensor;
        }
        return tensors;
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
