using Hnn.Data;
using Hnn.Integrators;
using Hnn.Models;
using Hnn.Models.SympNets;
using Hnn.Systems;
using Hnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Evaluation;

/// <summary>Paths of the true system (or the measurements) and of a model from the same starts, [K, T, D] row-major, float64.</summary>
/// <param name="Times">The T evaluation times.</param>
/// <param name="Count">K, the number of paths.</param>
/// <param name="Dimension">D.</param>
/// <param name="Reference">The true (or measured) paths.</param>
/// <param name="Model">The model's paths.</param>
public sealed record Rollouts(double[] Times, int Count, int Dimension, double[] Reference, double[] Model)
{
    /// <summary>State of path k at time index i.</summary>
    public ReadOnlySpan<double> ReferenceState(int k, int i) => Reference.AsSpan((k * Times.Length + i) * Dimension, Dimension);

    /// <summary>Model state of path k at time index i.</summary>
    public ReadOnlySpan<double> ModelState(int k, int i) => Model.AsSpan((k * Times.Length + i) * Dimension, Dimension);
}

/// <summary>
/// What the paper's energy protocol and our extra metrics measured for one model. A path that diverged (NaN from the sample
/// where it left <see cref="ModelRollout.EscapeFactor"/> times its reference's size) counts +∞ in the squared errors, the
/// drift and the energy error, and NaN (undefined) in the loss rate; its valid prediction time ends where it left, if not before.
/// </summary>
/// <param name="EnergyMse">Mean of (H(x_true(t)) − H(x_model(t)))² over all paths and times, ± std of 5 contiguous part means / √5 (the paper's protocol).</param>
/// <param name="RolloutMse">Mean squared state error over all paths, times and coordinates, ± as above.</param>
/// <param name="EnergyDrift">|H(x_model(T)) − H(x_model(0))| / |H(x_model(0))| per path at the end of the horizon; mean ± std/√K.</param>
/// <param name="Rollouts">The paths themselves, for plots.</param>
/// <param name="EnergyLossRate">−(least-squares slope of H(x_model(t)) over the horizon), energy per unit time, per path; mean ± std/√K.</param>
/// <param name="ReferenceEnergyLossRate">The same along the true (or measured) paths: what friction takes, or 0 for an ideal system.</param>
/// <param name="ValidPredictionTime">Per path, the first time the normalised state error ‖x̂ − x‖/‖x‖ exceeds
/// <see cref="BenchmarkMetrics.ValidPredictionThreshold"/> (the horizon if never); mean ± std/√K.</param>
/// <param name="EnergyError">Per path, |H(x̂(t)) − H₀|/|H₀| at t = 20 (<see cref="BenchmarkMetrics.EnergyErrorHorizon"/>; the horizon's
/// end if shorter); the median over paths ± a robust standard error (<see cref="BenchmarkMetrics.MedianWithError"/>).</param>
public sealed record TrajectoryMetrics(
    LossEstimate EnergyMse,
    LossEstimate RolloutMse,
    LossEstimate EnergyDrift,
    Rollouts Rollouts,
    LossEstimate EnergyLossRate,
    LossEstimate ReferenceEnergyLossRate,
    LossEstimate ValidPredictionTime,
    LossEstimate EnergyError
);

/// <summary>
/// Integrates the true system (float64 Dormand–Prince, per-path steps) and a learned model (the same method on
/// tensors, all paths in one batch) from a protocol's starts, and compares them with the system's true energy.
/// </summary>
public static class TrajectoryEvaluation
{
    /// <summary>The reference paths: the measured trajectory if the protocol has one, else the true system's flow.</summary>
    public static double[] ReferencePaths(EnergyProtocol protocol)
    {
        if (protocol.Measured is { } measured)
            return measured.States.Values.ToArray();
        var system = protocol.System;
        int d = system.Dimension;
        return Ode.Solve(
            BatchField(system),
            DormandPrince45.Tableau,
            protocol.InitialStates.Values.ToArray(),
            protocol.InitialStates.Rows,
            d,
            protocol.Times[0],
            protocol.Times,
            new AdaptiveSettings(protocol.Rtol, protocol.Atol)
        );
    }

    /// <summary>
    /// The model's paths from the protocol's starts in float64 (<see cref="ModelRollout.Paths"/>: a field integrated on its
    /// float64 copy, a Lagrangian network through velocity coordinates, a step map iterated). Given the reference paths, a
    /// path that leaves <see cref="ModelRollout.EscapeFactor"/> times its reference's size is NaN from there on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model's flow left the finite numbers without reference paths, or a step map was asked for times off its grid.</exception>
    public static double[] ModelPaths(EnergyProtocol protocol, DynamicsModel model, double[]? reference = null) =>
        ModelRollout.Paths(model, protocol.InitialStates, protocol.Times, protocol.Rtol, protocol.Atol, protocol.System, reference);

    /// <summary>
    /// Runs the protocol for one model; <paramref name="reference"/> may be passed to share the true paths between models.
    /// A step map is sampled at multiples of its step over the protocol's horizon (<see cref="ModelRollout.OnStepGrid"/>),
    /// with its own reference paths when those times differ from the protocol's.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model's flow diverged, or a step map cannot be sampled at a measured trajectory's times.</exception>
    public static TrajectoryMetrics Evaluate(EnergyProtocol protocol, DynamicsModel model, double[]? reference = null)
    {
        if (model is StepMap map)
        {
            var times = ModelRollout.OnStepGrid(protocol.Times, map.StepSize);
            if (!ReferenceEquals(times, protocol.Times))
            {
                if (protocol.Measured is not null)
                    throw new InvalidOperationException(
                        $"the measured trajectory of {protocol.Name} is not sampled at multiples of the step map's step {map.StepSize:G6}"
                    );
                protocol = protocol with { Times = times };
                reference = null;
            }
        }
        reference ??= ReferencePaths(protocol);
        var rollouts = new Rollouts(
            protocol.Times,
            protocol.InitialStates.Rows,
            protocol.System.Dimension,
            reference,
            ModelPaths(protocol, model, reference)
        );
        return Measure(protocol.System, rollouts);
    }

    /// <summary>The metrics of given paths, with the system's true energy.</summary>
    public static TrajectoryMetrics Measure(IHamiltonianSystem system, Rollouts r)
    {
        int t = r.Times.Length;
        var energy = new double[r.Count * t];
        var state = new double[r.Count * t];
        var drift = new double[r.Count];
        var modelLoss = new double[r.Count];
        var referenceLoss = new double[r.Count];
        var validTime = new double[r.Count];
        var energyError = new double[r.Count];
        var modelEnergy = new double[t];
        var referenceEnergy = new double[t];
        for (int k = 0; k < r.Count; k++)
        {
            for (int i = 0; i < t; i++)
            {
                referenceEnergy[i] = system.Energy(r.ReferenceState(k, i));
                modelEnergy[i] = system.Energy(r.ModelState(k, i));
                double e = referenceEnergy[i] - modelEnergy[i];
                energy[k * t + i] = Unbounded(e * e);
                state[k * t + i] = StateError(r.ReferenceState(k, i), r.ModelState(k, i));
            }
            double start = system.Energy(r.ModelState(k, 0));
            drift[k] = Unbounded(Math.Abs(system.Energy(r.ModelState(k, t - 1)) - start) / Math.Abs(start));
            modelLoss[k] = -Slope(r.Times, modelEnergy);
            referenceLoss[k] = -Slope(r.Times, referenceEnergy);
            validTime[k] = BenchmarkMetrics.ValidPredictionTime(r, k);
            energyError[k] = BenchmarkMetrics.RelativeEnergyError(system, r, k);
        }
        return new TrajectoryMetrics(
            LossEstimate.FromSplits(energy),
            LossEstimate.FromSplits(state),
            LossEstimate.MeanAndStdError(drift),
            r,
            LossEstimate.MeanAndStdError(modelLoss),
            LossEstimate.MeanAndStdError(referenceLoss),
            LossEstimate.MeanAndStdError(validTime),
            BenchmarkMetrics.MedianWithError(energyError)
        );
    }

    /// <summary>
    /// The squared state error of one sample, Σⱼ (bⱼ − aⱼ)² / D: what the rollout MSE averages; +∞ for a diverged
    /// path's sample (NaN).
    /// </summary>
    public static double StateError(ReadOnlySpan<double> reference, ReadOnlySpan<double> model)
    {
        double s = 0;
        for (int j = 0; j < reference.Length; j++)
            s += (model[j] - reference[j]) * (model[j] - reference[j]);
        return Unbounded(s / reference.Length);
    }

    /// <summary>An error of a diverged path (NaN) as +∞: unbounded, and larger than any finite one.</summary>
    static double Unbounded(double error) => double.IsNaN(error) ? double.PositiveInfinity : error;

    /// <summary>The least-squares slope of y over x (a line fitted to all points: robust to measurement noise at the ends).</summary>
    public static double Slope(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length || x.Length < 2)
            throw new ArgumentException($"need two or more (x, y) pairs of equal count, got {x.Length} and {y.Length}");
        double mx = 0,
            my = 0;
        for (int i = 0; i < x.Length; i++)
        {
            mx += x[i];
            my += y[i];
        }
        mx /= x.Length;
        my /= y.Length;
        double sxy = 0,
            sxx = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }

    /// <summary>A system's dynamics as a batch field for <see cref="Ode"/>.</summary>
    public static BatchVectorField BatchField(IHamiltonianSystem system)
    {
        int d = system.Dimension;
        return (time, x, dxdt, count) =>
        {
            for (int i = 0; i < count; i++)
                system.TimeDerivative(x.Slice(i * d, d), dxdt.Slice(i * d, d));
        };
    }
}
