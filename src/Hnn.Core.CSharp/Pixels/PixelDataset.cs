using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Pixels;

/// <summary>
/// Pixel-pendulum data kept as whole trials of frames, test trials first. A sample is a pair of consecutive frames
/// (2·Side² numbers) together with the next pair, one frame later: sample s of a trial is the pair of frames
/// (s + 1, s + 2) and its next pair (s + 2, s + 3), so a trial of F frames gives F − 3 samples (the reference's
/// 100 of 103). Frames are float32 in [0, 1]; canonical coordinates (θ, p = 0.25·θ̇) of every frame are float64.
/// </summary>
public sealed class PixelDataset
{
    /// <summary>Wraps trials of frames [Trials, FramesPerTrial, Side²] and coordinates [Trials, FramesPerTrial, 2], row-major.</summary>
    /// <exception cref="ArgumentException">The sizes disagree.</exception>
    public PixelDataset(string name, int trials, int framesPerTrial, int side, int testTrials, float[] frames, double[] coordinates)
    {
        if (trials < 2)
            throw new ArgumentException($"need at least 2 trials, got {trials}");
        if (framesPerTrial < 4)
            throw new ArgumentException($"need at least 4 frames per trial, got {framesPerTrial}");
        if (side < 1)
            throw new ArgumentException($"side must be positive, got {side}");
        if (testTrials < 1 || testTrials >= trials)
            throw new ArgumentException($"need 1 ≤ test trials < {trials}, got {testTrials}");
        if (frames.LongLength != (long)trials * framesPerTrial * side * side)
            throw new ArgumentException($"expected {trials}×{framesPerTrial}×{side * side} frame values, got {frames.Length}");
        if (coordinates.LongLength != 2L * trials * framesPerTrial)
            throw new ArgumentException($"expected {trials}×{framesPerTrial}×2 coordinates, got {coordinates.Length}");
        Name = name;
        Trials = trials;
        FramesPerTrial = framesPerTrial;
        Side = side;
        TestTrials = testTrials;
        Frames = frames;
        Coordinates = coordinates;
    }

    /// <summary>The recipe it comes from.</summary>
    public string Name { get; }

    /// <summary>Number of trials (paper: 200).</summary>
    public int Trials { get; }

    /// <summary>Frames per trial (paper: 103).</summary>
    public int FramesPerTrial { get; }

    /// <summary>Width and height of a frame (paper: 28).</summary>
    public int Side { get; }

    /// <summary>Trials at the start used for testing (paper: the first 20 %).</summary>
    public int TestTrials { get; }

    /// <summary>Trials used for training.</summary>
    public int TrainTrials => Trials - TestTrials;

    /// <summary>All frames, [Trials, FramesPerTrial, Side²] row-major.</summary>
    public float[] Frames { get; }

    /// <summary>Canonical coordinates (θ, 0.25·θ̇) of every frame, [Trials, FramesPerTrial, 2] row-major.</summary>
    public double[] Coordinates { get; }

    /// <summary>Pixels of one frame, Side².</summary>
    public int FramePixels => Side * Side;

    /// <summary>Length of a model input: two frames, 2·Side².</summary>
    public int PairDimension => 2 * FramePixels;

    /// <summary>Samples (frame pairs with a next pair) per trial, FramesPerTrial − 3.</summary>
    public int SamplesPerTrial => FramesPerTrial - 3;

    /// <summary>Number of training samples.</summary>
    public int TrainSamples => TrainTrials * SamplesPerTrial;

    /// <summary>Number of test samples.</summary>
    public int TestSamples => TestTrials * SamplesPerTrial;

    /// <summary>Frame <paramref name="index"/> of trial <paramref name="trial"/> (counting test trials first).</summary>
    public ReadOnlySpan<float> Frame(int trial, int index) => Frames.AsSpan(((trial * FramesPerTrial) + index) * FramePixels, FramePixels);

    /// <summary>Canonical coordinates (θ, p = 0.25·θ̇) of frame <paramref name="index"/> of trial <paramref name="trial"/>.</summary>
    public (double Theta, double P) Coordinate(int trial, int index)
    {
        int k = 2 * (trial * FramesPerTrial + index);
        return (Coordinates[k], Coordinates[k + 1]);
    }

    /// <summary>The frames of one split as a float32 tensor [trials of the split, FramesPerTrial, Side²].</summary>
    public Tensor SplitFrames(bool test)
    {
        int first = test ? 0 : TestTrials,
            count = test ? TestTrials : TrainTrials;
        var values = Frames.AsSpan(first * FramesPerTrial * FramePixels, count * FramesPerTrial * FramePixels).ToArray();
        return tensor(values, [count, FramesPerTrial, FramePixels]);
    }

    /// <summary>
    /// The input pairs x and next pairs of the given samples (indices within a split, trial-major) from that split's
    /// frames <paramref name="splitFrames"/> [T, FramesPerTrial, Side²]: two float32 tensors [B, 2·Side²].
    /// </summary>
    public (Tensor X, Tensor Next) Pairs(Tensor splitFrames, ReadOnlySpan<long> samples)
    {
        var firstFrame = new long[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            long trial = samples[i] / SamplesPerTrial,
                s = samples[i] % SamplesPerTrial;
            firstFrame[i] = trial * FramesPerTrial + s + 1;
        }
        using var scope = NewDisposeScope();
        var flat = splitFrames.reshape(-1, FramePixels);
        var i1 = tensor(firstFrame);
        var f1 = flat.index_select(0, i1);
        var f2 = flat.index_select(0, i1.Plus(1));
        var f3 = flat.index_select(0, i1.Plus(2));
        var x = cat(new[] { f1, f2 }, 1);
        var next = cat(new[] { f2, f3 }, 1);
        return (x.MoveToOuterDisposeScope(), next.MoveToOuterDisposeScope());
    }

    /// <summary>The input pair of frames (index, index + 1) of a trial, as a float32 vector of 2·Side² values.</summary>
    public float[] Pair(int trial, int index) => [.. Frame(trial, index), .. Frame(trial, index + 1)];
}
