using System.Diagnostics;
using Hnn.Data;
using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Sampled;

/// <summary>
/// Fits a sampled HNN without backpropagation (Rahma, Datar &amp; Dietrich 2024, arXiv 2411.17511): the hidden layer is
/// sampled, and since the field M·∇H = Σₖ cₖ σ′(wₖ·x + bₖ) M·wₖ is linear in the output coefficients c, the HNN
/// condition M·∇H(xᵢ) = ẋᵢ over the training states is a linear least-squares problem, solved in float64 with a ridge.
/// </summary>
/// <remarks>
/// <para>
/// One call, no epochs: (1) at most <see cref="SampledSettings.MaxStates"/> training states, a validation share held
/// out; (2) the hidden layer(s) sampled from the fitting states (for A-SWIM, after a first fit with uniform pairs
/// whose Ĥ guides the pairs; for <see cref="LayerSampler.Auto"/>, each sampler's, compared on a narrower fit of
/// their leading neurons); (3) the normal equations accumulated in chunks (<see cref="FieldLeastSquares"/>, memory
/// O(T²) for T unknowns), solved for every width (one eigendecomposition each) and every λ, each candidate scored by
/// its relative field MSE on the held-out states; (4) the best one refitted on all states used (by Cholesky). The
/// offset c₀ appears only in the row that pins H at a reference state — H(x̄) = 0 at the mean x̄ of the fitting
/// states — so that row is met exactly by c₀ = −Σₖ cₖ σ(wₖ·x̄ + bₖ), solved after c. The dissipative model stacks H's
/// and D's coefficients in one problem and pins both.
/// </para>
/// <para>
/// float64 throughout, and the model keeps float64 parameters: the least-squares coefficients are large and cancel
/// (the field is a small difference of large sums), so float32 arithmetic would lose what the solve gained
/// (measured in <see cref="SampledHnn"/>'s remarks).
/// </para>
/// </remarks>
public static class SampledFit
{
    /// <summary>
    /// Samples and fits a model of <paramref name="settings"/>.Kind to the training split of <paramref name="data"/>
    /// (the test split is not touched). Reproducible: every random draw comes from a generator seeded with
    /// <paramref name="seed"/>.
    /// </summary>
    /// <param name="data">States and time derivatives; only the training split is used.</param>
    /// <param name="settings">Width, sampler, ridges, validation share, state cap.</param>
    /// <param name="seed">Seeds the subsample, the split and the layers.</param>
    /// <param name="hamiltonian">For <see cref="LayerSampler.Swim"/> only: the true H of states [N, D] (float64) → [N].</param>
    /// <remarks>
    /// <see cref="LayerSampler.Auto"/> compares ELM, uniform SWIM and A-SWIM (its pairs drawn by the uniform-SWIM fit's
    /// Ĥ) at <see cref="SampledSettings.ComparedWidth"/> (Width/4 by default), then fits the one with the lowest
    /// validation error at the full width (and ELM too when a SWIM sampler won, keeping the better); the report lists the
    /// three with their errors, the width compared at and the full-width errors.
    /// </remarks>
    /// <exception cref="ArgumentException">Bad settings, data that do not fit them, or a missing or needless true H; before any work.</exception>
    public static SampledFitResult Fit(Dataset data, SampledSettings settings, int seed, Func<Tensor, Tensor>? hamiltonian = null)
    {
        settings.Validate();
        var modelSettings = settings.Model(data.Dimension, settings.Width).Validate();
        CheckData(data, settings);
        if (settings.Sampler == LayerSampler.Swim && hamiltonian is null)
            throw new ArgumentException(
                "the swim sampler draws pairs by the true H, which was not given; use a-swim when H is not observed"
            );
        if (settings.Sampler != LayerSampler.Swim && hamiltonian is not null)
            throw new ArgumentException($"a true H is used only by the swim sampler, not by {settings.Sampler}");

        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        using var gradMode = no_grad();
        using var generator = new Generator((ulong)seed);
        var x = data.TrainX.ToTensor(ScalarType.Float64);
        var y = data.TrainDx.ToTensor(ScalarType.Float64);
        int available = (int)x.shape[0];
        var rows = Enumerable.Range(0, available).Select(i => (long)i).ToArray();
        if (available > settings.MaxStates)
        {
            rows = randperm(available, generator: generator).narrow(0, 0, settings.MaxStates).sort().Values.data<long>().ToArray();
            x = x.index_select(0, tensor(rows));
            y = y.index_select(0, tensor(rows));
        }
        int used = rows.Length;
        var trajectories =
            data.TrainTimeline is { } timeline && timeline.Rows == available ? rows.Select(r => timeline.Trajectories[r]).ToArray() : null;
        var (heldRows, byTrajectory) = HeldOut(used, trajectories, settings.ValidationFraction, generator);
        var isHeld = new bool[used];
        foreach (var r in heldRows)
            isHeld[r] = true;
        var fitIndex = tensor(Enumerable.Range(0, used).Where(r => !isHeld[r]).Select(r => (long)r).ToArray());
        var heldIndex = tensor(heldRows.Select(r => (long)r).ToArray());
        int held = heldRows.Length;
        var split = new Split(
            x.index_select(0, fitIndex),
            y.index_select(0, fitIndex),
            held > 0 ? x.index_select(0, heldIndex) : null,
            held > 0 ? y.index_select(0, heldIndex) : null
        );

        LayerSampler chosen = settings.Sampler;
        StageOutcome outcome;
        double? firstStage = null;
        SamplerCandidate[] compared = [];
        var widths = settings.WidthCandidates;
        switch (settings.Sampler)
        {
            case LayerSampler.Auto:
                (chosen, outcome, firstStage, compared) = Auto(split, settings, modelSettings, generator);
                break;
            case LayerSampler.ASwim:
                var first = Stage(
                    split,
                    settings,
                    modelSettings,
                    Sample(split.FitX, settings, LayerSampler.UniformSwim, [null, null], generator),
                    widths
                );
                var values = Values(first.Model, split.FitX);
                first.Model.Dispose();
                firstStage = first.ValidationError;
                outcome = Stage(split, settings, modelSettings, Sample(split.FitX, settings, LayerSampler.Swim, values, generator), widths);
                break;
            case LayerSampler.Swim:
                var truth = hamiltonian!(split.FitX).to_type(ScalarType.Float64).reshape(-1);
                outcome = Stage(
                    split,
                    settings,
                    modelSettings,
                    Sample(split.FitX, settings, LayerSampler.Swim, [truth], generator),
                    widths
                );
                break;
            default:
                outcome = Stage(
                    split,
                    settings,
                    modelSettings,
                    Sample(split.FitX, settings, settings.Sampler, [null, null], generator),
                    widths
                );
                break;
        }
        var report = new SampledFitReport(
            settings.Kind,
            chosen,
            outcome.Model.Settings.HiddenDim,
            outcome.Ridge,
            outcome.ValidationError,
            outcome.TrainingError,
            available,
            used,
            held,
            byTrajectory,
            clock.Elapsed.TotalSeconds,
            firstStage,
            outcome.Candidates,
            compared,
            settings.Sampler == LayerSampler.Auto ? settings.ComparedWidth : null
        );
        outcome.Model.eval();
        outcome.Model.Sampling = settings;
        outcome.Model.FitReport = report;
        return new SampledFitResult(outcome.Model, report);
    }

    /// <summary>
    /// The rows held out for validation: whole trajectories when the rows' trajectories are known and there are at
    /// least <see cref="MinTrajectories"/> of them (so the choice is scored as the test split will be, on unseen
    /// trajectories, not on neighbours of fitted states), else single rows; about <paramref name="fraction"/> of them,
    /// at least one, leaving at least two to fit.
    /// </summary>
    static (int[] Rows, bool ByTrajectory) HeldOut(int used, int[]? trajectories, double fraction, Generator generator)
    {
        if (fraction == 0)
            return ([], false);
        int target = Math.Clamp((int)Math.Round(used * fraction), 1, used - 2);
        var sizes = trajectories?.GroupBy(t => t).Select(g => (Id: g.Key, Size: g.Count())).ToArray();
        if (sizes is not null && sizes.Length >= MinTrajectories)
        {
            var order = randperm(sizes.Length, generator: generator).data<long>().ToArray();
            var chosen = new HashSet<int>();
            int count = 0;
            foreach (var k in order)
            {
                var (id, size) = sizes[k];
                if (count >= target || used - count - size < 2)
                    break;
                chosen.Add(id);
                count += size;
            }
            if (count > 0)
                return ([.. Enumerable.Range(0, used).Where(r => chosen.Contains(trajectories![r]))], true);
        }
        return (
            [.. randperm(used, generator: generator).narrow(0, 0, target).sort().Values.data<long>().ToArray().Select(r => (int)r)],
            false
        );
    }

    /// <summary>Trajectories needed to hold out whole ones for validation.</summary>
    const int MinTrajectories = 5;

    /// <summary>The states to fit on, and those held out to choose on (null when none are).</summary>
    sealed record Split(Tensor FitX, Tensor FitY, Tensor? ValidationX, Tensor? ValidationY);

    sealed record StageOutcome(
        SampledHnn Model,
        double Ridge,
        double ValidationError,
        double TrainingError,
        IReadOnlyList<SampledCandidate> Candidates
    );

    /// <summary>
    /// <see cref="LayerSampler.Auto"/>: draws each sampler's full-width layers — ELM, uniform SWIM, then A-SWIM from the Ĥ
    /// (and D̂) of the uniform-SWIM comparison fit — and fits each on its leading <see cref="SampledSettings.ComparedWidth"/>
    /// neurons with every λ. The one with the lowest validation error there is fitted again on its full-width layers with
    /// every width candidate; when that is a SWIM sampler, ELM is too, and the lower full-width validation error wins.
    /// </summary>
    /// <remarks>
    /// A comparison at a reduced width is biased one way: SWIM's steep neurons stop improving at a few dozen on a smooth
    /// H while ELM's smooth ones keep improving with width (noisy ideal pendulum, validation error from width 25 to 400:
    /// SWIM's least at 50, ELM's falling to 400). Hence the samplers are compared at one width, not at the best of the
    /// widths up to it (at the best, SWIM's 50 neurons won the pendulum of seed 0 with 4.68e-3 against ELM's 4.71e-3,
    /// and its model's energy MSE was 6× ELM's full-width one), and a SWIM win is checked against ELM's full-width fit:
    /// on the pendulum of seed 2 uniform SWIM won at width 100 (5.07e-3 against 5.16e-3) and ELM at full width (4.95e-3
    /// against 5.00e-3, energy MSE 5× lower). Over seeds 0–4 of the spring, pendulum and Hénon–Heiles (σ 0.05) this
    /// chose as fitting all three in full did. The comparison costs about 3·(ComparedWidth / Width)² of a full fit in
    /// the normal equations and 3·(ComparedWidth / Width)³ in the eigendecompositions; when ELM wins it, nothing else is
    /// fitted in full.
    /// </remarks>
    /// <returns>The chosen sampler, its full-width outcome, the first-stage error if it is A-SWIM, and every sampler compared.</returns>
    static (LayerSampler Sampler, StageOutcome Outcome, double? FirstStage, SamplerCandidate[] Compared) Auto(
        Split split,
        SampledSettings settings,
        ModelSettings modelSettings,
        Generator generator
    )
    {
        int width = settings.ComparedWidth;
        int[] widths = [width];
        var trials = new List<(LayerSampler Sampler, SampledLayer[] Layers, StageOutcome Outcome)>();
        void Compare(LayerSampler sampler, SampledLayer[] layers) =>
            trials.Add((sampler, layers, Stage(split, settings, modelSettings, [.. layers.Select(l => l.Take(width))], widths)));
        Compare(LayerSampler.Elm, Sample(split.FitX, settings, LayerSampler.Elm, [null, null], generator));
        Compare(LayerSampler.UniformSwim, Sample(split.FitX, settings, LayerSampler.UniformSwim, [null, null], generator));
        var uniform = trials[^1].Outcome;
        Compare(LayerSampler.ASwim, Sample(split.FitX, settings, LayerSampler.Swim, Values(uniform.Model, split.FitX), generator));

        var winner = trials.MinBy(t => Score(t.Outcome));
        // With one width candidate, the compared width, the comparison fits are the full-width ones.
        bool compared = settings.WidthCandidates.SequenceEqual(widths);
        var full = trials
            .Where(t => t.Sampler == winner.Sampler || t.Sampler == LayerSampler.Elm)
            .Select(t =>
                (t.Sampler, Outcome: compared ? t.Outcome : Stage(split, settings, modelSettings, t.Layers, settings.WidthCandidates))
            )
            .ToArray();
        var (chosen, outcome) = full.MinBy(f => Score(f.Outcome));
        foreach (var other in trials.Select(t => t.Outcome).Concat(full.Select(f => f.Outcome)).Distinct())
            if (!ReferenceEquals(other, outcome))
                other.Model.Dispose();
        var report = trials
            .Select(t => new SamplerCandidate(
                t.Sampler,
                t.Outcome.ValidationError,
                t.Outcome.Ridge,
                full.Where(f => f.Sampler == t.Sampler).Select(f => (double?)f.Outcome.ValidationError).FirstOrDefault()
            ))
            .ToArray();
        return (chosen, outcome, chosen == LayerSampler.ASwim ? uniform.ValidationError : null, report);
    }

    /// <summary>A stage's validation error, NaN ranked last.</summary>
    static double Score(StageOutcome outcome) => double.IsNaN(outcome.ValidationError) ? double.PositiveInfinity : outcome.ValidationError;

    /// <summary>What guides A-SWIM's pairs: a fitted model's Ĥ (and D̂ for the dissipative model) at the states.</summary>
    static IReadOnlyList<Tensor?> Values(SampledHnn model, Tensor states) =>
        model is SampledDissipativeHnn both ? [both.Hamiltonian(states), both.Dissipation(states)] : [model.Hamiltonian(states)];

    /// <summary>The hidden layers, H's then D's, drawn by <paramref name="sampler"/> (values guide SWIM's pairs, one per part).</summary>
    static SampledLayer[] Sample(
        Tensor states,
        SampledSettings settings,
        LayerSampler sampler,
        IReadOnlyList<Tensor?> values,
        Generator generator
    ) =>
        [
            .. Enumerable
                .Range(0, settings.Dissipative ? 2 : 1)
                .Select(part =>
                    sampler == LayerSampler.Elm
                        ? LayerSampling.Elm(states, settings.Width, settings.Activation, settings.ElmScale, generator)
                        : LayerSampling.Swim(
                            states,
                            sampler == LayerSampler.UniformSwim ? null : values[part],
                            settings.Width,
                            settings.Activation,
                            generator
                        )
                ),
        ];

    /// <summary>
    /// Fits the coefficients of the given layers (each of the largest of <paramref name="widths"/>): every width, as a
    /// leading subset, and every λ scored on the held-out states, the best refitted on all.
    /// </summary>
    static StageOutcome Stage(
        Split split,
        SampledSettings settings,
        ModelSettings modelSettings,
        SampledLayer[] layers,
        IReadOnlyList<int> widths
    )
    {
        var structure = HamiltonianNet.Structure(modelSettings.InputDim, modelSettings.CanonicalCoordinates).to_type(ScalarType.Float64);
        var functions = layers
            .Select(l => new SampledFunction(l, zeros(l.Width, ScalarType.Float64), 0, settings.MomentumSymmetric))
            .ToArray();
        var problem = new FieldLeastSquares([.. functions.Select((f, p) => (f, p == 0 ? structure : (Tensor?)null))]);
        var (gram, right, squares) = problem.Accumulate(split.FitX, split.FitY);

        var ridges = settings.RidgeCandidates;
        var solutions = cat(widths.Select(w => problem.SolveAll(gram, right, problem.Leading(w), ridges)).ToArray(), 1); // [T, widths·ridges]
        var candidates = new List<SampledCandidate>();
        int best = 0;
        if (split.ValidationX is not null)
        {
            var errors = problem.SquaredErrors(split.ValidationX, split.ValidationY!, solutions).data<double>().ToArray();
            double scale = split.ValidationY!.Squared().sum().item<double>();
            for (int k = 0; k < errors.Length; k++)
                candidates.Add(new SampledCandidate(widths[k / ridges.Count], ridges[k % ridges.Count], errors[k] / scale));
            best = Enumerable
                .Range(0, candidates.Count)
                .Where(k => double.IsFinite(candidates[k].ValidationError))
                .DefaultIfEmpty(-1)
                .MinBy(k => k < 0 ? 0 : candidates[k].ValidationError);
            if (best < 0)
                throw new InvalidOperationException("every sampled candidate's validation error is NaN or infinite");
        }
        var choice = (Width: widths[best / ridges.Count], Ridge: ridges[best % ridges.Count]);

        // The final fit on every state used.
        if (split.ValidationX is not null)
        {
            var (heldGram, heldRight, heldSquares) = problem.Accumulate(split.ValidationX, split.ValidationY!);
            gram = gram.Plus(heldGram);
            right = right.Plus(heldRight);
            squares += heldSquares;
        }
        var final = problem.Solve(gram, right, problem.Leading(choice.Width), choice.Ridge);
        // |Ac − y|² = cᵀGc − 2cᵀr + yᵀy from the normal equations: no pass over the states, exact to about 1e-15 of yᵀy.
        double residual = final.dot(gram.matmul(final)).item<double>() - 2 * final.dot(right).item<double>() + squares;
        double trainingError = Math.Max(0, residual) / squares;

        // Pin each learned function to 0 at the mean fitting state, and build the model of the chosen width.
        var reference = split.FitX.mean([0], keepdim: true);
        var fitted = new SampledFunction[layers.Length];
        for (int p = 0; p < layers.Length; p++)
        {
            var layer = layers[p].Take(choice.Width);
            var c = final.narrow(0, (long)p * layers[0].Width, choice.Width);
            using var probe = new SampledFunction(layer, c, 0, settings.MomentumSymmetric);
            double offset = -probe.Value(reference).item<double>();
            fitted[p] = new SampledFunction(layer, c, offset, settings.MomentumSymmetric);
        }
        var chosen = settings.Model(modelSettings.InputDim, choice.Width);
        SampledHnn model = settings.Dissipative
            ? SampledDissipativeHnn.Fitted(chosen, fitted[0], fitted[1])
            : SampledHnn.Fitted(chosen, fitted[0]);
        foreach (var f in functions)
            f.Dispose();
        double validationError = candidates.Count > 0 ? candidates[best].ValidationError : double.NaN;
        return new StageOutcome(model, choice.Ridge, validationError, trainingError, candidates);
    }

    static void CheckData(Dataset data, SampledSettings settings)
    {
        if (data.TrainX.Rows != data.TrainDx.Rows || data.TrainX.Columns != data.TrainDx.Columns)
            throw new ArgumentException(
                $"dataset '{data.Name}': training states are {data.TrainX.Rows}×{data.TrainX.Columns} but their derivatives {data.TrainDx.Rows}×{data.TrainDx.Columns}"
            );
        int needed = settings.ValidationFraction > 0 ? 3 : 2;
        if (data.TrainX.Rows < needed)
            throw new ArgumentException(
                $"dataset '{data.Name}': a sampled fit needs at least {needed} training states, got {data.TrainX.Rows}"
            );
        if (!data.TrainX.Values.All(double.IsFinite) || !data.TrainDx.Values.All(double.IsFinite))
            throw new ArgumentException($"dataset '{data.Name}': training states and derivatives must be finite");
    }
}
