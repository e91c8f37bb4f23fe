using Hnn.Data;
using Hnn.Evaluation;
using Hnn.Integrators;
using Hnn.Models;
using Hnn.Native;
using Hnn.Systems;
using Hnn.Training;

TorchNative.EnsureLoaded();

// 1. A system of your own: implement IHamiltonianSystem (float64, state x = (q, p)).
var system = new HenonHeiles();

// 2. Data: integrate 40 starts over t ∈ [0, 3] (30 points each) with Dormand–Prince 5(4), exact targets.
int trajectories = 40, points = 30, dim = system.Dimension;
var rng = new Sampling(seed: 0);
var starts = new double[trajectories * dim];
for (int i = 0; i < starts.Length; i++) starts[i] = rng.Uniform(-0.3, 0.3);
var times = Sampling.Linspace(0, 3, points);
var x = Ode.Solve(TrajectoryEvaluation.BatchField(system), DormandPrince45.Tableau, starts, trajectories, dim, 0, times,
    new AdaptiveSettings(RelativeTolerance: 1e-10, AbsoluteTolerance: 1e-10));
var dx = new double[x.Length];
TrajectoryEvaluation.BatchField(system)(0, x, dx, trajectories * points);
int trainRows = trajectories / 2 * points, rows = trajectories * points;
var states = new StateMatrix(x, rows, dim);
var targets = new StateMatrix(dx, rows, dim);
var data = new Dataset("henon-heiles", states.Slice(0, trainRows), targets.Slice(0, trainRows),
    states.Slice(trainRows, rows - trainRows), targets.Slice(trainRows, rows - trainRows));

// 3. Train an HNN (the paper's recipe, shortened here to 300 steps).
var hnn = DynamicsModel.Create(new ModelSettings(ModelKind.Hnn, dim), seed: 0);
var result = Trainer.Train(hnn, data, new TrainSettings(Steps: 300, Threads: 1));
Console.WriteLine($"test loss {result.FinalTest.Mean:e3} ± {result.FinalTest.Err:e1}");

// 4. Evaluate: 5 starts, t ∈ [0, 10] at 50 points; energy MSE, rollout MSE, energy drift.
var protocol = new EnergyProtocol("henon-heiles", system, new StateMatrix(starts[..(5 * dim)], 5, dim),
    Sampling.Linspace(0, 10, 50), Rtol: 1e-8, Atol: 1e-8);
var metrics = TrajectoryEvaluation.Evaluate(protocol, hnn);
Console.WriteLine($"energy MSE {metrics.EnergyMse.Mean:e3}, rollout MSE {metrics.RolloutMse.Mean:e3}, drift {metrics.EnergyDrift.Mean:e3}");

// 5. A system composed in F# (Hnn.Fs) is an IHamiltonianSystem too.
IHamiltonianSystem coupled = new Hnn.ComposedSystem(
    Hnn.HamiltonianModule.product(Hnn.Hamiltonians.pendulum(9.81, 1.0, 1.0), Hnn.Hamiltonians.spring(2.0, 1.0)));
Span<double> derivative = stackalloc double[coupled.Dimension];
coupled.TimeDerivative([0.5, 0.1, 0.0, 0.2], derivative);
Console.WriteLine($"{coupled.Name}: H = {coupled.Energy([0.5, 0.1, 0.0, 0.2]):f6}, dx/dt = [{string.Join(", ", derivative.ToArray().Select(v => v.ToString("f6")))}]");

/// <summary>Hénon–Heiles: H = (p₁² + p₂²)/2 + (q₁² + q₂²)/2 + q₁²q₂ − q₂³/3.</summary>
sealed class HenonHeiles : IHamiltonianSystem
{
    public string Name => "henon-heiles";
    public int Dimension => 4;

    public double Energy(ReadOnlySpan<double> s)
    {
        double x = s[0], y = s[1], px = s[2], py = s[3];
        return (px * px + py * py) / 2 + (x * x + y * y) / 2 + x * x * y - y * y * y / 3;
    }

    public void TimeDerivative(ReadOnlySpan<double> s, Span<double> d)
    {
        double x = s[0], y = s[1];
        d[0] = s[2];
        d[1] = s[3];
        d[2] = -x - 2 * x * y;
        d[3] = -y - (x * x - y * y);
    }
}
