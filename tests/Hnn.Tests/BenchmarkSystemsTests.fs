/// Laws of the benchmark systems beyond the paper (double pendulum, Hénon–Heiles, oscillator chain, elastic pendulum)
/// and of the metrics the benchmarks report (valid prediction time, median relative energy error), and the suite's
/// summary table.
module Hnn.Tests.BenchmarkSystemsTests

open System
open System.IO
open Expecto
open Hnn
open Hnn.Data
open Hnn.Evaluation
open Hnn.Integrators
open Hnn.Results
open Hnn.Systems
open Hnn.Training

/// The energy protocol of a benchmark task (its starts come from the data's start region, with their own seed).
let private protocolOf (task: Tasks.Task) =
    match task.Evaluation with
    | Tasks.Flow(protocol, _) -> protocol ()
    | _ -> failtestf "%s is not evaluated on a flow" task.Key

let private starts (task: Tasks.Task) =
    let p = protocolOf task
    [ for k in 0 .. p.InitialStates.Rows - 1 -> p.InitialStates.Values[k * task.Dimension .. (k + 1) * task.Dimension - 1] ]

/// Integrates a system from its protocol's starts with the data's reference integrator (Dormand–Prince 5(4) at
/// rtol = atol = 1e-10) to 201 times on [0, 20]; row-major [K, 201, D].
let private referencePaths (system: IHamiltonianSystem) (x0: float[] list) =
    let d = system.Dimension
    let field = TrajectoryEvaluation.BatchField system
    Ode.Solve(field, Array.concat x0, x0.Length, d, 0.0, ReadOnlySpan(Sampling.Linspace(0.0, 20.0, 201)), AdaptiveSettings(1e-10, 1e-10))

let private systemTests =
    testList
        "benchmark systems"
        [ for task in Tasks.benchmarks do
              let system = task.System.Value
              test (sprintf "%s: the field is the symplectic gradient of its energy (finite differences)" task.Key) {
                  SystemsTests.expectFieldIsSymplecticGradient system (starts task)
              }
              test (sprintf "%s: the reference integrator conserves its energy to 1e-8 (relative) over 20 time units" task.Key) {
                  let x0 = starts task
                  let paths = referencePaths system x0
                  let d, t = system.Dimension, 201
                  for k in 0 .. x0.Length - 1 do
                      let h0 = system.Energy(ReadOnlySpan x0[k])
                      for i in 0 .. t - 1 do
                          let h = system.Energy(ReadOnlySpan(paths, (k * t + i) * d, d))
                          if abs (h - h0) > 1e-8 * abs h0 then
                              failtestf "%s, start %d: H changed from %.15g to %.15g by t = %g" task.Key k h0 h (20.0 * float i / 200.0)
              }
          let composed =
              [ Tasks.doublePendulum.Key, Hamiltonians.doublePendulum 1.0 1.0 1.0 1.0 9.81
                Tasks.henonHeiles.Key, Hamiltonians.henonHeiles 1.0
                Tasks.chain.Key, Hamiltonians.coupledOscillators 5 1.0 1.0 ]
          for key, h in composed do
              test (sprintf "%s: energy and closed-form field equal the composed Hamiltonian's energy and autograd field" key) {
                  let task = Tasks.tryFind key |> Result.defaultWith failwith
                  let system = task.System.Value
                  let x0 = starts task
                  use _scope = TorchSharp.torch.NewDisposeScope()
                  let x = tensor2d x0.Length task.Dimension (Array.concat x0)
                  let energies = (Hamiltonian.energy h x).data<float>().ToArray()
                  let field = (Hamiltonian.autogradField h x).data<float>().ToArray()
                  for k, s in List.indexed x0 do
                      let e = system.Energy(ReadOnlySpan s)
                      Expect.isTrue (close 1e-12 1e-12 e energies[k]) (sprintf "H at start %d: %.15g vs composed %.15g" k e energies[k])
                      let dx = SystemsTests.derivative system s
                      for j in 0 .. task.Dimension - 1 do
                          let a = field[k * task.Dimension + j]
                          Expect.isTrue (close 1e-11 1e-11 dx[j] a) (sprintf "dx/dt[%d] at start %d: %.15g vs autograd %.15g" j k dx[j] a)
              }
          test "a normal mode of the chain oscillates alone at ω² = k + 4kc·sin²(jπ/2n)" {
              let chain = OscillatorChain.Five
              let n = chain.Count
              let omega = chain.ModeFrequencies()
              for j in 0 .. n - 1 do
                  // Free ends: mode j has shape cos(jπ(i + ½)/n).
                  let shape = Array.init n (fun i -> 0.3 * cos (float j * Math.PI * (float i + 0.5) / float n))
                  let x0 = Array.append shape (Array.zeroCreate n)
                  let times = [| 0.0; 7.3 |]
                  let x =
                      Ode.Solve(
                          TrajectoryEvaluation.BatchField chain,
                          x0,
                          1,
                          2 * n,
                          0.0,
                          ReadOnlySpan times,
                          AdaptiveSettings(1e-12, 1e-12)
                      )
                  for i in 0 .. n - 1 do
                      let expected = shape[i] * cos (omega[j] * 7.3)
                      Expect.isTrue
                          (close 1e-9 0.0 x[2 * n + i] expected)
                          (sprintf "mode %d, q%d(7.3) = %.12g, expected %.12g" j (i + 1) x[2 * n + i] expected)
          }
          test "the elastic pendulum hangs at rest at its equilibrium length l0 + mg/k" {
              let p = ElasticPendulum.Resonant
              let x = [| p.EquilibriumLength; 0.0; 0.0; 0.0 |]
              let dx = SystemsTests.derivative p x
              Expect.isTrue (dx |> Array.forall (fun v -> abs v < 1e-12)) (sprintf "dx/dt at rest: %A" dx)
              Expect.floatClose
                  Accuracy.veryHigh
                  (sqrt (p.Stiffness / p.Mass))
                  (2.0 * sqrt (p.G / p.EquilibriumLength))
                  "spring at twice the swing's frequency"
          }
          test "Hénon–Heiles starts lie in the bounded well at energies in [0.04, 0.15]" {
              for s in starts Tasks.henonHeiles do
                  let e = HenonHeiles.Classic.Energy(ReadOnlySpan s)
                  Expect.isTrue (0.04 <= e && e <= 0.15 + 1e-15) (sprintf "energy %g" e)
                  Expect.isTrue (abs s[0] <= 0.5 && abs s[1] <= 0.5) (sprintf "position %A" s[0..1])
          }
          test "the benchmark tasks are found by key and stay out of the main job's list" {
              for t in Tasks.benchmarks do
                  Expect.equal (Tasks.tryFind t.Key |> Result.map _.Key) (Ok t.Key) t.Key
                  Expect.isFalse (Tasks.every |> List.exists (fun e -> e.Key = t.Key)) (sprintf "%s in Tasks.every" t.Key)
              Expect.equal
                  (Tasks.conservative |> List.map _.Key)
                  [ "spring"; "pendulum"; "two-body"; "double-pendulum"; "henon-heiles"; "chain"; "elastic-pendulum" ]
                  "the suite's systems"
          }
          test "a benchmark dataset has the recipe's size, exact targets and the last fifth of its trajectories held out" {
              let recipe =
                  BenchmarkRecipe(
                      HenonHeiles.Classic,
                      BenchmarkStarts.HenonHeilesShell(HenonHeiles.Classic, 0.04, 0.15),
                      "test",
                      Trajectories = 10,
                      Points = 6
                  )
              let data = recipe.Generate()
              Expect.equal (data.TrainX.Rows, data.TestX.Rows) (48, 12) "8 train and 2 test trajectories of 6 points"
              for i in 0 .. data.TrainX.Rows - 1 do
                  let x = Array.init 4 (fun j -> data.TrainX[i, j])
                  let dx = SystemsTests.derivative HenonHeiles.Classic x
                  for j in 0..3 do
                      Expect.equal data.TrainDx[i, j] dx[j] "targets are the exact field at the (noise-free) states"
          } ]

// ---- metrics ----------------------------------------------------------------------------------

/// The spring's exact flow (MassSpring.Flow) from each start at `times`, the model's at frequency factor `speed`
/// (1 = exact) plus a drift a·t along the unit vector (1, 0): Rollouts with K paths.
let private springRollouts (starts: (float * float) list) (times: float[]) (speed: float) (drift: float) =
    let path (q0, p0) (s: float) (a: float) =
        [| for t in times do
               let struct (q, p) = MassSpring.Flow(q0, p0, s * t)
               yield q + a * t
               yield p |]
    Rollouts(
        times,
        starts.Length,
        2,
        starts |> List.map (fun x -> path x 1.0 0.0) |> Array.concat,
        starts |> List.map (fun x -> path x speed drift) |> Array.concat
    )

let private metricTests =
    let starts = [ 0.6, 0.3; -0.2, 0.9; 0.5, -0.5 ]
    let times = Sampling.Linspace(0.0, 20.0, 2001)
    testList
        "benchmark metrics"
        [ test "the valid prediction time of the exact flow is the whole horizon" {
              let r = springRollouts starts times 1.0 0.0
              for k in 0 .. starts.Length - 1 do
                  Expect.equal (BenchmarkMetrics.ValidPredictionTime(r, k)) 20.0 "exact flow"
              let m = TrajectoryEvaluation.Measure(MassSpring(), r)
              Expect.equal m.ValidPredictionTime.Mean 20.0 "through Measure"
          }
          test "the valid prediction time of a rollout drifting as a·t equals ε·|x|/a to round-off" {
              // |x| is constant on the spring's flow, so the normalised error a·t/|x| is linear in t: interpolation is exact.
              let a = 0.013
              let r = springRollouts starts (Sampling.Linspace(0.0, 20.0, 37)) 1.0 a
              for k, (q, p) in List.indexed starts do
                  let expected = BenchmarkMetrics.ValidPredictionThreshold * sqrt (q * q + p * p) / a
                  let vpt = BenchmarkMetrics.ValidPredictionTime(r, k)
                  if expected < 20.0 then
                      Expect.isTrue (close 1e-12 1e-12 vpt expected) (sprintf "start %d: %.15g vs %.15g" k vpt expected)
                  else
                      Expect.equal vpt 20.0 (sprintf "start %d never crosses" k)
          }
          test "the valid prediction time of a spring at frequency 2(1 + δ) equals arcsin(ε/2)/δ" {
              // The model's phase runs ahead by 2δt: |x̂ − x| / |x| = 2 sin(δt).
              let delta = 0.01
              let r = springRollouts starts times (1.0 + delta) 0.0
              let expected = asin (BenchmarkMetrics.ValidPredictionThreshold / 2.0) / delta
              for k in 0 .. starts.Length - 1 do
                  let vpt = BenchmarkMetrics.ValidPredictionTime(r, k)
                  // Linear interpolation on a grid of 0.01: error ≤ curvature·Δt²/8 ≈ 1e-7.
                  Expect.isTrue (close 1e-6 0.0 vpt expected) (sprintf "start %d: %.12g vs %.12g" k vpt expected)
          }
          test "the relative energy error of the true flow is at round-off" {
              let r = springRollouts starts times 1.0 0.0
              let m = TrajectoryEvaluation.Measure(MassSpring(), r)
              Expect.isLessThan m.EnergyError.Mean 1e-14 "spring, exact flow"
          }
          test "the double pendulum's reference paths keep its energy to 1e-7 (relative) at t = 20, and predict themselves to the horizon" {
              // The protocol's integration (rtol = atol = 1e-9) is the only error here: far below any model's.
              let protocol = protocolOf Tasks.doublePendulum
              let reference = TrajectoryEvaluation.ReferencePaths protocol
              let same = Rollouts(protocol.Times, protocol.InitialStates.Rows, 4, reference, Array.copy reference)
              let m = TrajectoryEvaluation.Measure(protocol.System, same)
              Expect.isLessThan m.EnergyError.Mean 1e-7 "double pendulum, reference against itself"
              Expect.equal m.ValidPredictionTime.Mean 20.0 "double pendulum, reference against itself"
          }
          test "the energy error is read at t = 20, or at the horizon's end if it is shorter" {
              Expect.equal (BenchmarkMetrics.HorizonIndex(ReadOnlySpan(Sampling.Linspace(0.0, 20.0, 201)))) 200 "[0, 20]"
              let two = Sampling.Linspace(0.0, 25.0, 500)
              let i = BenchmarkMetrics.HorizonIndex(ReadOnlySpan two)
              Expect.isTrue (two[i] <= 20.0 && two[i + 1] > 20.0) (sprintf "[0, 25]: index %d at %g" i two[i])
              Expect.equal (BenchmarkMetrics.HorizonIndex(ReadOnlySpan(Sampling.Linspace(0.0, 3.0, 500)))) 499 "[0, 3]"
          }
          test "the median's robust error is 1.2533·(IQR/1.349)/√n, and a diverged path counts as +∞" {
              let m = BenchmarkMetrics.MedianWithError [| 5.0; 1.0; 3.0; 2.0; 4.0 |]
              Expect.equal m.Mean 3.0 "median"
              Expect.floatClose Accuracy.veryHigh m.Err (1.2533 * (2.0 / 1.349) / sqrt 5.0) "error from the quartiles 2 and 4"
              Expect.equal (BenchmarkMetrics.MedianWithError [| nan; 1.0; 2.0 |]).Mean 2.0 "NaN sorts last"
              Expect.equal (BenchmarkMetrics.MedianWithError [| 7.0 |]) (LossEstimate(7.0, 0.0)) "one value"
          } ]

// ---- the suite's table ------------------------------------------------------------------------------

let private tableTests =
    testList
        "benchmark suite"
        [ test "the summary has a row per model and a column per system, in the suite's orders, and — where a value is missing" {
              let cell task model metric v = ResultsFile.Cell(task, model, metric, LossEstimate(v, 0.0))
              let cells =
                  [ cell "double-pendulum" "hnn" "energy_error" 2.5e-3
                    cell "double-pendulum" "baseline" "energy_error" 0.14
                    cell "spring" "hnn" "energy_error" 1e-4
                    cell "spring" "hnn" "vpt" 20.0
                    cell "double-pendulum" "hnn" "vpt" 3.25 ]
              let md = BenchmarkTable.markdown cells
              let lines = md.Split('\n') |> List.ofArray
              let header = lines |> List.find (fun l -> l.StartsWith "| model |")
              Expect.equal header "| model | spring | double-pendulum |" "systems in the suite's order"
              let energy =
                  lines
                  |> List.skipWhile (fun l -> not (l.StartsWith "## Energy error"))
                  |> List.tail
                  |> List.takeWhile (fun l -> not (l.StartsWith "## "))
                  |> List.filter (fun l -> l.StartsWith "| ")
              Expect.equal energy [ header; "| baseline | — | 1.40e-01 |"; "| hnn | 1.00e-04 | 2.50e-03 |" ] "energy error rows"
              Expect.stringContains md "| hnn | 20.00 | 3.25 |" "vpt row"
          }
          test "a diverged model's unbounded errors survive results.json and print as ∞, its valid prediction time as measured" {
              let dir = Path.Combine(Path.GetTempPath(), "hnn-diverged-" + Guid.NewGuid().ToString "N")
              try
                  let cells =
                      [ ResultsFile.Cell("two-body", "lnn", "energy_error", LossEstimate(infinity, nan))
                        ResultsFile.Cell("two-body", "lnn", "rollout_mse", LossEstimate(infinity, nan))
                        ResultsFile.Cell("two-body", "lnn", "vpt", LossEstimate(6.63, 0.29)) ]
                  let path = ResultsFile.Merge(dir, cells, ResultsFile.RunInfo("2026-01-01T00:00:00Z", 0, 10, 1, 1.0, "test"))
                  let back = ResultsFile.Read path |> List.ofSeq
                  let energy = back |> List.find (fun c -> c.Metric = "energy_error")
                  Expect.equal energy.Value.Mean infinity "+∞ read back"
                  Expect.isTrue (Double.IsNaN energy.Value.Err) "its error NaN"
                  let md = BenchmarkTable.markdown back
                  Expect.stringContains md "| lnn | ∞ |" "energy error and rollout MSE print as ∞"
                  Expect.stringContains md "| lnn | 6.63 |" "valid prediction time"
              finally
                  if Directory.Exists dir then
                      Directory.Delete(dir, true)
          }
          test "a run of a benchmark task records energy_error and vpt and reports every position of the state" {
              let dir = Path.Combine(Path.GetTempPath(), "hnn-benchmark-" + Guid.NewGuid().ToString "N")
              try
                  let options = { Experiment.defaults with Steps = Some 2; Threads = Some 1; OutDir = dir; Log = ignore }
                  let evaluated, path = Experiment.runAndRecord options "test" Tasks.chain [ Models.ModelKind.Baseline ]
                  for e in evaluated do
                      e.Trained.Model.Dispose()
                  let metrics = ResultsFile.Read path |> Seq.map _.Metric |> Set.ofSeq
                  Expect.isTrue (metrics.Contains "energy_error" && metrics.Contains "vpt") (sprintf "metrics: %A" metrics)
                  let page = File.ReadAllText(HtmlReport.writeTask dir Tasks.chain)
                  for j in 1..5 do
                      Expect.stringContains page (sprintf "data-chart=\"state-q%d\"" j) (sprintf "chart of q%d" j)
                  Expect.stringContains (File.ReadAllText(Path.Combine(dir, "results.md"))) "| vpt | baseline |" "results.md row"
              finally
                  if Directory.Exists dir then
                      Directory.Delete(dir, true)
          } ]

[<Tests>]
let tests = testList "benchmarks" [ systemTests; metricTests; tableTests ]
