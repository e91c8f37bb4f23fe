using Hnn.Tensors;
using System.Diagnostics;
using Hnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Pixels;

/// <summary>What training a pixel model produced besides its weights.</summary>
/// <param name="TrainLoss">Minibatch loss per step, steps 0..Steps.</param>
/// <param name="TestLoss">Loss of a random test minibatch every <c>testEvery</c> steps (NaN at the other steps).</param>
/// <param name="FinalTrain">The loss over the whole train split.</param>
/// <param name="FinalTest">The loss over the whole test split.</param>
/// <param name="Seconds">Wall time of the training loop.</param>
/// <param name="Threads">Torch intra-op threads used.</param>
public sealed record PixelTrainingResult(
    float[] TrainLoss, float[] TestLoss, PixelLossSummary FinalTrain, PixelLossSummary FinalTest, double Seconds, int Threads)
{
    /// <summary>Milliseconds per training step.</summary>
    public double MillisecondsPerStep => 1000 * Seconds / Math.Max(1, TrainLoss.Length);
}

/// <summary>Trains a <see cref="PixelHnn"/> on a <see cref="PixelDataset"/> with Adam and the <see cref="PixelLoss"/>.</summary>
public static class PixelTrainer
{
    /// <summary>Samples per chunk when a whole split is evaluated.</summary>
    public const int EvaluationChunk = 1000;

    /// <summary>
    /// Steps between forced garbage collections. TorchSharp's Adam leaves tensor handles outside any dispose scope;
    /// they hold gradient-sized native buffers until their finalizers run, which with this model's 1568-wide layers
    /// grows the process by megabytes per step (measured: 7 GB after 1000 steps). Collecting every 50 steps keeps
    /// memory flat for about 1 % of the run time.
    /// </summary>
    public const int CollectEvery = 50;

    /// <summary>
    /// Trains <paramref name="model"/> in place (paper: Adam 1e-3, weight decay 1e-5, batch 200, 10 000 steps): each
    /// step draws a random minibatch of train samples (torch's generator seeded with Seed + 1), in its own dispose
    /// scope, with a garbage collection every <see cref="CollectEvery"/> steps, so memory stays flat. Every
    /// <paramref name="testEvery"/> steps a random test minibatch is evaluated for the log, as the reference does.
    /// Gradients are clipped to <see cref="TrainSettings.ClipGradNorm"/> when it is set.
    /// </summary>
    /// <exception cref="TrainingInterruptedException"><paramref name="cancellation"/> fired; the run stopped between steps.</exception>
    public static PixelTrainingResult Train(PixelHnn model, PixelDataset data, TrainSettings settings, IProgress<TrainingProgress>? progress = null,
        int testEvery = 100, CancellationToken cancellation = default)
    {
        settings.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(testEvery, 1);
        if (data.PairDimension != model.Autoencoder.InputDim)
            throw new ArgumentException($"dataset '{data.Name}' has pairs of {data.PairDimension} values but the model expects {model.Autoencoder.InputDim}");
        int threads = settings.Threads ?? Environment.ProcessorCount;
        set_num_threads(threads);
        random.manual_seed(settings.Seed + 1);

        using var outer = NewDisposeScope();
        var trainFrames = data.SplitFrames(test: false);
        var testFrames = data.SplitFrames(test: true);
        using var optimizer = new AdamOptimizer(model.parameters(), settings.LearningRate, settings.WeightDecay);
        int batch = Math.Min(settings.BatchSize ?? data.TrainSamples, data.TrainSamples);
        int testBatch = Math.Min(batch, data.TestSamples);
        var trainLoss = new float[settings.Steps + 1];
        var testLoss = new float[settings.Steps + 1];
        Array.Fill(testLoss, float.NaN);
        var clock = Stopwatch.StartNew();
        var parameters = model.parameters().ToArray();
        for (int step = 0; step <= settings.Steps; step++)
        {
            if (cancellation.IsCancellationRequested) throw new TrainingInterruptedException(step - 1, null);
            using var scope = NewDisposeScope();
            model.train();
            var (x, next) = data.Pairs(trainFrames, Draw(data.TrainSamples, batch));
            var loss = PixelLoss.Total(model, x, next, createGraph: true).mean();
            optimizer.zero_grad();
            loss.backward();
            if (settings.ClipGradNorm is double maxNorm) nn.utils.clip_grad_norm_(parameters, maxNorm);
            optimizer.step();
            trainLoss[step] = loss.item<float>();
            if (step % testEvery == 0 || step == settings.Steps)
            {
                model.eval();
                var (tx, tnext) = data.Pairs(testFrames, Draw(data.TestSamples, testBatch));
                using (no_grad())
                    testLoss[step] = PixelLoss.Total(model, tx, tnext, createGraph: false).mean().item<float>();
            }
            progress?.Report(new TrainingProgress(step, settings.Steps, trainLoss[step], testLoss[step], clock.Elapsed));
            if (step % CollectEvery == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        clock.Stop();
        model.eval();
        return new PixelTrainingResult(trainLoss, testLoss, Evaluate(model, data, test: false), Evaluate(model, data, test: true),
            clock.Elapsed.TotalSeconds, threads);
    }

    /// <summary>The loss of <paramref name="model"/> over every sample of one split, in chunks of <see cref="EvaluationChunk"/>.</summary>
    public static PixelLossSummary Evaluate(PixelHnn model, PixelDataset data, bool test)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var frames = data.SplitFrames(test);
        int n = test ? data.TestSamples : data.TrainSamples;
        var totals = new List<Tensor>();
        double autoencoder = 0, canonical = 0, latent = 0;
        for (int start = 0; start < n; start += EvaluationChunk)
        {
            int count = Math.Min(EvaluationChunk, n - start);
            var samples = Enumerable.Range(start, count).Select(i => (long)i).ToArray();
            var (x, next) = data.Pairs(frames, samples);
            var (a, c, l) = PixelLoss.Terms(model, x, next, createGraph: false);
            totals.Add(a.Plus(c).Plus(l.Times(PixelLoss.LatentWeight)).detach());
            autoencoder += a.sum().item<float>();
            canonical += c.sum().item<float>();
            latent += l.sum().item<float>();
        }
        var total = LossEstimate.FromSquaredErrors(cat(totals, 0));
        return new PixelLossSummary(total, autoencoder / n, canonical / n, latent / n);
    }

    private static long[] Draw(int n, int count)
    {
        using var permutation = randperm(n);
        using var first = permutation[..count];
        return first.data<long>().ToArray();
    }
}
