using System.Diagnostics;
using Hnn.Data;
using Hnn.Models;
using Hnn.Models.SympNets;
using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Training;

/// <summary>Where a training run is, reported to an <see cref="IProgress{T}"/>.</summary>
/// <param name="Step">The step just finished.</param>
/// <param name="TotalSteps">The last step.</param>
/// <param name="TrainLoss">Train loss at this step.</param>
/// <param name="TestLoss">Test loss at this step (NaN when not evaluated).</param>
/// <param name="Elapsed">Time since training started.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double TrainLoss, double TestLoss, TimeSpan Elapsed);

/// <summary>What a training run produced besides the trained weights.</summary>
/// <param name="TrainLoss">Train (minibatch) loss per step, steps 0..Steps.</param>
/// <param name="TestLoss">Test loss per step (NaN where not evaluated; empty if never).</param>
/// <param name="FinalTrain">The paper's final train loss ± error over the whole train set.</param>
/// <param name="FinalTest">The paper's final test loss ± error over the whole test set.</param>
/// <param name="Seconds">Wall time of the training loop.</param>
/// <param name="Threads">Torch intra-op threads used.</param>
public sealed record TrainingResult(
    float[] TrainLoss,
    float[] TestLoss,
    LossEstimate FinalTrain,
    LossEstimate FinalTest,
    double Seconds,
    int Threads
)
{
    /// <summary>Milliseconds per training step.</summary>
    public double MillisecondsPerStep => 1000 * Seconds / Math.Max(1, TrainLoss.Length);
}

/// <summary>
/// Derivative-supervised training: the loss is the mean of (dx/dt_true − dx/dt_pred)²; or integrator-supervised; a step
/// map (<see cref="StepMap"/>) always learns its next state from consecutive pairs.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> in place with Adam. Every step runs inside its own dispose
    /// scope, so memory stays flat however long the run.
    /// </summary>
    public static TrainingResult Train(
        DynamicsModel model,
        Dataset data,
        TrainSettings settings,
        IProgress<TrainingProgress>? progress = null
    ) => Train(model, data, settings, progress, TrainingControl.None);

    /// <summary>
    /// As the plain overload, and safe to interrupt: checkpoints every <see cref="TrainingControl.CheckpointEvery"/> steps
    /// and at the end, continues bit-identically from a checkpoint when resuming, stops cleanly (after checkpointing)
    /// when cancelled, and stops on a NaN or infinite loss or gradient without touching the last good checkpoint.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss or a gradient stopped being finite.</exception>
    /// <exception cref="TrainingInterruptedException">The cancellation token fired.</exception>
    /// <exception cref="CheckpointException">The checkpoint to resume from is corrupt or belongs to another run.</exception>
    public static TrainingResult Train(
        DynamicsModel model,
        Dataset data,
        TrainSettings settings,
        IProgress<TrainingProgress>? progress,
        TrainingControl control
    )
    {
        settings.Validate();
        control.Validate();
        if (data.Dimension != model.Settings.InputDim)
            throw new ArgumentException(
                $"dataset '{data.Name}' has dimension {data.Dimension} but the model expects {model.Settings.InputDim}"
            );
        if (settings.Threads is int wanted)
            set_num_threads(wanted);
        int threads = get_num_threads();
        var resumed = control.Resume && File.Exists(control.CheckpointPath) ? Checkpoint.Load(control.CheckpointPath) : null;
        resumed?.CheckMatches(control.Task, model.Settings, settings);
        resumed?.RestoreWeights(model);
        // Seeds minibatch draws; the initial weights are seeded where the model is made (DynamicsModel.Create).
        random.manual_seed(settings.Seed + 1);

        using var outer = NewDisposeScope();
        var x = data.TrainX.ToTensor();
        var dx = data.TrainDx.ToTensor();
        var testX = data.TestX.ToTensor();
        var testDx = data.TestDx.ToTensor();
        var train = Objective.For(model, settings, x, dx, data.TrainTimeline, $"{data.Name} (train)");
        var test = Objective.For(model, settings, testX, testDx, data.TestTimeline, $"{data.Name} (test)");
        var parameters = model.parameters().ToArray();
        // The flat optimiser re-points the parameters at slices of its buffer; resumed weights are in place by now.
        var flat = control.FlatParameters ? new FlatAdam(parameters, settings.LearningRate, settings.WeightDecay) : null;
        using optim.Optimizer optimizer =
            (optim.Optimizer?)flat ?? new AdamOptimizer(parameters, settings.LearningRate, settings.WeightDecay);
        resumed?.RestoreOptimizerAndGenerator(optimizer);

        var trainLoss = new float[settings.Steps + 1];
        var testLoss = settings.TestEvery > 0 ? new float[settings.Steps + 1] : [];
        Array.Fill(testLoss, float.NaN);
        int first = 0;
        double earlier = 0;
        if (resumed is { Header: var h })
        {
            h.TrainLoss.CopyTo(trainLoss, 0);
            if (testLoss.Length > 0 && h.TestLoss.Length > 0)
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
                model.Settings,
                settings,
                step,
                trainLoss[..(step + 1)],
                testLoss.Length > 0 ? testLoss[..(step + 1)] : [],
                earlier + clock.Elapsed.TotalSeconds
            );
            Checkpoint.Save(control.CheckpointPath, header, model, optimizer);
            checkpointStep = step;
        }

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
                var rows = settings.DrawsMinibatches(train.Count) ? randperm(train.Count)[..settings.BatchSize!.Value] : null;
                var loss = train.Loss(rows, createGraph: true);
                trainLoss[step] = loss.item<float>();
                if (!float.IsFinite(trainLoss[step]))
                    throw new TrainingDivergedException(
                        step,
                        "train loss",
                        trainLoss[step],
                        checkpointStep is null ? null : control.CheckpointPath,
                        checkpointStep
                    );
                optimizer.zero_grad();
                loss.backward();
                double gradient = (settings.ClipGradNorm, flat) switch
                {
                    (double maxNorm, null) => nn.utils.clip_grad_norm_(parameters, maxNorm),
                    (double maxNorm, _) => flat.ClipGradientNorm(maxNorm),
                    (null, null) => LargestGradient(parameters),
                    (null, _) => flat.LargestGradient(),
                };
                if (!double.IsFinite(gradient))
                    throw new TrainingDivergedException(
                        step,
                        settings.ClipGradNorm is null ? "largest gradient" : "gradient norm",
                        gradient,
                        checkpointStep is null ? null : control.CheckpointPath,
                        checkpointStep
                    );
                ScheduleLearningRate(optimizer, settings, step);
                optimizer.step();
            }

            double testValue = double.NaN;
            if (settings.TestEvery > 0 && (step % settings.TestEvery == 0 || step == settings.Steps))
            {
                using var scope = NewDisposeScope();
                model.eval();
                using (no_grad())
                    testValue = testLoss[step] = test.Loss(null, createGraph: false).item<float>();
            }
            progress?.Report(new TrainingProgress(step, settings.Steps, trainLoss[step], testValue, clock.Elapsed));
            if (step == settings.Steps || (control.CheckpointEvery > 0 && step % control.CheckpointEvery == 0))
                Save(step);
        }
        clock.Stop();
        model.eval();
        // The paper's loss is that of dx/dt; a step map has no dx/dt of its own, so its loss is that of its objective.
        var finalTrain = model is StepMap ? train.FinalLoss() : FinalLoss(model, x, dx);
        var finalTest = model is StepMap ? test.FinalLoss() : FinalLoss(model, testX, testDx);
        return new TrainingResult(trainLoss, testLoss, finalTrain, finalTest, earlier + clock.Elapsed.TotalSeconds, threads);
    }

    /// <summary>
    /// Sets the learning rate of step <paramref name="step"/> (<see cref="TrainSettings.LearningRateAt"/>) on every
    /// parameter group. A function of the step alone, so a resumed run continues the same schedule.
    /// </summary>
    internal static void ScheduleLearningRate(optim.Optimizer optimizer, TrainSettings settings, int step)
    {
        if (settings.LearningRateDecay == 1)
            return;
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = settings.LearningRateAt(step);
    }

    /// <summary>The largest |gradient| over all parameters (NaN if any is NaN).</summary>
    static double LargestGradient(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var largest = parameters.Where(p => p.grad is not null).Select(p => p.grad!.abs().max()).ToArray();
        return largest.Length == 0 ? 0 : stack(largest).max().item<float>();
    }

    /// <summary>The paper's reported loss of a model on a set: squared errors over [N, D], mean ± std/√N.</summary>
    public static LossEstimate FinalLoss(DynamicsModel model, Tensor x, Tensor dxdt)
    {
        using var scope = NewDisposeScope();
        var predicted = model.TimeDerivative(x, createGraph: false).detach();
        return LossEstimate.FromSquaredErrors((dxdt - predicted).Squared());
    }

    static Tensor SquaredErrors(Tensor predicted, Tensor target) => (predicted - target).Squared();

    /// <summary>
    /// The number of examples a model of <paramref name="kind"/> trained under <paramref name="supervision"/> draws its
    /// minibatches from in <paramref name="data"/>' training split: its consecutive pairs (x(t), x(t + Δt)) for a step
    /// map or integrator supervision (none without a timeline: such data are refused when training starts), its states
    /// otherwise. With <see cref="TrainSettings.DrawsMinibatches"/> it says whether a run trains in minibatches before
    /// it starts, as the training loop will.
    /// </summary>
    public static long TrainingExamples(ModelKind kind, Supervision supervision, Dataset data) =>
        LearnsFromPairs(kind, supervision) ? data.TrainTimeline?.Pairs().Count ?? 0 : data.TrainX.Rows;

    static bool LearnsFromPairs(ModelKind kind, Supervision supervision) =>
        ModelSettings.IsStepMap(kind) || supervision == Supervision.Integrator;

    /// <summary>The training objective on one split: derivative or integrator supervised, or a step map's next state.</summary>
    sealed class Objective(long count, Func<Tensor?, bool, Tensor> squaredErrors)
    {
        public long Count { get; } = count;

        /// <summary>Mean loss over the given rows (all if null).</summary>
        public Tensor Loss(Tensor? rows, bool createGraph) => squaredErrors(rows, createGraph).mean();

        /// <summary>The loss over every row as the paper reports it (mean ± std/√N of the squared errors), without a graph.</summary>
        public LossEstimate FinalLoss()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return LossEstimate.FromSquaredErrors(squaredErrors(null, false).detach());
        }

        /// <summary>The objective on states <paramref name="xs"/> and targets <paramref name="targets"/> [N, D] (float32).</summary>
        public static Objective For(DynamicsModel model, TrainSettings settings, Tensor xs, Tensor targets, Timeline? timeline, string name)
        {
            if (!LearnsFromPairs(model.Settings.Kind, settings.Supervision))
            {
                return new Objective(
                    xs.shape[0],
                    (rows, graph) =>
                        rows is null
                            ? SquaredErrors(model.TimeDerivative(xs, graph), targets)
                            : SquaredErrors(model.TimeDerivative(xs.index_select(0, rows), graph), targets.index_select(0, rows))
                );
            }
            if (timeline is null)
                throw new ArgumentException(
                    $"dataset {name} has no times and trajectory ids, so it cannot be used for integrator supervision or a step map"
                );
            var pairs = timeline.Pairs();
            if (pairs.Count == 0)
                throw new ArgumentException($"dataset {name} has no consecutive states to learn transitions from");
            var from = xs.index_select(0, tensor(pairs.From.Select(i => (long)i).ToArray()));
            var to = xs.index_select(0, tensor(pairs.To.Select(i => (long)i).ToArray()));
            if (model is StepMap map)
            {
                // A map learns its own step only: every transition must be h apart.
                double h = map.StepSize;
                if (pairs.Dt.Any(dt => Math.Abs(dt - h) > 1e-6 * h))
                    throw new ArgumentException(
                        $"dataset {name} has transitions of {pairs.Dt.Min():G6} to {pairs.Dt.Max():G6} time units, but the step map's step is {h:G6}"
                    );
                return new Objective(
                    pairs.Count,
                    (rows, graph) =>
                    {
                        using var gradMode = graph ? enable_grad() : no_grad();
                        return rows is null
                            ? SquaredErrors(map.Step(from), to)
                            : SquaredErrors(map.Step(from.index_select(0, rows)), to.index_select(0, rows));
                    }
                );
            }
            var method = SupervisedStep.Parse(settings.Integrator);
            var dt = tensor(pairs.Dt.Select(v => (float)v).ToArray()).reshape(-1, 1);
            Func<bool, Func<Tensor, Tensor>> field = graph => s => model.TimeDerivative(s, graph);
            return new Objective(
                pairs.Count,
                (rows, graph) =>
                    rows is null
                        ? SquaredErrors(SupervisedStep.Advance(method, field(graph), from, dt, settings.Substeps), to)
                        : SquaredErrors(
                            SupervisedStep.Advance(
                                method,
                                field(graph),
                                from.index_select(0, rows),
                                dt.index_select(0, rows),
                                settings.Substeps
                            ),
                            to.index_select(0, rows)
                        )
            );
        }
    }

    /// <summary>The final loss of a model on one split of a dataset.</summary>
    public static LossEstimate FinalLoss(DynamicsModel model, StateMatrix x, StateMatrix dxdt)
    {
        using var scope = NewDisposeScope();
        return FinalLoss(model, x.ToTensor(), dxdt.ToTensor());
    }
}
