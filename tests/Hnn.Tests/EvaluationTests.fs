module Hnn.Tests.EvaluationTests

open System
open System.IO
open Expecto
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Results
open Hnn.Systems
open Hnn.Tensors
open Hnn.Training
open TorchSharp

let private spring = lazy (SpringRecipe().Generate())

let private springField (x: torch.Tensor) =
    // dq/dt = 2p, dp/dt = −2q
    torch.cat ([| x.narrow (1, 1L, 1L) * 2.0; x.narrow (1, 0L, 1L) * -2.0 |], 1L)

[<Tests>]
let tests =
    testList
        "evaluation and supervision"
        [ test "timeline pairs join consecutive rows of one trajectory only: 25 × 29 spring transitions of Δt = 3/29" {
              let pairs = (nonNull spring.Value.TrainTimeline).Pairs()
              Expect.equal pairs.Count (25 * 29) "29 transitions per 30-point trajectory"
              for dt in pairs.Dt do
                  Expect.floatClose Accuracy.high dt (3.0 / 29.0) "uniform step"
              Expect.isFalse
                  (pairs.From |> Array.contains 29)
                  "no transition from the last point of trajectory 0 to the first of trajectory 1"
          }
          test "the real pendulum's training rows form two pieces around the test span, with no transition across it" {
              let d = RealPendulumRecipe().Generate()
              let timeline = nonNull d.TrainTimeline
              let pairs = timeline.Pairs()
              let pieces = timeline.Trajectories |> Array.distinct |> Array.length
              Expect.equal pairs.Count (d.TrainX.Rows - pieces) "the last row of each piece starts no transition"
              Expect.isLessThan (Array.max pairs.Dt) 0.6 "no pair spans the 18 s test gap"
          }
          test "the dataset cache keeps times and trajectory ids" {
              let dir = Path.Combine(Path.GetTempPath(), "hnn-cache-" + string (System.Guid.NewGuid()))
              let recipe = PendulumRecipe(Trajectories = 4, Points = 10)
              let first = DatasetCache.GetOrCreate(dir, recipe, fun r -> r.Generate())
              let again = DatasetCache.GetOrCreate(dir, recipe, fun _ -> failwith "must come from the cache")
              Expect.sequenceEqual (nonNull again.TrainTimeline).Times (nonNull first.TrainTimeline).Times "times"
              Expect.sequenceEqual (nonNull again.TestTimeline).Trajectories (nonNull first.TestTimeline).Trajectories "ids"
          }
          test "one RK4 supervision step on the exact spring field matches the exact flow to O(h⁵)" {
              use x = tensor2d 2 2 [| 0.3; -0.8; 1.0; 0.2 |]
              let errorAt (h: float) =
                  use hs = tensor2d 2 1 [| h; h |]
                  use next = SupervisedStep.Advance(Hnn.Integrators.Rk4.Tableau, springField, x, hs, 1)
                  let got = next.data<float>().ToArray()
                  [ for r in 0..1 ->
                        let struct (q, p) = MassSpring.Flow(x.[int64 r, 0L].item<float>(), x.[int64 r, 1L].item<float>(), h)
                        max (abs (got.[2 * r] - q)) (abs (got.[2 * r + 1] - p)) ]
                  |> List.max
              let e1, e2 = errorAt 0.1, errorAt 0.05
              Expect.isLessThan e1 1e-5 "accurate"
              Expect.floatClose { absolute = 0.0; relative = 0.15 } (log (e1 / e2) / log 2.0) 5.0 "local error order 5"
          }
          test "leapfrog supervision steps are time-reversible on the spring field" {
              use x = tensor2d 1 2 [| 0.7; -0.1 |]
              use h = tensor2d 1 1 [| 0.1 |]
              use forward = SupervisedStep.Advance(Hnn.Integrators.Leapfrog.Tableau, springField, x, h, 3)
              use back = SupervisedStep.Advance(Hnn.Integrators.Leapfrog.Tableau, springField, forward, -h, 3)
              Expect.isLessThan ((back - x).abs().max().item<float>()) 1e-14 "back to the start"
          }
          test "integrator-supervised (RK4) training learns the spring's field" {
              let model = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
              let settings = TrainSettings(Steps = 300, Supervision = Supervision.Integrator, Integrator = "rk4")
              let r = Trainer.Train(model, spring.Value, settings)
              let untrained = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
              let before = Trainer.FinalLoss(untrained, spring.Value.TestX, spring.Value.TestDx).Mean
              Expect.isLessThan (float r.TestLoss[300]) (float r.TestLoss[0]) "next-state loss falls"
              Expect.isLessThan r.FinalTest.Mean (0.25 * before) "the derivative it learns is 4× closer than untrained"
          }
          test "integrator supervision without a timeline is refused with the dataset named" {
              let d = spring.Value
              let bare = Dataset("bare", d.TrainX, d.TrainDx, d.TestX, d.TestDx)
              let model = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
              let e =
                  Expect.throwsC
                      (fun () -> Trainer.Train(model, bare, TrainSettings(Steps = 1, Supervision = Supervision.Integrator)) |> ignore)
                      id
              Expect.stringContains e.Message "bare" "names the dataset"
          }
          test "a path that leaves 100 times its reference's size has diverged: NaN from the first sample outside, +∞ in the errors" {
              // A baseline whose field is one constant velocity v: its paths are the lines x₀ + v·t, which leave every circle.
              use model = DynamicsModel.Create(ModelSettings(ModelKind.Baseline, 2), 0)
              let p = dict [ for struct (name, t) in model.named_parameters () -> name, t ]
              using (torch.no_grad ()) (fun _ ->
                  p["mlp.linear1.weight"].zero_() |> ignore
                  p["mlp.linear2.weight"].zero_() |> ignore
                  let b2 = p["mlp.linear2.bias"]
                  b2.copy_ (b2.FullLike 1.0) |> ignore
                  let w3 = p["mlp.linear3.weight"]
                  w3.zero_ () |> ignore
                  let row = w3.select (0, 0L)
                  row.copy_ (row.FullLike 0.1) |> ignore)
              use model64 = ModelField.ToFloat64 model
              use origin = torch.zeros (1L, 2L, dtype = torch.ScalarType.Float64)
              use velocity = (ModelField.Of model64).Invoke origin
              let v = velocity.data<float>().ToArray()
              let protocol = EnergyProtocol.Spring()
              let m = TrajectoryEvaluation.Evaluate(protocol, model)
              let r = m.Rollouts
              let line k (t: float) = Array.init 2 (fun j -> protocol.InitialStates.Values[2 * k + j] + v[j] * t)
              let norm (x: float[]) = sqrt (Array.sumBy (fun a -> a * a) x)
              for k in 0 .. r.Count - 1 do
                  let radius =
                      ModelRollout.EscapeFactor * (Seq.init r.Times.Length (fun i -> norm (r.ReferenceState(k, i).ToArray())) |> Seq.max)
                  let left = r.Times |> Array.findIndex (fun t -> norm (line k t) > radius)
                  for i in 0 .. r.Times.Length - 1 do
                      let x = r.ModelState(k, i).ToArray()
                      if i < left then
                          Expect.isLessThan
                              (Array.map2 (-) x (line k r.Times[i]) |> norm)
                              1e-9
                              (sprintf "path %d at t = %g is the line" k r.Times[i])
                      else
                          Expect.isTrue (Array.forall Double.IsNaN x) (sprintf "path %d at t = %g, after leaving, is NaN" k r.Times[i])
              Expect.equal m.EnergyError.Mean infinity "every path left before t = 20: the median energy error is unbounded"
              Expect.equal m.EnergyMse.Mean infinity "energy MSE"
              Expect.equal m.RolloutMse.Mean infinity "rollout MSE"
              Expect.isTrue (Double.IsFinite m.ValidPredictionTime.Mean) "the valid prediction time is still measured"
              let free = ModelRollout.Paths(model, protocol.InitialStates, protocol.Times, protocol.Rtol, protocol.Atol, protocol.System)
              Expect.isTrue (Array.forall Double.IsFinite free) "without reference paths nothing is cut"
          }
          test "energy MSE of a path on a circle 10 % too wide is (r²·0.21)², rollout and drift as expected" {
              let times = [| 0.0; 1.0; 2.0; 3.0; 4.0 |]
              let r = 0.5
              let reference =
                  [| for t in times do
                         let struct (q, p) = MassSpring.Flow(r, 0.0, t) in
                         yield q
                         yield p |]
              let model = reference |> Array.map ((*) 1.1)
              let rollouts = Rollouts(times, 1, 2, reference, model)
              let m = TrajectoryEvaluation.Measure(MassSpring(), rollouts)
              Expect.floatClose Accuracy.high m.EnergyMse.Mean ((r * r * 0.21) ** 2.0) "energy error"
              Expect.floatClose Accuracy.high m.RolloutMse.Mean ((0.1 * r) ** 2.0 / 2.0) "state error: |0.1·x|² / D"
              Expect.floatClose Accuracy.high m.EnergyDrift.Mean 0.0 "the wide circle still conserves its energy"
          }
          test "after short training, the HNN's spring orbits keep their energy far better than the baseline's" {
              let protocol = EnergyProtocol.Spring(count = 5)
              let reference = TrajectoryEvaluation.ReferencePaths protocol
              let metrics kind =
                  let model = DynamicsModel.Create(ModelSettings(kind, 2), 0)
                  Trainer.Train(model, spring.Value, TrainSettings(Steps = 300, TestEvery = 0)) |> ignore
                  TrajectoryEvaluation.Evaluate(protocol, model, reference)
              let hnn, baseline = metrics ModelKind.Hnn, metrics ModelKind.Baseline
              Expect.isLessThan hnn.EnergyDrift.Mean (0.2 * baseline.EnergyDrift.Mean) "HNN drifts far less"
              Expect.isLessThan hnn.EnergyMse.Mean baseline.EnergyMse.Mean "HNN energy error lower"
          }
          test "results.md shows each cell beside the paper's value and their ratio" {
              let cells = [ ResultsFile.Cell("spring", "hnn", "test_loss", LossEstimate(3.5928e-02 * 2.0, 1e-3)) ]
              let md = Hnn.TextTable.markdown cells
              Expect.stringContains md "## spring" "task heading"
              Expect.stringContains md "3.5928e-02" "paper's value"
              Expect.stringContains md "| 2.00 |" "ratio"
          }
          test "a measurement file cut inside its last number, or too short to split, is refused before training" {
              let dir = Path.Combine(Path.GetTempPath(), "hnn-real-" + string (System.Guid.NewGuid()))
              Directory.CreateDirectory dir |> ignore
              let original = File.ReadAllText(LipsonData.DefaultPath)
              let cut = Path.Combine(dir, "cut.txt")
              File.WriteAllText(cut, original.Substring(0, 300))
              let e1 = Expect.throwsC (fun () -> RealPendulumRecipe(DataPath = cut).Generate() |> ignore) id
              Expect.stringContains e1.Message "cut.txt:4: the last line has no line end" "file, line and problem"
              let short = Path.Combine(dir, "short.txt")
              File.WriteAllText(short, String.concat "" (original.Split('\n') |> Array.take 5 |> Array.map (fun l -> l + "\n")))
              let e2 = Expect.throwsC (fun () -> RealPendulumRecipe(DataPath = short).Generate() |> ignore) id
              Expect.stringContains e2.Message "need at least 2 of each" "says why"
          }
          test "run artifacts (loss curves with NaN gaps, evaluation paths) survive a save and load" {
              let dir = Path.Combine(Path.GetTempPath(), "hnn-art-" + string (System.Guid.NewGuid()))
              let rollouts = Rollouts([| 0.0; 1.0 |], 1, 2, [| 1.0; 2.0; 3.0; 4.0 |], [| 1.5; 2.5; 3.5; 4.5 |])
              let a = RunArtifacts("spring", "hnn", [| 1.0f; 0.5f |], [| nanf; 0.25f |], rollouts, [| 5.0; 25.0 |], [| 8.5; 32.5 |])
              let loaded = RunArtifacts.Load(a.Save dir)
              Expect.isTrue (System.Single.IsNaN loaded.TestLoss[0]) "NaN kept"
              Expect.equal loaded.TestLoss[1] 0.25f "values kept"
              Expect.sequenceEqual (nonNull loaded.Rollouts).Model rollouts.Model "paths kept"
              File.WriteAllText(RunArtifacts.PathFor(dir, "spring", "hnn"), "[1, 2")
              Expect.throwsT<InvalidDataException>
                  (fun () -> RunArtifacts.Load(RunArtifacts.PathFor(dir, "spring", "hnn")) |> ignore)
                  "corrupt file named"
          } ]
