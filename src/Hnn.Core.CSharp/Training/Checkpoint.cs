using System.Text;
using System.Text.Json;
using Hnn.IO;
using Hnn.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Training;

/// <summary>A checkpoint file is unreadable, corrupt or belongs to another run; the message names the file and the problem.</summary>
public sealed class CheckpointException(string path, string problem) : Exception($"checkpoint '{path}': {problem}")
{
    /// <summary>The file at fault.</summary>
    public string Path { get; } = path;
}

/// <summary>What a checkpoint says about its run, stored as JSON inside it.</summary>
/// <param name="Format">Always "hnn-checkpoint".</param>
/// <param name="Version">File format version.</param>
/// <param name="Task">The task key (e.g. "spring"), or "" when trained outside a task.</param>
/// <param name="Model">Architecture.</param>
/// <param name="Training">Training settings of the run.</param>
/// <param name="Step">The last finished step: training resumes at Step + 1.</param>
/// <param name="TrainLoss">Train loss per step 0..Step.</param>
/// <param name="TestLoss">Test loss per step 0..Step (NaN where not evaluated), or empty.</param>
/// <param name="Seconds">Training wall time so far.</param>
public sealed record CheckpointHeader(
    string Format,
    int Version,
    string Task,
    ModelSettings Model,
    TrainSettings Training,
    int Step,
    float[] TrainLoss,
    float[] TestLoss,
    double Seconds
);

/// <summary>
/// Everything needed to continue a training run bit-identically: the model's weights, Adam's state,
/// torch's generator state, the step, the settings and the loss curves so far. One <see cref="FileEnvelope"/>
/// (checksummed, written atomically).
/// </summary>
/// <remarks>
/// Envelope magic "HNNCKPT\0", no key. Payload: four blocks each as int32 length + bytes (UTF-8 JSON header,
/// TorchSharp weights, TorchSharp optimiser state (Adam's, named "AdamOptimizer"), torch generator state).
/// </remarks>
public sealed class Checkpoint
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentVersion = 1;

    const string FormatName = "hnn-checkpoint";

    static readonly FileEnvelope Envelope = new(
        "HNNCKPT\0",
        CurrentVersion,
        "an Hnn checkpoint",
        keyLength: 0,
        keyOwner: "run",
        (path, problem) => new CheckpointException(path, problem)
    );

    Checkpoint(string path, CheckpointHeader header, byte[] weights, byte[] optimizer, byte[] rng)
    {
        Path = path;
        Header = header;
        Weights = weights;
        Optimizer = optimizer;
        Rng = rng;
    }

    /// <summary>Where it was read from.</summary>
    public string Path { get; }

    /// <summary>The run and step it describes.</summary>
    public CheckpointHeader Header { get; }

    byte[] Weights { get; }
    byte[] Optimizer { get; }
    byte[] Rng { get; }

    /// <summary>
    /// Writes a checkpoint of the current model (any module: a <see cref="DynamicsModel"/>, or a pixel model whose latent
    /// field <paramref name="header"/> describes), optimiser and torch generator atomically to <paramref name="path"/>.
    /// </summary>
    public static void Save(string path, CheckpointHeader header, nn.Module model, optim.Optimizer optimizer)
    {
        var helper =
            optimizer as TorchSharp.Modules.OptimizerHelper
            ?? throw new ArgumentException($"cannot checkpoint optimiser {optimizer.GetType().Name}: its state cannot be saved");
        var json = JsonSerializer.SerializeToUtf8Bytes(header with { Format = FormatName, Version = CurrentVersion }, Json.Compact);
        var weights = Capture(s => model.save(s));
        var optimizerState = Renamed(Capture(helper.save_state_dict), nameof(AdamOptimizer));
        byte[] rng;
        using (var state = random.get_rng_state())
            rng = state.data<byte>().ToArray();
        Envelope.Write(
            path,
            [],
            w =>
            {
                foreach (var block in new[] { json, weights, optimizerState, rng })
                    FileEnvelope.WriteBlock(w, block);
            }
        );
    }

    /// <summary>Reads and checks a checkpoint: magic, version, checksum, block lengths, header consistency.</summary>
    /// <exception cref="CheckpointException">The file is missing, truncated, corrupt, of another version or inconsistent.</exception>
    public static Checkpoint Load(string path)
    {
        var (json, weights, optimizer, rng) = Envelope.Read(path, [], ReadBlocks);
        return FromBlocks(path, json, weights, optimizer, rng);
    }

    /// <summary>As <see cref="Load"/>, from the file's bytes; <paramref name="path"/> names it in errors.</summary>
    public static Checkpoint Parse(byte[] bytes, string path)
    {
        var (json, weights, optimizer, rng) = Envelope.Parse(bytes, path, [], ReadBlocks);
        return FromBlocks(path, json, weights, optimizer, rng);
    }

    static (byte[] Json, byte[] Weights, byte[] Optimizer, byte[] Rng) ReadBlocks(FileEnvelope.PayloadReader r) =>
        (r.ReadBlock("header"), r.ReadBlock("weights"), r.ReadBlock("optimiser state"), r.ReadBlock("generator state"));

    /// <summary>Checks the header against the run it claims; the blocks are restored later, on demand.</summary>
    static Checkpoint FromBlocks(string path, byte[] json, byte[] weights, byte[] optimizer, byte[] rng)
    {
        CheckpointHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<CheckpointHeader>(json, Json.Compact);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"invalid header ({e.Message})");
        }
        if (header is null || header.Format != FormatName)
            throw new CheckpointException(path, $"invalid header (expected format \"{FormatName}\")");
        if (header.Version != CurrentVersion)
            throw new CheckpointException(path, $"header version {header.Version} differs from file version {CurrentVersion}");
        if (header.Model is null || header.Training is null || header.Task is null || header.TrainLoss is null || header.TestLoss is null)
            throw new CheckpointException(path, "incomplete header");
        try
        {
            header.Model.Validate();
            header.Training.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(path, e.Message);
        }
        if (header.Step < 0 || header.Step > header.Training.Steps)
            throw new CheckpointException(path, $"step {header.Step} is outside the run's 0..{header.Training.Steps}");
        if (header.TrainLoss.Length != header.Step + 1 || (header.TestLoss.Length != 0 && header.TestLoss.Length != header.Step + 1))
            throw new CheckpointException(
                path,
                $"loss curves of {header.TrainLoss.Length} and {header.TestLoss.Length} values do not match step {header.Step}"
            );
        return new Checkpoint(path, header, weights, optimizer, rng);
    }

    /// <summary>
    /// Checks that this checkpoint was written by a run of the same task, architecture and settings (the step count
    /// and thread count may differ; the step count not under a decaying learning rate, whose schedule it sets), so that
    /// continuing it reproduces that run.
    /// </summary>
    /// <exception cref="CheckpointException">It belongs to another run; the message names the first difference.</exception>
    public void CheckMatches(string task, ModelSettings model, TrainSettings settings)
    {
        if (Header.Task != task)
            throw new CheckpointException(Path, $"written for task '{Header.Task}', not '{task}'");
        if (Header.Model != model)
            throw new CheckpointException(Path, $"written for model {Header.Model}, not {model}");
        if (Header.Step > settings.Steps)
            throw new CheckpointException(Path, $"already at step {Header.Step}, beyond the {settings.Steps} steps asked for");
        if (settings.LearningRateDecay != 1 && Header.Training.Steps != settings.Steps)
            throw new CheckpointException(
                Path,
                $"written for {Header.Training.Steps} steps with a learning rate decaying over them, not {settings.Steps}: the schedule depends on the step count"
            );
        var mine = settings with { Steps = 0, Threads = null };
        var theirs = Header.Training with { Steps = 0, Threads = null };
        if (mine != theirs)
        {
            var differences = typeof(TrainSettings)
                .GetProperties()
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && !Equals(p.GetValue(mine), p.GetValue(theirs)))
                .Select(p => $"{p.Name} {p.GetValue(theirs) ?? "none"}, not {p.GetValue(mine) ?? "none"}");
            throw new CheckpointException(Path, $"written with other training settings: {string.Join("; ", differences)}");
        }
    }

    /// <summary>Puts the saved weights into <paramref name="model"/> (before an optimiser is made over them).</summary>
    public void RestoreWeights(nn.Module model) =>
        Restore("weights", () => model.load(new BinaryReader(new MemoryStream(Weights)), strict: true));

    /// <summary>Puts the saved optimiser state into <paramref name="optimizer"/> and the saved generator state into torch.</summary>
    public void RestoreOptimizerAndGenerator(optim.Optimizer optimizer)
    {
        var helper =
            optimizer as TorchSharp.Modules.OptimizerHelper
            ?? throw new ArgumentException($"cannot restore optimiser {optimizer.GetType().Name}");
        Restore(
            "optimiser state",
            () => helper.load_state_dict(new BinaryReader(new MemoryStream(Renamed(Optimizer, optimizer.GetType().Name))))
        );
        Restore(
            "generator state",
            () =>
            {
                using var state = tensor(Rng, dtype: ScalarType.Byte);
                random.set_rng_state(state);
            }
        );
    }

    void Restore(string what, Action restore)
    {
        try
        {
            restore();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CheckpointException(Path, $"{what} do not fit this model ({e.Message.Split('\n')[0]})");
        }
    }

    /// <summary>
    /// TorchSharp's optimiser state starts with the name of the optimiser's class and refuses another. Both Adams keep
    /// TorchSharp's Adam state (step, exp_avg, exp_avg_sq per parameter), so a checkpoint names it "AdamOptimizer"
    /// whichever wrote it (files stay readable by versions before <see cref="FlatAdam"/>), and restoring renames it to
    /// the optimiser at hand: a checkpoint of either resumes under either. Other names are left as they are.
    /// </summary>
    static byte[] Renamed(byte[] state, string name)
    {
        string[] adams = [nameof(AdamOptimizer), nameof(FlatAdam)];
        using var input = new BinaryReader(new MemoryStream(state), Encoding.UTF8);
        var written = input.ReadString();
        if (written == name || !adams.Contains(written) || !adams.Contains(name))
            return state;
        int rest = (int)input.BaseStream.Position;
        using var output = new MemoryStream();
        using (var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(name);
            w.Write(state, rest, state.Length - rest);
        }
        return output.ToArray();
    }

    static byte[] Capture(Action<BinaryWriter> save)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            save(w);
            w.Flush();
        }
        return stream.ToArray();
    }
}
