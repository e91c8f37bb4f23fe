module Hnn.Tests.DissipativeTests

open System
open System.IO
open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Systems
open Hnn.Training
open TorchSharp
type private ScalarType = torch.ScalarType

/// A fixed random dissipative HNN in float64, so derivatives can be checked to tight tolerances.
let private dhnn4 =
    lazy
        (let m = DynamicsModel.Create(ModelSettings(ModelKind.DissipativeHnn, 4), 5)
         m.``to`` (ScalarType.Float64) |> ignore
         m.eval ()
         m :?> DissipativeHnn)

let private rows (t: torch.Tensor) =
    let d = int t.shape[1]
    t.data<float>().ToArray() |> Array.chunkBySize d

let private stateGen dim = Gen.arrayOfLength dim (Gen.choose (-2000, 2000) |> Gen.map (fun i -> float i / 1000.0))

/// −∇·f at x by autograd through the model's full field.
let private contractionByAutograd (net: DynamicsModel) (x: float[]) =
    use scope = torch.NewDisposeScope()
    let input = (tensor2d 1 x.Length x).requires_grad_(true)
    let field = net.TimeDerivative(input, createGraph = true)
    -([ 0 .. x.Length - 1 ]
      |> List.sumBy (fun i ->
          let g = torch.autograd.grad([| field.select(1, int64 i).sum() |], [| input |], retain_graph = true, create_graph = false)[0]
          g[0L, int64 i].item<float>()))

/// Trains a small dissipative HNN on a damped spring of friction γ; returns its mean learned contraction −ΔD on the test states.
let private learnedDamping (gamma: float) =
    let data = DampedSpringRecipe(Damping = gamma, NoiseStd = 0.05).Generate()
    use model = DynamicsModel.Create(ModelSettings(ModelKind.DissipativeHnn, 2, HiddenDim = 64), 0) :?> DissipativeHnn
    Trainer.Train(model, data, TrainSettings(Steps = 600, LearningRate = 3e-3, TestEvery = 0)) |> ignore
    use scope = torch.NewDisposeScope()
    model.ContractionRate(data.TestX.ToTensor(ScalarType.Float32)).mean().item<float32>() |> float

[<Tests>]
let tests =
    testList
        "dissipative HNN"
        [ testPropertyWithConfig physicsConfig "its field is M·∇H + ∇D, and equals the autograd field of the same network"
          <| Prop.forAll (Arb.fromGen (stateGen 4)) (fun x ->
              use scope = torch.NewDisposeScope()
              let net = dhnn4.Value
              let t = tensor2d 1 4 x
              let field = rows (net.TimeDerivative(t, false))
              let conservative = rows (net.ConservativeField t)
              let dissipative = rows (net.DissipativeField t)
              let parts = Array.map2 (+) conservative[0] dissipative[0]
              let reference = rows (net.TimeDerivativeByAutograd(t, false))
              Expect.all (Array.zip field[0] parts) (fun (a, b) -> close 1e-12 1e-9 a b) "field = sum of its parts"
              Expect.all (Array.zip field[0] reference[0]) (fun (a, b) -> close 1e-12 1e-9 a b) "written-out chain rule = autograd")

          testPropertyWithConfig physicsConfig "its conservative part keeps the learned H: ∇H · M∇H = 0"
          <| Prop.forAll (Arb.fromGen (stateGen 4)) (fun x ->
              use scope = torch.NewDisposeScope()
              let net = dhnn4.Value
              let input = (tensor2d 1 4 x).requires_grad_(true)
              let h = net.Hamiltonian(input).sum()
              let gradH = (rows (torch.autograd.grad([| h |], [| input |])[0]))[0]
              let flow = (rows (net.ConservativeField(tensor2d 1 4 x)))[0]
              let dot = Array.fold2 (fun acc a b -> acc + a * b) 0.0 gradH flow
              let scale = (gradH |> Array.sumBy (fun v -> v * v)) + 1.0
              Expect.isLessThan (abs dot) (1e-10 * scale) "dH/dt along M∇H")

          testPropertyWithConfig physicsConfig "its contraction rate −ΔD is minus the divergence of its whole field"
          <| Prop.forAll (Arb.fromGen (stateGen 4)) (fun x ->
              use scope = torch.NewDisposeScope()
              let net = dhnn4.Value
              let rate = net.ContractionRate(tensor2d 1 4 x).item<float>()
              let expected = contractionByAutograd net x
              Expect.isTrue (close 1e-10 1e-8 rate expected) (sprintf "−ΔD %g vs −∇·f %g" rate expected))

          test "the ideal HNN's contraction is zero, so a nonzero −ΔD is the dissipative part's" {
              let hnn = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 4), 5)
              hnn.``to`` (ScalarType.Float64) |> ignore
              let c = contractionByAutograd hnn [| 0.3; -0.7; 1.1; 0.2 |]
              Expect.isLessThan (abs c) 1e-10 "HNN divergence"
              let d = contractionByAutograd dhnn4.Value [| 0.3; -0.7; 1.1; 0.2 |]
              Expect.isGreaterThan (abs d) 1e-6 "a random dissipative HNN contracts or expands"
          }

          test "saves and loads as a dissipative HNN with the same field" {
              let dir = Path.Combine(Path.GetTempPath(), "hnn-dhnn-" + Guid.NewGuid().ToString "N")
              try
                  use model = DynamicsModel.Create(ModelSettings(ModelKind.DissipativeHnn, 2), 3)
                  let path = Path.Combine(dir, "m.json")
                  ModelFile.Save(model, "damped-spring", TrainSettings(Steps = 1), path) |> ignore
                  Expect.stringContains (File.ReadAllText path) "\"kind\": \"dissipative_hnn\"" "kind in the model file"
                  let struct (loaded, _) = ModelFile.Load path
                  use loaded = loaded
                  Expect.isTrue (loaded :? DissipativeHnn) "loaded type"
                  Expect.equal loaded.Settings.Field FieldType.Both "both parts"
                  use _scope = torch.NewDisposeScope()
                  let x = torch.tensor([| 0.3f; -0.4f; 1.0f; 0.2f |]).reshape(2L, 2L)
                  Expect.equal
                      (loaded.TimeDerivative(x, false).data<float32>().ToArray())
                      (model.TimeDerivative(x, false).data<float32>().ToArray())
                      "same field"
              finally
                  if Directory.Exists dir then
                      Directory.Delete(dir, true)
          }

          test "learns the damped spring's friction: −ΔD within 10 % of γ = 0.2, and ≈ 0 without friction" {
              let damped = learnedDamping 0.2
              Expect.isLessThan (abs (damped - 0.2)) 0.02 (sprintf "learned %.4f for γ = 0.2" damped)
              let ideal = learnedDamping 0.0
              Expect.isLessThan (abs ideal) 0.02 (sprintf "learned %.4f for γ = 0" ideal)
          }

          testList
              "damped mass-spring"
              [ testPropertyWithConfig physicsConfig "its field contracts phase space at the rate γ and never gains energy"
                <| Prop.forAll (Arb.fromGen (stateGen 2)) (fun x ->
                    let system = DampedMassSpring(0.3)
                    let f (y: float[]) =
                        let d = Array.zeroCreate 2 in
                        system.TimeDerivative(ReadOnlySpan y, Span d)
                        d
                    let h = 1e-6
                    let divergence =
                        [ 0; 1 ]
                        |> List.sumBy (fun i ->
                            let plus, minus = Array.copy x, Array.copy x
                            plus[i] <- plus[i] + h
                            minus[i] <- minus[i] - h
                            ((f plus)[i] - (f minus)[i]) / (2.0 * h))
                    Expect.isTrue (close 1e-8 0.0 divergence -0.3) (sprintf "divergence %g" divergence)
                    let dx = f x
                    let dHdt = 2.0 * x[0] * dx[0] + 2.0 * x[1] * dx[1]
                    Expect.isTrue (close 1e-12 1e-12 dHdt (-2.0 * 0.3 * x[1] * x[1])) "dH/dt = −2γp²")
                test "a negative or infinite friction is refused, naming the argument" {
                    for bad in [ -0.1; nan; infinity ] do
                        let e = Expect.throwsC (fun () -> DampedMassSpring(bad) |> ignore) id
                        Expect.stringContains e.Message "damping" "names it"
                }
                test "the recipe's targets are the damped dynamics at the clean states, split in order" {
                    let data = DampedSpringRecipe(Damping = 0.2, NoiseStd = 0.0).Generate()
                    Expect.equal (data.TrainX.Rows, data.TestX.Rows) (750, 750) "50 × 30 rows, half test"
                    let system = DampedMassSpring(0.2)
                    for i in [ 0; 17; 749 ] do
                        let d = Array.zeroCreate 2
                        system.TimeDerivative(ReadOnlySpan [| data.TrainX[i, 0]; data.TrainX[i, 1] |], Span d)
                        Expect.isTrue (close 1e-12 1e-12 data.TrainDx[i, 1] d[1]) "dp/dt at a clean state"
                    // The energy along each trajectory decays: the last state has less than the first.
                    Expect.isLessThan
                        (system.Energy(ReadOnlySpan [| data.TrainX[29, 0]; data.TrainX[29, 1] |]))
                        (system.Energy(ReadOnlySpan [| data.TrainX[0, 0]; data.TrainX[0, 1] |]))
                        "energy decays along trajectory 1"
                }
                test "its energy protocol measures the loss of energy, and none for the ideal spring" {
                    let damped = EnergyProtocol.DampedSpring(DampedMassSpring(0.2))
                    let ideal = EnergyProtocol.Spring()
                    let rate (p: EnergyProtocol) =
                        let reference = TrajectoryEvaluation.ReferencePaths p
                        let r = Rollouts(p.Times, p.InitialStates.Rows, 2, reference, reference)
                        (TrajectoryEvaluation.Measure(p.System, r)).ReferenceEnergyLossRate.Mean
                    Expect.isGreaterThan (rate damped) 1e-3 "friction takes energy"
                    Expect.isLessThan (abs (rate ideal)) 1e-9 "the ideal spring keeps it"
                } ]

          testList
              "real pendulum, centred differences"
              [ test "the parabola weights differentiate a quadratic exactly on an uneven grid" {
                    let f t = 3.0 * t * t - 2.0 * t + 0.5
                    let t0, t1, t2 = 1.0, 1.3, 1.8
                    for s in [ t0; t1; t2 ] do
                        let struct (a, b, c) = RealPendulumRecipe.ParabolaSlope(t0, t1, t2, s)
                        Expect.isTrue (close 1e-12 1e-12 (a * f t0 + b * f t1 + c * f t2) (6.0 * s - 2.0)) (sprintf "slope at %g" s)
                }
                test "on a sampled sine they are far closer to the derivative than the paper's forward differences" {
                    let times = Array.init 60 (fun i -> 5.0 + float i / 6.0)
                    let text =
                        times
                        |> Array.map (fun t -> $"0 {t:R} {sin t:R} {cos t:R}")
                        |> fun rows -> String.Join("\n", Array.append [| "%o v" |] rows) + "\n"
                    let data = LipsonData.Parse(text, "sine.txt")
                    let error (targets: Differences) =
                        let d = RealPendulumRecipe(Targets = targets).Generate data
                        let all = d.TrainX.Concat(d.TestX)
                        let dx = d.TrainDx.Concat(d.TestDx)
                        // x = (sin t, cos t), so dx/dt = (cos t, −sin t) = (x₁, −x₀).
                        [ for i in 0 .. all.Rows - 1 -> max (abs (dx[i, 0] - all[i, 1])) (abs (dx[i, 1] + all[i, 0])) ] |> List.max
                    let forward, central = error Differences.Forward, error Differences.Central
                    Expect.isGreaterThan forward 0.05 (sprintf "forward differences are off by Δt/2·|x''| (%g)" forward)
                    Expect.isLessThan central 0.01 (sprintf "centred differences (%g)" central)
                }
                test "the central task keeps the paper's rows and split, only the targets differ" {
                    let paper = Tasks.realPendulum.Data 0
                    let central = Tasks.realPendulumCentral.Data 0
                    Expect.equal central.TrainX.Values paper.TrainX.Values "same training states"
                    Expect.equal central.TestX.Values paper.TestX.Values "same test states"
                    Expect.notEqual central.TrainDx.Values paper.TrainDx.Values "other targets"
                } ]

          test "tasks and models by key" {
              Expect.equal (Tasks.tryModelKind "dissipative-hnn") (Ok ModelKind.DissipativeHnn) "model key"
              Expect.isError (Tasks.tryModelKind "dhnn") "unknown model"
              Expect.equal (Tasks.tryFind "damped-spring" |> Result.map _.Key) (Ok "damped-spring") "damped-spring task"
              Expect.equal (Tasks.tryFind "real-pendulum-central" |> Result.map _.Key) (Ok "real-pendulum-central") "central task"
          } ]
