using Hnn.Tensors;
using System.Diagnostics;
using Hnn.Data;
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
/// whose Ĥ guides the pairs); (3) the normal equations accumulated in chunks (<see cref="FieldLeastSquares"/>, memory
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
    /// <see cref="LayerSampler.Auto"/> fits with ELM, then A-SWIM (whose first stage is a uniform-SWIM fit), and keeps
    /// whichever of the three has the lowest validation error; the report lists all three.
    /// </remarks>
    /// <exception cref="ArgumentException">Bad settings, data that do not fit them, or a missing or needless true H; before any work.</exception>
    public static SampledFitResult Fit(Dataset data, SampledSettings settings, int seed, Func<Tensor, Tensor>? hamiltonian = null)
    {
        settings.Validate();
        var modelSettings = settings.Model(data.Dimension, settings.Width).Validate();
        CheckData(data, settings);
        if (settings.Sampler == LayerSampler.Swim && hamiltonian is null)
            throw new ArgumentException("the swim sampler draws pairs by the true H, which was not given; use a-swim when H is not observed");
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
        var trajectories = data.TrainTimeline is { } timeline && timeline.Rows == available
            ? rows.Select(r => timeline.Trajectories[r]).ToArray()
            : null;
        var (heldRows, byTrajectory) = HeldOut(used, trajectories, settings.ValidationFraction, generator);
        var isHeld = new bool[used];
        foreach (var r in heldRows) isHeld[r] = true;
        var fitIndex = tensor(Enumerable.Range(0, used).Where(r => !isHeld[r]).Select(r => (long)r).ToArray());
        var heldIndex = tensor(heldRows.Select(r => (long)r).ToArray());
        int held = heldRows.Length;
        var split = new Split(x.index_select(0, fitIndex), y.index_select(0, fitIndex),
            held > 0 ? x.index_select(0, heldIndex) : null, held > 0 ? y.index_select(0, heldIndex) : null);

        // Each sampler's outcome: (sampler, outcome, first-stage validation error for A-SWIM).
        var tried = new List<(LayerSampler Sampler, StageOutcome Outcome, double? FirstStage)>();
        void Add(LayerSampler sampler, IReadOnlyList<Tensor?> values) =>
            tried.Add((sampler, Stage(split, settings, modelSettings, Sample(split.FitX, settings, sampler, values, generator)), null));
        void AddASwim(bool keepFirst)
        {
            var first = Stage(split, settings, modelSettings, Sample(split.FitX, settings, LayerSampler.UniformSwim, [null, null], generator));
            IReadOnlyList<Tensor?> values = first.Model is SampledDissipativeHnn both
                ? [both.Hamiltonian(split.FitX), both.Dissipation(split.FitX)]
                : [first.Model.Hamiltonian(split.FitX)];
            if (keepFirst) tried.Add((LayerSampler.UniformSwim, first, null));
            else first.Model.Dispose();
            tried.Add((LayerSampler.ASwim, Stage(split, settings, modelSettings, Sample(split.FitX, settings, LayerSampler.Swim, values, generator)),
                first.ValidationError));
        }
        switch (settings.Sampler)
        {
            case LayerSampler.Auto:
                Add(LayerSampler.Elm, [null, null]);
                AddASwim(keepFirst: true);
                break;
            case LayerSampler.ASwim:
                AddASwim(keepFirst: false);
                break;
            case LayerSampler.Swim:
                Add(LayerSampler.Swim, [hamiltonian!(split.FitX).to_type(ScalarType.Float64).reshape(-1)]);
                break;
            default:
                Add(settings.Sampler, [null, null]);
                break;
        }
        var best = tried.MinBy(t => double.IsNaN(t.Outcome.ValidationError) ? double.PositiveInfinity : t.Outcome.ValidationError);
        foreach (var t in tried)
            if (!ReferenceEquals(t.Outcome, best.Outcome)) t.Outcome.Model.Dispose();
        var outcome = best.Outcome;
        var samplers = settings.Sampler == LayerSampler.Auto
            ? tried.Select(t => new SamplerCandidate(t.Sampler, t.Outcome.ValidationError)).ToArray()
            : [];
        var report = new SampledFitReport(settings.Kind, best.Sampler, outcome.Model.Settings.HiddenDim, outcome.Ridge,
            outcome.ValidationError, outcome.TrainingError, available, used, held, byTrajectory, clock.Elapsed.TotalSeconds, best.FirstStage,
            outcome.Candidates, samplers);
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
        if (fraction == 0) return ([], false);
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
                if (count >= target || used - count - size < 2) break;
                chosen.Add(id);
                count += size;
            }
            if (count > 0)
                return ([.. Enumerable.Range(0, used).Where(r => chosen.Contains(trajectories![r]))], true);
        }
        return ([.. randperm(used, generator: generator).narrow(0, 0, target).sort().Values.data<long>().ToArray().Select(r => (int)r)], false);
    }

    /// <summary>Trajectories needed to hold out whole ones for validation.</summary>
    const int MinTrajectories = 5;

    /// <summary>The states to fit on, and those held out to choose on (null when none are).</summary>
    sealed record Split(Tensor FitX, Tensor FitY, Tensor? ValidationX, Tensor? ValidationY);

    sealed record StageOutcome(SampledHnn Model, double Ridge, double ValidationError, double TrainingError, IReadOnlyList<SampledCandidate> Candidates);

    /// <summary>The hidden layers, H's then D's, drawn by <paramref name="sampler"/> (values guide SWIM's pairs, one per part).</summary>
    static SampledLayer[] Sample(Tensor states, SampledSettings settings, LayerSampler sampler, IReadOnlyList<Tensor?> values, Generator generator) =>
        [.. Enumerable.Range(0, settings.Dissipative ? 2 : 1).Select(part => sampler == LayerSampler.Elm
            ? LayerSampling.Elm(states, settings.Width, settings.Activation, settings.ElmScale, generator)
            : LayerSampling.Swim(states, sampler == LayerSampler.UniformSwim ? null : values[part], settings.Width, settings.Activation, generator))];

    /// <summary>Fits the coefficients of the given layers: every candidate scored on the held-out states, the best refitted on all.</summary>
    static StageOutcome Stage(Split split, SampledSettings settings, ModelSettings modelSettings, SampledLayer[] layers)
    {
        var structure = HamiltonianNet.Structure(modelSettings.InputDim, modelSettings.CanonicalCoordinates).to_type(ScalarType.Float64);
        var functions = layers.Select(l => new SampledFunction(l, zeros(l.Width, ScalarType.Float64), 0, settings.MomentumSymmetric)).ToArray();
        var problem = new FieldLeastSquares([.. functions.Select((f, p) => (f, p == 0 ? structure : (Tensor?)null))]);
        var (gram, right, squares) = problem.Accumulate(split.FitX, split.FitY);

        var widths = settings.WidthCandidates;
        var ridges = settings.RidgeCandidates;
        var solutions = cat(widths.Select(w => problem.SolveAll(gram, right, problem.Leading(w), ridges)).ToArray(), 1);   // [T, widths·ridges]
        var candidates = new List<SampledCandidate>();
        int best = 0;
        if (split.ValidationX is not null)
        {
            var errors = problem.SquaredErrors(split.ValidationX, split.ValidationY!, solutions).data<double>().ToArray();
            double scale = split.ValidationY!.Squared().sum().item<double>();
            for (int k = 0; k < errors.Length; k++)
                candidates.Add(new SampledCandidate(widths[k / ridges.Count], ridges[k % ridges.Count], errors[k] / scale));
            best = Enumerable.Range(0, candidates.Count).Where(k => double.IsFinite(candidates[k].ValidationError))
                .DefaultIfEmpty(-1).MinBy(k => k < 0 ? 0 : candidates[k].ValidationError);
            if (best < 0) throw new InvalidOperationException("every sampled candidate's validation error is NaN or infinite");
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
            var c = final.narrow(0, (long)p * settings.Width, choice.Width);
            using var probe = new SampledFunction(layer, c, 0, settings.MomentumSymmetric);
            double offset = -probe.Value(reference).item<double>();
            fitted[p] = new SampledFunction(layer, c, offset, settings.MomentumSymmetric);
        }
        var chosen = settings.Model(modelSettings.InputDim, choice.Width);
        SampledHnn model = settings.Dissipative
            ? SampledDissipativeHnn.Fitted(chosen, fitted[0], fitted[1])
            : SampledHnn.Fitted(chosen, fitted[0]);
        foreach (var f in functions) f.Dispose();
        double validationError = candidates.Count > 0 ? candidates[best].ValidationError : double.NaN;
        return new StageOutcome(model, choice.Ridge, validationError, trainingError, candidates);
    }

    static void CheckData(Dataset data, SampledSettings settings)
    {
        if (data.TrainX.Rows != data.TrainDx.Rows || data.TrainX.Columns != data.TrainDx.Columns)
            throw new ArgumentException($"dataset '{data.Name}': training states are {data.TrainX.Rows}×{data.TrainX.Columns} but their derivatives {data.TrainDx.Rows}×{data.TrainDx.Columns}");
        int needed = settings.ValidationFraction > 0 ? 3 : 2;
        if (data.TrainX.Rows < needed)
            throw new ArgumentException($"dataset '{data.Name}': a sampled fit needs at least {needed} training states, got {data.TrainX.Rows}");
        if (!data.TrainX.Values.All(double.IsFinite) || !data.TrainDx.Values.All(double.IsFinite))
            throw new ArgumentException($"dataset '{data.Name}': training states and derivatives must be finite");
    }
}
