using System.Diagnostics;
using Hnn.Tensors;
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
    float[] TrainLoss,
    float[] TestLoss,
    PixelLossSummary FinalTrain,
    PixelLossSummary FinalTest,
    double Seconds,
    int Threads
)
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
    /// Trains <paramref name="model"/> in place (paper: Adam 1e-3, weight decay 1e-5, batch 200, 10 000 steps), logging a
    /// random test minibatch every <paramref name="testEvery"/> steps; no checkpoints (see the overload that takes a
    /// <see cref="TrainingControl"/>).
    /// </summary>
    /// <exception cref="TrainingInterruptedException"><paramref name="cancellation"/> fired; the run stopped between steps.</exception>
    public static PixelTrainingResult Train(
        PixelHnn model,
        PixelDataset data,
        TrainSettings settings,
        IProgress<TrainingProgress>? progress = null,
        int testEvery = 100,
        CancellationToken cancellation = default
    )
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(testEvery, 1);
        return Train(model, data, settings with { TestEvery = testEvery }, progress, new TrainingControl(Cancellation: cancellation));
    }

    /// <summary>
    /// Trains <paramref name="model"/> in place with Adam and the <see cref="PixelLoss"/>: each step draws a random
    /// minibatch of train samples (torch's generator seeded with Seed + 1), in its own dispose scope, with a garbage
    /// collection every <see cref="CollectEvery"/> steps, so memory stays flat. Every <see cref="TrainSettings.TestEvery"/>
    /// steps (0: never) a random test minibatch is evaluated for the log, as the reference does. Gradients are clipped
    /// to <see cref="TrainSettings.ClipGradNorm"/> when it is set. Safe to interrupt as
    /// <see cref="Trainer.Train(Hnn.Models.DynamicsModel, Hnn.Data.Dataset, TrainSettings, IProgress{TrainingProgress}?, TrainingControl)"/>:
    /// the same <see cref="Checkpoint"/> files every <see cref="TrainingControl.CheckpointEvery"/> steps and at the end
    /// (the header describes the latent field; the weights are the whole model's), a bit-identical continuation when
    /// resuming, a clean stop after checkpointing when cancelled, and a stop on a NaN or infinite loss (or gradient
    /// norm, when clipping) that leaves the last good checkpoint alone.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss or the clipped gradients' norm stopped being finite.</exception>
    /// <exception cref="TrainingInterruptedException">The cancellation token fired.</exception>
    /// <exception cref="CheckpointException">The checkpoint to resume from is corrupt or belongs to another run.</exception>
    public static PixelTrainingResult Train(
        PixelHnn model,
        PixelDataset data,
        TrainSettings settings,
        IProgress<TrainingProgress>? progress,
        TrainingControl control
    )
    {
        settings.Validate();
        control.Validate();
        if (settings.Supervision != Supervision.Derivative)
            throw new ArgumentException("the pixel model learns from frame pairs with its own objective, not integrator-supervised");
        if (data.PairDimension != model.Autoencoder.InputDim)
            throw new ArgumentException(
                $"dataset '{data.Name}' has pairs of {data.PairDimension} values but the model expects {model.Autoencoder.InputDim}"
            );
        int threads = settings.Threads ?? Environment.ProcessorCount;
        set_num_threads(threads);
        var resumed = control.Resume && File.Exists(control.CheckpointPath) ? Checkpoint.Load(control.CheckpointPath) : null;
        resumed?.CheckMatches(control.Task, model.Dynamics.Settings, settings);
        resumed?.RestoreWeights(model);
        random.manual_seed(settings.Seed + 1);

        using var outer = NewDisposeScope();
        var trainFrames = data.SplitFrames(test: false);
        var testFrames = data.SplitFrames(test: true);
        using var optimizer = new AdamOptimizer(model.parameters(), settings.LearningRate, settings.WeightDecay);
        resumed?.RestoreOptimizerAndGenerator(optimizer);
        int batch = Math.Min(settings.BatchSize ?? data.TrainSamples, data.TrainSamples);
        int testBatch = Math.Min(batch, data.TestSamples);
        var trainLoss = new float[settings.Steps + 1];
        var testLoss = new float[settings.Steps + 1];
        Array.Fill(testLoss, float.NaN);
        int first = 0;
        double earlier = 0;
        if (resumed is { Header: var h })
        {
            h.TrainLoss.CopyTo(trainLoss, 0);
            if (h.TestLoss.Length > 0)
                h.TestLoss.CopyTo(testLoss, 0);
            first = h.Step + 1;
            earlier = h.Seconds;
        }
        int? checkpointStep = resumed?.Header.Step;
        var clock = Stopwatch.StartNew();
        void Save(int step)
        {
            if (control.CheckpointPath is null)
                return;
            var header = new CheckpointHeader(
                "",
                0,
                control.Task,
                model.Dynamics.Settings,
                settings,
                step,
                trainLoss[..(step + 1)],
                testLoss[..(step + 1)],
                earlier + clock.Elapsed.TotalSeconds
            );
            Checkpoint.Save(control.CheckpointPath, header, model, optimizer);
            checkpointStep = step;
        }
        TrainingDivergedException Diverged(int step, string quantity, double value) =>
            new(step, quantity, value, checkpointStep is null ? null : control.CheckpointPath, checkpointStep);

        var parameters = model.parameters().ToArray();
        for (int step = first; step <= settings.Steps; step++)
        {
            if (control.Cancellation.IsCancellationRequested)
            {
                if (step > 0)
                    Save(step - 1);
                throw new TrainingInterruptedException(step - 1, step > 0 ? control.CheckpointPath : null);
            }
            using (var scope = NewDisposeScope())
            {
                model.train();
                var (x, next) = data.Pairs(trainFrames, Draw(data.TrainSamples, batch));
                var loss = PixelLoss.Total(model, x, next, createGraph: true).mean();
                trainLoss[step] = loss.item<float>();
                if (!float.IsFinite(trainLoss[step]))
                    throw Diverged(step, "train loss", trainLoss[step]);
                optimizer.zero_grad();
                loss.backward();
                if (
                    settings.ClipGradNorm is double maxNorm
                    && nn.utils.clip_grad_norm_(parameters, maxNorm) is var norm
                    && !double.IsFinite(norm)
                )
                    throw Diverged(step, "gradient norm", norm);
                Trainer.ScheduleLearningRate(optimizer, settings, step);
                optimizer.step();
            }
            if (settings.TestEvery > 0 && (step % settings.TestEvery == 0 || step == settings.Steps))
            {
                using var scope = NewDisposeScope();
                model.eval();
                var (tx, tnext) = data.Pairs(testFrames, Draw(data.TestSamples, testBatch));
                using (no_grad())
                    testLoss[step] = PixelLoss.Total(model, tx, tnext, createGraph: false).mean().item<float>();
            }
            progress?.Report(new TrainingProgress(step, settings.Steps, trainLoss[step], testLoss[step], clock.Elapsed));
            if (step == settings.Steps || (control.CheckpointEvery > 0 && step % control.CheckpointEvery == 0))
                Save(step);
            if (step % CollectEvery == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        clock.Stop();
        model.eval();
        return new PixelTrainingResult(
            trainLoss,
            testLoss,
            Evaluate(model, data, test: false),
            Evaluate(model, data, test: true),
            earlier + clock.Elapsed.TotalSeconds,
            threads
        );
    }

    /// <summary>The loss of <paramref name="model"/> over every sample of one split, in chunks of <see cref="EvaluationChunk"/>.</summary>
    public static PixelLossSummary Evaluate(PixelHnn model, PixelDataset data, bool test)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var frames = data.SplitFrames(test);
        int n = test ? data.TestSamples : data.TrainSamples;
        var totals = new List<Tensor>();
        double autoencoder = 0,
            canonical = 0,
            latent = 0;
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
