using Hnn.Models;
using Hnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Pixels;

/// <summary>
/// The latent-rollout protocol of the pixel task. Each test trial's first sample (the pair of frames 1 and 2) is
/// encoded, the latent field is integrated for <see cref="RolloutSteps"/> frames (<see cref="LatentPath.Run"/>) and
/// decoded; time index t is then compared with the true pair of frames (t + 1, t + 2) and with the true state at
/// frame t + 2. Energies are the pendulum's own (<see cref="GymPendulum.Energy"/>), reached from z through a
/// <see cref="CanonicalMap"/> fitted on the train samples (z of a sample against the state of its later frame).
/// </summary>
public static class PixelEvaluation
{
    /// <summary>Frames each test trial is rolled out for (the paper's animations: 100).</summary>
    public const int RolloutSteps = 100;

    /// <summary>Latent codes [N, 2] (float64) of every sample of one split, in sample order.</summary>
    public static double[] Latents(PixelHnn model, PixelDataset data, bool test)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var frames = data.SplitFrames(test);
        int n = test ? data.TestSamples : data.TrainSamples;
        var codes = new double[2 * n];
        for (int start = 0; start < n; start += PixelTrainer.EvaluationChunk)
        {
            int count = Math.Min(PixelTrainer.EvaluationChunk, n - start);
            var (x, _) = data.Pairs(frames, Enumerable.Range(start, count).Select(i => (long)i).ToArray());
            var z = model.Encode(x).to_type(ScalarType.Float64).contiguous();
            z.data<double>().CopyTo(codes.AsSpan(2 * start, 2 * count));
        }
        return codes;
    }

    /// <summary>Canonical coordinates (θ, p) [N, 2] of the later frame of every sample's pair in one split.</summary>
    public static double[] SampleCoordinates(PixelDataset data, bool test)
    {
        int first = test ? 0 : data.TestTrials,
            trials = test ? data.TestTrials : data.TrainTrials;
        var coordinates = new double[2 * trials * data.SamplesPerTrial];
        for (int k = 0; k < trials; k++)
        for (int s = 0; s < data.SamplesPerTrial; s++)
        {
            var (theta, p) = data.Coordinate(first + k, s + 2);
            int j = 2 * (k * data.SamplesPerTrial + s);
            coordinates[j] = theta;
            coordinates[j + 1] = p;
        }
        return coordinates;
    }

    /// <summary>The latent starts [K, 2]: codes of the first sample of each test trial.</summary>
    public static double[] Starts(PixelHnn model, PixelDataset data)
    {
        var codes = Latents(model, data, test: true);
        var starts = new double[2 * data.TestTrials];
        for (int k = 0; k < data.TestTrials; k++)
        {
            starts[2 * k] = codes[2 * k * data.SamplesPerTrial];
            starts[2 * k + 1] = codes[2 * k * data.SamplesPerTrial + 1];
        }
        return starts;
    }

    /// <summary>The latent code of the pendulum hanging still: two identical frames at θ = 0, encoded.</summary>
    public static double[] RestCode(PixelHnn model, PendulumRenderer renderer)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var frame = renderer.Render(0.0);
        var z = model.Encode(tensor([.. frame, .. frame], [1, 2 * frame.Length]));
        return z.to_type(ScalarType.Float64).data<double>().ToArray();
    }

    /// <summary>Runs the protocol for <paramref name="model"/> (see the class summary) over <paramref name="steps"/> frames.</summary>
    /// <exception cref="ArgumentOutOfRangeException">steps is not in [1, FramesPerTrial − 3].</exception>
    public static PixelMetrics Evaluate(PixelHnn model, PixelDataset data, int steps = RolloutSteps)
    {
        if (steps < 1 || steps > data.FramesPerTrial - 3)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"must be in [1, {data.FramesPerTrial - 3}]");
        model.eval();
        var map = CanonicalMap.Fit(Latents(model, data, test: false), SampleCoordinates(data, test: false));
        var testCodes = Latents(model, data, test: true);
        var r2 = map.RSquared(testCodes, SampleCoordinates(data, test: true));
        int k = data.TestTrials;
        var starts = new double[2 * k];
        for (int i = 0; i < k; i++)
        {
            starts[2 * i] = testCodes[2 * i * data.SamplesPerTrial];
            starts[2 * i + 1] = testCodes[2 * i * data.SamplesPerTrial + 1];
        }
        var path = LatentPath.Run(model, starts, steps);

        var energyErrors = new List<double>(k * (steps + 1));
        var pixelErrors = new List<double>(k * (steps + 1));
        var drift = new double[k];
        double meanStartEnergy = 0;
        for (int trial = 0; trial < k; trial++)
        {
            var (theta0, p0) = data.Coordinate(trial, 2);
            meanStartEnergy += GymPendulum.Energy(theta0, 4 * p0) / k;
        }
        for (int trial = 0; trial < k; trial++)
        {
            double first = 0,
                last = 0;
            for (int t = 0; t <= steps; t++)
            {
                var (theta, p) = data.Coordinate(trial, t + 2);
                var (z0, z1) = path.Code(trial, t);
                var (thetaHat, pHat) = map.Apply(z0, z1);
                double e = GymPendulum.Energy(theta, 4 * p),
                    eHat = GymPendulum.Energy(thetaHat, 4 * pHat);
                energyErrors.Add((e - eHat) * (e - eHat));
                if (t == 0)
                    first = eHat;
                if (t == steps)
                    last = eHat;
                pixelErrors.Add(PairError(path.Pair(trial, t), data.Frame(trial, t + 1), data.Frame(trial, t + 2)));
            }
            drift[trial] = Math.Abs(last - first) / meanStartEnergy;
        }
        var learned = model.Dynamics is HamiltonianNet hnn ? LearnedDrift(hnn, path) : null;
        return new PixelMetrics(
            LossEstimate.FromSplits(energyErrors),
            MeanAndError(drift),
            learned,
            LossEstimate.FromSplits(pixelErrors),
            r2,
            map,
            path
        );
    }

    private static double PairError(ReadOnlySpan<float> decoded, ReadOnlySpan<float> first, ReadOnlySpan<float> second)
    {
        double sum = 0;
        for (int i = 0; i < first.Length; i++)
            sum += (decoded[i] - first[i]) * (double)(decoded[i] - first[i]);
        for (int i = 0; i < second.Length; i++)
        {
            double d = decoded[first.Length + i] - second[i];
            sum += d * d;
        }
        return sum / decoded.Length;
    }

    /// <summary>|H(z(T)) − H(z(0))| per path over the std of H(z(0)) across paths; mean ± std/√K.</summary>
    private static LossEstimate LearnedDrift(HamiltonianNet hnn, LatentPath path)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int k = path.Count;
        var ends = new float[4 * k];
        for (int i = 0; i < k; i++)
        {
            var (a0, a1) = path.Code(i, 0);
            var (b0, b1) = path.Code(i, path.Steps);
            ends[2 * i] = (float)a0;
            ends[2 * i + 1] = (float)a1;
            ends[2 * (k + i)] = (float)b0;
            ends[2 * (k + i) + 1] = (float)b1;
        }
        var h = hnn.Hamiltonian(tensor(ends, [2 * k, 2])).to_type(ScalarType.Float64).data<double>().ToArray();
        double mean = h.Take(k).Average();
        double spread = Math.Sqrt(h.Take(k).Sum(v => (v - mean) * (v - mean)) / k);
        var drift = Enumerable.Range(0, k).Select(i => Math.Abs(h[k + i] - h[i]) / (spread > 0 ? spread : 1.0)).ToArray();
        return MeanAndError(drift);
    }

    private static LossEstimate MeanAndError(double[] values)
    {
        double mean = values.Average();
        double std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
        return new LossEstimate(mean, std / Math.Sqrt(values.Length));
    }
}
