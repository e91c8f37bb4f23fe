/// The sampled HNN (Rahma, Datar & Dietrich 2024): its least-squares fit, its laws (Liouville, reversibility under a
/// momentum flip, the dissipative model's contraction), SWIM's pair distribution, and its model files. Every fit is
/// seeded; none is timed.
module Hnn.Tests.SampledTests

open System
open System.Diagnostics
open System.IO
open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Models.Sampled
open Hnn.Systems
open Hnn.Training
open TorchSharp
type private ScalarType = torch.ScalarType
type private Tensor = torch.Tensor

let private f64 = ScalarType.Float64

/// 100 states per property, replayed from a fixed seed.
let private config = { physicsConfig with replay = Some(1234UL, 5679UL, None) }

/// Machine epsilon of float64.
let private epsilon = Math.BitIncrement 1.0 - 1.0

let private matrix (rows: float[][]) = StateMatrix(Array.concat rows, rows.Length, rows[0].Length)

let private toRows (t: Tensor) =
    let d = int t.shape[1]
    t.``to``(f64).data<float>().ToArray() |> Array.chunkBySize d

/// H = ½ xᵀSx in 4-D with S = AᵀA + I for a fixed random A; its field is J·S·x, J = [[0, I], [−I, 0]].
let private quadraticField =
    let rng = Random 7
    let a = Array2D.init 4 4 (fun _ _ -> rng.NextDouble() * 2.0 - 1.0)
    let s = Array2D.init 4 4 (fun i j -> Seq.sum (seq { for k in 0..3 -> a[k, i] * a[k, j] }) + (if i = j then 1.0 else 0.0))
    fun (x: float[]) ->
        let g = Array.init 4 (fun i -> Seq.sum (seq { for j in 0..3 -> s[i, j] * x[j] }))
        [| g[2]; g[3]; -g[0]; -g[1] |]

/// States uniform in [−1, 1]⁴.
let private box (count: int) (seed: int) =
    let rng = Random seed
    Array.init count (fun _ -> Array.init 4 (fun _ -> rng.NextDouble() * 2.0 - 1.0))

/// 200 training and 400 test states of the quadratic H, noise-free, no trajectories.
let private quadratic =
    lazy
        (let train, test = box 200 1, box 400 2
         Dataset("quadratic", matrix train, matrix (Array.map quadraticField train), matrix test, matrix (Array.map quadraticField test)))

/// Σ|f(x) − ẋ|² / Σ|ẋ|² of a model on a split.
let private relativeFieldMse (model: DynamicsModel) (x: StateMatrix) (dx: StateMatrix) =
    use _ = torch.NewDisposeScope()
    let f = model.TimeDerivative(x.ToTensor f64, false)
    let y = dx.ToTensor f64
    ((f - y).square().sum() / y.square().sum()).item<float>()

/// One width, one λ, nothing held out: a plain least-squares solve. ELM at scale 1 makes a well-conditioned layer, so
/// that λ ≪ the smallest eigenvalue of the scaled normal equations and the ridge's bias shows as λ², not as the basis's
/// conditioning (at the default scale 0.05 the nearly polynomial features are ill-conditioned on purpose).
let private fixedSettings width (ridge: float) =
    SampledSettings(
        Width = width,
        Sampler = LayerSampler.Elm,
        WidthChoices = [||],
        Ridges = [| ridge |],
        ValidationFraction = 0.0,
        ElmScale = 1.0
    )

let private fit data settings seed = SampledFit.Fit(data, settings, seed)

/// A fit to the quadratic H (ELM, 400 neurons, width and λ chosen on held-out states).
let private quadraticFit = lazy (fit quadratic.Value (SampledSettings(Width = 400, Sampler = LayerSampler.Elm)) 0)

/// The noise-free spring (H = q² + p², even in p), fitted plainly (auto sampler: ELM, uniform SWIM or A-SWIM).
let private springFit = lazy (fit (SpringRecipe(NoiseStd = 0.0).Generate()) (SampledSettings(Width = 200)) 0)

/// The paper's noisy spring, fitted with H(q, p) = ½(F(q, p) + F(q, −p)).
let private symmetricFit = lazy (fit (SpringRecipe().Generate()) (SampledSettings(Width = 200, MomentumSymmetric = true)) 0)

/// The paper's noisy ideal pendulum (seed 0): the samplers' errors are close there, so auto's choice is tested on it.
let private pendulumData = lazy (PendulumRecipe().Generate())

/// The noise-free damped spring (dp/dt = −2q − 0.2p), fitted with a sampled H and D.
let private dampedFit =
    lazy
        (fit
            (DampedSpringRecipe(Damping = 0.2, NoiseStd = 0.0).Generate())
            (SampledSettings(Kind = ModelKind.SampledDissipativeHnn, Width = 100))
            0)

let private stateGen (dim: int) (half: float) =
    Gen.arrayOfLength dim (Gen.choose (-1000, 1000) |> Gen.map (fun i -> half * float i / 1000.0))

/// ∂f/∂x at one state by autograd through the model's closed-form field.
let private jacobian (model: DynamicsModel) (x: float[]) =
    use _ = torch.NewDisposeScope()
    let input = (tensor2d 1 x.Length x).requires_grad_(true)
    let f = model.TimeDerivative(input, createGraph = true)
    Array.init x.Length (fun i ->
        let g = torch.autograd.grad([| f.select(1, int64 i).sum() |], [| input |], retain_graph = true)[0]
        g.data<float>().ToArray())

/// (q, p) → (q, −p) for one state.
let private flip (x: float[]) =
    let n = x.Length / 2
    Array.init x.Length (fun i -> if i < n then x[i] else -x[i])

let private field (model: DynamicsModel) (x: float[]) =
    use _ = torch.NewDisposeScope()
    (toRows (model.TimeDerivative(tensor2d 1 x.Length x, false)))[0]

/// Pearson's χ² of observed counts against expected probabilities.
let private chiSquare (observed: int[]) (probabilities: float[]) =
    let n = float (Array.sum observed)
    Array.map2 (fun (o: int) p -> (float o - n * p) ** 2.0 / (n * p)) observed probabilities |> Array.sum

/// The ArgumentException's message for an action, which must throw one; fails otherwise.
let private argumentError (action: unit -> unit) =
    try
        action ()
        failtest "expected an ArgumentException"
        ""
    with :? ArgumentException as e ->
        e.Message


/// A small, fast fit for the run-path tests: ELM, at most 100 neurons (width and λ still chosen on held-out states).
let private smallSampling = SampledSettings(Width = 100, Sampler = LayerSampler.Elm)

/// Runs `kinds` on `task` through the one run path (Experiment.runAndRecord, then the reports) into a new folder.
let private runPath (task: Tasks.Task) (kinds: ModelKind list) =
    let options =
        { Experiment.defaults with
            Threads = Some 1
            OutDir = temporaryFolder "sampled"
            Log = ignore
            Sampling = smallSampling }
    let evaluated, _ = Experiment.runAndRecord options "test" task kinds
    Experiment.writeReports options [ task ] |> ignore
    options.OutDir, evaluated

/// The run folder's files, relative to it.
let private filesOf (folder: string) =
    Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
    |> Seq.map (fun f -> Path.GetRelativePath(folder, f).Replace('\\', '/'))
    |> Set.ofSeq

/// The run path: the CLI, the tasks' sources (built in, composed, CSV), the energy protocols and every integrator.
let private runPathTests =
    testSequenced
    <| testList
        "run path"
        [ test
              "hnn train --task spring --model sampled-hnn fits, saves, records and reports it, and hnn check passes its laws on the saved file" {
              let out = temporaryFolder "sampled"
              try
                  let code, text =
                      runHnnToEnd
                          [ "train"
                            "--task"
                            "spring"
                            "--model"
                            "sampled-hnn"
                            "--momentum-symmetric"
                            "--sampler"
                            "elm"
                            "--width"
                            "100"
                            "--threads"
                            "1"
                            "--no-eval"
                            "--out"
                            out ]
                  Expect.equal code 0 (sprintf "hnn train succeeds:\n%s" text)
                  Expect.stringContains text "sampled-hnn fit" "the fit's time is printed as a fit, not as steps"
                  let run = RunFolder out
                  let files = filesOf out
                  for file in
                      [ "results.json"
                        "results.md"
                        "reports/index.html"
                        "reports/spring.html"
                        "models/spring-sampled-hnn.json"
                        "models/spring-sampled-hnn.weights"
                        "artifacts/spring-sampled-hnn.json" ] do
                      Expect.isTrue (files.Contains file) (sprintf "%s is written" file)
                  Expect.isFalse (files |> Set.exists (fun f -> f.StartsWith "checkpoints/")) "a fit writes no checkpoint"
                  let cells =
                      Results.ResultsFile.Read run.Results |> Seq.filter (fun c -> c.Model = "sampled-hnn") |> Seq.map _.Metric |> Set.ofSeq
                  Expect.equal cells (set [ "train_loss"; "test_loss" ]) "its losses are recorded (no energy protocol asked)"
                  let description = File.ReadAllText(run.Model("spring", "sampled-hnn"))
                  Expect.stringContains description "\"sampler\": \"elm\"" "the sampler asked for, and the one chosen"
                  Expect.stringContains description "\"fit\": {" "the fit's report is kept with the model"
                  Expect.stringContains (File.ReadAllText(run.Report "spring")) "Sampled HNN field" "the report draws its field"
                  let struct (model, file) = ModelFile.Load(run.Model("spring", "sampled-hnn"))
                  use _ = model
                  let report = Expect.wantSome (Option.ofObj file.Fit) "the fit report reads back"
                  Expect.equal report.Sampler LayerSampler.Elm "chosen sampler"
                  Expect.equal model.Settings.HiddenDim report.Width "the model has the chosen width"
                  Expect.isTrue model.Settings.MomentumSymmetric "--momentum-symmetric reaches the fit"
                  // Its flow keeps its own H; Liouville and symplecticity hold for every Hamiltonian field; reversibility because H is even in p here.
                  let code, text =
                      runHnnToEnd
                          [ "check"
                            "--model"
                            run.Model("spring", "sampled-hnn")
                            "--laws"
                            "energy"
                            "liouville"
                            "symplecticity"
                            "reversibility" ]
                  Expect.equal code 0 (sprintf "hnn check passes:\n%s" text)
                  Expect.stringContains text "learned H (sampled)" "the energy law uses the model's own H"
                  for law in [ "energy conservation"; "Liouville"; "symplecticity"; "time reversibility" ] do
                      Expect.stringContains
                          text
                          (sprintf "%s on sampled-hnn (spring): passed" law)
                          (sprintf "%s checked on the saved model" law)
              finally
                  Directory.Delete(out, true)
          }

          test "options a fit cannot honour are refused before any work, naming the option" {
              let out = temporaryFolder "sampled"
              try
                  let r = Path.Combine(out, "r")
                  expectUsageErrors
                      [ [ "train"; "--task"; "spring"; "--model"; "sampled-hnn"; "--steps"; "5"; "--out"; r ],
                        "--steps applies to trained models"
                        [ "train"; "--task"; "spring"; "--model"; "sampled-dissipative-hnn"; "--lr"; "1e-2"; "--out"; r ],
                        "--lr applies to trained models"
                        [ "train"; "--task"; "spring"; "--model"; "hnn"; "--width"; "50"; "--out"; r ],
                        "--width applies to the sampled models only"
                        [ "train"; "--task"; "spring"; "--model"; "sampled-hnn"; "--width"; "0"; "--out"; r ],
                        "--width must be in 1..4096, got 0"
                        [ "run"; "--tasks"; "spring"; "--models"; "sampled-hnn"; "--supervision"; "integrator"; "--out"; r ],
                        "sampled-hnn fits dx/dt by least squares"
                        [ "import"
                          "--format"
                          "pytorch"
                          "--task"
                          "spring"
                          "--kind"
                          "sampled-hnn"
                          "--out"
                          Path.Combine(out, "m.json")
                          hnnDll ],
                        "a sampled model has no counterpart in the reference implementation" ]
                  Expect.isFalse (Directory.Exists(Path.Combine(out, "r", "models"))) "nothing was fitted"
              finally
                  Directory.Delete(out, true)
          }

          test "an energy-protocol run on the paper's noisy spring gives a sampled HNN finite metrics close to the truth" {
              let task = { Tasks.spring with Evaluation = Tasks.flow (fun () -> EnergyProtocol.Spring(count = 5)) }
              let folder, evaluated = runPath task [ ModelKind.SampledHnn ]
              try
                  let e = evaluated.Head
                  use _ = e.Trained.Model
                  let m = Expect.wantSome e.Metrics "the energy protocol ran"
                  // Measured 1.2e-4 (energy MSE) on the whole protocol; the Adam HNN's is 2.7e-4, the paper's 3.8e-4.
                  Expect.isLessThan m.EnergyMse.Mean 1e-3 "energy MSE against the true energy"
                  Expect.isLessThan (abs m.EnergyDrift.Mean) 0.05 "relative energy drift at the horizon"
                  Expect.isTrue (Double.IsFinite m.RolloutMse.Mean) "rollout MSE is finite"
                  Expect.isLessThan e.Trained.Result.FinalTest.Mean 0.05 "the paper's test loss (noise-limited: 3.7e-2)"
                  Expect.isEmpty e.Trained.Result.TrainLoss "no steps, no curve"
              finally
                  Directory.Delete(folder, true)
          }

          test "the sampled dissipative HNN fits the real pendulum's centred targets and records its contraction rate" {
              let folder, evaluated = runPath Tasks.realPendulumCentral [ ModelKind.SampledDissipativeHnn ]
              try
                  let e = evaluated.Head
                  use _ = e.Trained.Model
                  let rate = Expect.wantSome e.Contraction "−ΔD over the reference states"
                  Expect.isTrue (Double.IsFinite rate.Mean) "finite"
                  let m = Expect.wantSome e.Metrics "the measured test trajectory's protocol ran"
                  Expect.isTrue (Double.IsFinite m.EnergyMse.Mean) "energy MSE is finite"
                  let cells = Results.ResultsFile.Read (RunFolder folder).Results |> Seq.map (fun c -> c.Model, c.Metric) |> Set.ofSeq
                  Expect.isTrue (cells.Contains("sampled-dissipative-hnn", "contraction_rate")) "recorded in results.json"
              finally
                  Directory.Delete(folder, true)
          }

          test "a composed Hamiltonian and a CSV file fit on the same run path: model, weights and artifacts, no checkpoint" {
              let quartic = Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + q ** 4.0 / 4.0)
              let composed =
                  let recipe = { Pipeline.recipe with Trajectories = 10; Points = 10; TimeSpan = 2.0; NoiseStd = 0.0 }
                  let protocol = { Pipeline.protocol with Count = 2; TimeSpan = 2.0; Points = 10; Rtol = 1e-6; Atol = 1e-6 }
                  Pipeline.task "quartic" recipe protocol (Tasks.training 3 1e-4 None) quartic
              let csvFolder = temporaryFolder "sampled"
              let csvPath = Path.Combine(csvFolder, "quartic-trajectories.csv")
              let starts = Pipeline.drawStarts (Pipeline.Radius(0.3, 1.0)) 2 8 1
              Trajectories.write csvPath (Trajectories.ofSystem quartic starts (Sampling.Linspace(0.0, 2.0, 15)))
              let csv = TaskSources.ofCsv csvPath 0.25
              let runs = [ for task in [ composed; csv ] -> task, runPath task [ ModelKind.SampledHnn; ModelKind.SampledDissipativeHnn ] ]
              try
                  for task, (folder, evaluated) in runs do
                      let files = filesOf folder
                      for key in [ "sampled-hnn"; "sampled-dissipative-hnn" ] do
                          for file in
                              [ sprintf "models/%s-%s.json" task.Key key
                                sprintf "models/%s-%s.weights" task.Key key
                                sprintf "artifacts/%s-%s.json" task.Key key ] do
                              Expect.isTrue (files.Contains file) (sprintf "%s: %s" task.Key file)
                      Expect.isFalse (files |> Set.exists (fun f -> f.StartsWith "checkpoints/")) (sprintf "%s: no checkpoint" task.Key)
                      let metric = if task.Key = "quartic" then "energy_mse" else "rollout_mse"
                      let cells =
                          Results.ResultsFile.Read (RunFolder folder).Results |> Seq.filter (fun c -> c.Metric = metric) |> Seq.toList
                      Expect.equal cells.Length 2 (sprintf "%s: %s of both models" task.Key metric)
                      Expect.all cells (fun c -> Double.IsFinite c.Value.Mean) (sprintf "%s: finite" task.Key)
                      for e in evaluated do
                          e.Trained.Model.Dispose()
              finally
                  for _, (folder, _) in runs do
                      Directory.Delete(folder, true)
                  Directory.Delete(csvFolder, true)
          }

          test "the sampled field works in every integrator: each method's path follows the same method's on the true spring" {
              let model = springFit.Value.Model
              let trueSpring (x: Tensor) =
                  torch.stack ([| x.select(1, 1L).mul(torch.tensor 2.0); x.select(1, 0L).mul(torch.tensor -2.0) |], 1L)
              use _ = torch.NewDisposeScope()
              let x0 = tensor2d 3 2 [| 0.8; 0.1; -0.3; 0.5; 0.2; -0.9 |]
              let times = [| 0.0; 1.0; 2.5; 5.0 |]
              for m in
                  [ Integrators.Rk4.Tableau :> Integrators.IFixedStepMethod
                    Integrators.DormandPrince45.Tableau
                    Integrators.BogackiShampine32.Tableau
                    Integrators.Leapfrog.Tableau
                    Integrators.Yoshida4.Tableau
                    Integrators.ImplicitMidpoint.Default ] do
                  let solve (field: Tensor -> Tensor) =
                      Integrators.TensorOde
                          .Solve(Func<_, _> field, m, x0, 0.0, ReadOnlySpan times, Integrators.FixedSteps(0.05))
                          .data<float>()
                          .ToArray()
                  let learned, truth = solve (fun x -> model.TimeDerivative(x, false)), solve trueSpring
                  let gap = Array.map2 (fun a b -> abs (a - b)) learned truth |> Array.max
                  // The fit's field error (relative MSE ~1e-13) over t = 5: measured ~1e-7.
                  Expect.isLessThan gap 1e-5 (sprintf "%s: the paths of the sampled and the true field agree" m.Name)
          }

          test "the sweep's settings width and sampler set the sampled models' width and sampler" {
              let apply name text =
                  let setting = Sweep.settings |> List.find (fun s -> s.Name = name)
                  setting.Read text |> Option.map (fun (_, change) -> (change Experiment.defaults).Sampling)
              Expect.equal (apply "width" "800" |> Option.map _.Width) (Some 800) "width=800"
              Expect.isNone (apply "width" "0") "width=0 is refused"
              Expect.isNone (apply "width" "5000") "above the largest width"
              Expect.equal (apply "sampler" "a-swim" |> Option.map _.Sampler) (Some LayerSampler.ASwim) "sampler=a-swim"
              Expect.isNone (apply "sampler" "swim") "swim needs the true H, which a run does not give"
          } ]

[<Tests>]
let tests =
    testList
        "sampled HNN"
        [ runPathTests

          testList
              "least squares"
              [ test "least squares is a projection: refitting a sampled HNN's own field reproduces it to round-off" {
                    let data = quadratic.Value
                    let settings = fixedSettings 200 1e-13
                    use first = (fit data settings 3).Model
                    let own (x: StateMatrix) =
                        use _ = torch.NewDisposeScope()
                        StateMatrix(first.TimeDerivative(x.ToTensor f64, false).data<float>().ToArray(), x.Rows, x.Columns)
                    let itsOwn = Dataset("own field", data.TrainX, own data.TrainX, data.TestX, own data.TestX)
                    use again = (fit itsOwn settings 3).Model
                    // Same seed, same states: the same layer, and a target inside its span. Measured 1e-20 (λ = 1e-13 biases it by ~λ²).
                    Expect.isLessThan (relativeFieldMse again itsOwn.TestX itsOwn.TestDx) 1e-18 "refit vs the field refitted, unseen states"
                    Expect.isLessThan
                        (relativeFieldMse again itsOwn.TrainX itsOwn.TrainDx)
                        1e-18
                        "refit vs the field refitted, training states"
                }

                test "the fit recovers a quadratic H's field on unseen states (relative MSE below 1e-9)" {
                    let r = quadraticFit.Value
                    // Measured 5e-12 (400 ELM neurons, 200 states in [−1, 1]⁴); tanh features represent a quadratic only approximately.
                    Expect.isLessThan (relativeFieldMse r.Model quadratic.Value.TestX quadratic.Value.TestDx) 1e-9 (string r.Report)
                    Expect.isLessThan r.Report.ValidationError 1e-9 "the held-out states agree"
                    Expect.isFalse r.Report.ValidationByTrajectory "no trajectories: single states held out"
                }

                test
                    "ridge λ → 0 on noiseless data interpolates: with fewer rows than neurons the training residual falls as λ² to round-off" {
                    // 20 training states (40 rows) and 200 neurons.
                    let data = SpringRecipe(Trajectories = 4, Points = 10, NoiseStd = 0.0).Generate()
                    let residual ridge =
                        use m = (fit data (fixedSettings 200 ridge) 0).Model
                        relativeFieldMse m data.TrainX data.TrainDx
                    let r4, r8, r12 = residual 1e-4, residual 1e-8, residual 1e-12
                    // Measured 3.0e-6, 4.5e-14, 4.5e-22: the ridge's residual λ(AAᵀ + λ)⁻¹y, squared.
                    Expect.isGreaterThan (r4 / r8) 1e6 (sprintf "λ 1e-4 → 1e-8: %g → %g" r4 r8)
                    Expect.isGreaterThan (r8 / r12) 1e6 (sprintf "λ 1e-8 → 1e-12: %g → %g" r8 r12)
                    Expect.isLessThan r12 1e-18 "interpolation at λ = 1e-12"
                }

                test "the width and λ are chosen on held-out trajectories when the data have them, and the report says what was used" {
                    let r = springFit.Value.Report
                    Expect.isTrue r.ValidationByTrajectory "whole trajectories held out"
                    Expect.equal r.StatesUsed 750 "all states"
                    Expect.equal r.ValidationStates 150 "five of the 25 training trajectories"
                    Expect.isTrue
                        (r.Candidates
                         |> Seq.exists (fun c -> c.Width = r.Width && c.Ridge = r.Ridge && c.ValidationError = r.ValidationError))
                        "the choice is a candidate"
                    Expect.isTrue (r.Candidates |> Seq.forall (fun c -> c.ValidationError >= r.ValidationError)) "and the best one"
                    Expect.equal (set [ for c in r.Candidates -> c.Width ]) (set [ 25; 50; 100; 200 ]) "Width/8 … Width as leading subsets"
                }

                test "very many states are subsampled to MaxStates, and the report says so" {
                    let r = fit (SpringRecipe(NoiseStd = 0.0).Generate()) (SampledSettings(Width = 50, MaxStates = 100)) 0
                    use _ = r.Model
                    Expect.equal r.Report.StatesAvailable 750 "available"
                    Expect.equal r.Report.StatesUsed 100 "used"
                    Expect.isTrue r.Report.Subsampled "subsampled"
                    Expect.stringContains (string r.Report) "the 100 of 750 training states drawn (subsampled)" "in the report's line"
                }

                test "a seed reproduces the fit exactly; another seed samples another layer" {
                    let data = quadratic.Value
                    let settings = SampledSettings(Width = 60, Sampler = LayerSampler.ASwim)
                    use a = (fit data settings 5).Model
                    use b = (fit data settings 5).Model
                    use c = (fit data settings 6).Model
                    let x = [| 0.3; -0.2; 0.5; 0.1 |]
                    Expect.equal (field b x) (field a x) "same seed, same field to the bit"
                    Expect.notEqual (field c x) (field a x) "another seed"
                }

                test "the fitted model evaluates float32 states in float64 and returns float32" {
                    let m = quadraticFit.Value.Model
                    use _ = torch.NewDisposeScope()
                    let x = quadratic.Value.TestX.ToTensor ScalarType.Float32
                    let f32 = m.TimeDerivative(x, false)
                    Expect.equal f32.dtype ScalarType.Float32 "the states' dtype"
                    let f = m.TimeDerivative(x.``to`` f64, false)
                    let gap = ((f32.``to`` f64 - f).abs().max() / f.abs().max()).item<float>()
                    Expect.isLessThan gap 1e-7 "float32 rounding of the float64 result, no more"
                } ]

          testList
              "laws"
              [ testPropertyWithConfig config "the sampled HNN's field is divergence-free (Liouville): tr ∂f/∂x by autograd is round-off"
                <| Prop.forAll (Arb.fromGen (stateGen 4 1.0)) (fun x ->
                    let j = jacobian quadraticFit.Value.Model x
                    let trace = Seq.sum (seq { for i in 0..3 -> j[i][i] })
                    let norm = j |> Array.sumBy (Array.sumBy abs)
                    // M·∇²H has zero trace for a symmetric ∇²H: what remains is round-off, k·ε·n·(1 + ‖J‖) with k = 10.
                    Expect.isLessThan (abs trace) (10.0 * epsilon * 4.0 * (1.0 + norm)) (sprintf "tr J = %g, ‖J‖ = %g" trace norm))

                testPropertyWithConfig config "its field is M·∇H with ∇H of the learned H by autograd and by central differences"
                <| Prop.forAll (Arb.fromGen (stateGen 4 1.0)) (fun x ->
                    let model = quadraticFit.Value.Model
                    use _ = torch.NewDisposeScope()
                    let input = (tensor2d 1 4 x).requires_grad_(true)
                    let gradient = torch.autograd.grad([| model.Hamiltonian(input).sum() |], [| input |])[0]
                    let g = gradient.data<float>().ToArray()
                    let h (y: float[]) = model.Hamiltonian(tensor2d 1 4 y).item<float>()
                    let fd =
                        Array.init 4 (fun i ->
                            let step = 1e-5
                            let plus, minus = Array.copy x, Array.copy x
                            plus[i] <- plus[i] + step
                            minus[i] <- minus[i] - step
                            (h plus - h minus) / (2.0 * step))
                    let f = field model x
                    let expected = [| g[2]; g[3]; -g[0]; -g[1] |]
                    let byDifferences = [| fd[2]; fd[3]; -fd[0]; -fd[1] |]
                    let scale = 1.0 + (f |> Array.map abs |> Array.max)
                    Expect.all (Array.zip f expected) (fun (a, b) -> abs (a - b) < 1e-12 * scale) "closed form = autograd"
                    Expect.all (Array.zip f byDifferences) (fun (a, b) -> abs (a - b) < 1e-7 * scale) "closed form = central differences")

                testPropertyWithConfig config "the momentum-symmetric sampled HNN is reversible: f(q, −p) = −R·f(q, p) exactly"
                <| Prop.forAll (Arb.fromGen (stateGen 2 1.5)) (fun x ->
                    let model = symmetricFit.Value.Model
                    let mirrored = field model (flip x)
                    let expected = flip (field model x) |> Array.map (fun v -> -v)
                    Expect.equal mirrored expected "H(q, p) = ½(F(q, p) + F(q, −p)) makes the field R-reversible to the bit")

                testPropertyWithConfig config "a plain fit to an H even in p is reversible to within its fit error, where it has data"
                <|
                // The training starts' radii are 0.1 to 1.
                Prop.forAll (Arb.fromGen (stateGen 2 1.0 |> Gen.filter (fun x -> x[0] * x[0] + x[1] * x[1] <= 1.0))) (fun x ->
                    let model = springFit.Value.Model
                    let f = field model x
                    let defect = Array.map2 (fun a b -> abs (a + b)) (field model (flip x)) (flip f) |> Array.max
                    // The spring's field fits to a relative MSE of 1e-13; the measured defect on its test states is 1.3e-6 of |f|.
                    Expect.isLessThan defect (1e-5 * (1.0 + (f |> Array.map abs |> Array.max))) (sprintf "defect %g" defect))

                test
                    "the physics checks pass on the fitted models: energy conservation of their own H, Liouville, symplecticity, and reversibility for the symmetric one" {
                    let settings = { Physics.Settings.defaults with Cases = 100; Step = 0.05; Horizon = 0.5 }
                    let domain = Domain.shell 2 0.2 1.0
                    let spring = MassSpring() :> IHamiltonianSystem
                    let laws = [ Physics.Laws.energyConservation; Physics.Laws.liouville; Physics.Laws.symplecticity ]
                    for name, model, laws in
                        [ "sampled HNN", springFit.Value.Model, laws
                          "symmetric sampled HNN", symmetricFit.Value.Model, laws @ [ Physics.Laws.timeReversibility ] ] do
                        let reports = Physics.Check.lawsWith settings (Physics.Subject.model domain (Some spring) name model) laws
                        for report in reports do
                            Expect.isTrue (Physics.Report.passed report) (Physics.Report.format report)
                        // The RK4 flow of the model's field keeps the model's H, not the true one (the fit differs from it).
                        let energy = reports |> List.find (fun r -> r.Law = "energy conservation")
                        Expect.stringContains energy.Quantity "H = learned H (sampled)" "the energy law measures the sampled model's own H"
                }

                test "fitted to the noise-free spring, its flow keeps the true energy (energy protocol in float64, MSE below 1e-9)" {
                    let m = springFit.Value.Model
                    let metrics = TrajectoryEvaluation.Evaluate(EnergyProtocol.Spring(count = 5), m)
                    // Measured 4e-12 over the 15 protocol starts.
                    Expect.isLessThan metrics.EnergyMse.Mean 1e-9 "energy MSE"
                } ]

          testList
              "dissipative"
              [ test "one solve learns the damped spring's friction: −ΔD = γ = 0.2 to 1e-3, and the field is M·∇H + ∇D" {
                    let r = dampedFit.Value
                    let m = r.Model :?> SampledDissipativeHnn
                    let data = DampedSpringRecipe(Damping = 0.2, NoiseStd = 0.0).Generate()
                    use _ = torch.NewDisposeScope()
                    let x = data.TestX.ToTensor f64
                    let rate = m.ContractionRate x
                    Expect.isLessThan
                        (rate.sub(torch.tensor 0.2).abs().max().item<float>())
                        1e-3
                        "−ΔD on every test state (measured within 1e-5)"
                    let parts = m.ConservativeField x + m.DissipativeField x
                    Expect.isLessThan
                        ((parts - m.TimeDerivative(x, false)).abs().max().item<float>())
                        1e-14
                        "the field is the sum of its parts"
                }

                test
                    "its H, contraction rate −ΔD and dx/dt at a state are the same numbers, bit for bit, wherever the state sits in the batch" {
                    // With H and ΔF as matrix-vector products (MKL's dgemv) a row rounded differently with where it fell
                    // in its blocks: the main job's two-body contraction rate changed in its 16th digit with whether the
                    // data had been generated or read from the cache.
                    let m = dampedFit.Value.Model :?> SampledDissipativeHnn
                    let data = DampedSpringRecipe(Damping = 0.2, NoiseStd = 0.0).Generate()
                    use _ = torch.NewDisposeScope()
                    let x = data.TestX.ToTensor f64
                    let batch = m.ContractionRate(x).data<float>().ToArray()
                    let energy = m.Hamiltonian(x).data<float>().ToArray()
                    let field = m.TimeDerivative(x, false).data<float>().ToArray()
                    for shift in [ 1L; 2L; 3L; 5L ] do
                        let rolled = m.ContractionRate(x.roll (shift, 0)).roll(-shift, 0).data<float>().ToArray()
                        Expect.sequenceEqual rolled batch (sprintf "the batch rolled by %d rows" shift)
                        let rolled = m.Hamiltonian(x.roll (shift, 0)).roll(-shift, 0).data<float>().ToArray()
                        Expect.sequenceEqual rolled energy (sprintf "H, the batch rolled by %d rows" shift)
                        let rolled = m.TimeDerivative(x.roll (shift, 0), false).roll(-shift, 0).data<float>().ToArray()
                        Expect.sequenceEqual rolled field (sprintf "dx/dt, the batch rolled by %d rows" shift)
                }

                testPropertyWithConfig config "its closed-form contraction rate −ΔD is minus the divergence of its whole field by autograd"
                <| Prop.forAll (Arb.fromGen (stateGen 2 1.0)) (fun x ->
                    let m = dampedFit.Value.Model :?> SampledDissipativeHnn
                    let j = jacobian m x
                    let divergence = j[0][0] + j[1][1]
                    let rate = (use _ = torch.NewDisposeScope() in m.ContractionRate(tensor2d 1 2 x).item<float>())
                    Expect.isTrue (close 1e-10 1e-8 rate -divergence) (sprintf "−ΔD %g vs −∇·f %g" rate -divergence)) ]

          testList
              "SWIM"
              [
                // Five states in the plane with known values: H(x) = x₀² + 3x₁.
                let states = [| [| 0.0; 0.0 |]; [| 1.0; 0.0 |]; [| 0.0; 1.0 |]; [| -1.0; 0.5 |]; [| 0.5; -1.5 |] |]
                let h (x: float[]) = x[0] * x[0] + 3.0 * x[1]
                let pairs =
                    [| for i in 0..4 do
                           for j in 0..4 do
                               if i <> j then
                                   i, j |]
                let counts (from: Tensor) (``to``: Tensor) =
                    let f, t = from.data<int64>().ToArray(), ``to``.data<int64>().ToArray()
                    pairs |> Array.map (fun (i, j) -> Array.fold2 (fun n a b -> if a = int64 i && b = int64 j then n + 1 else n) 0 f t)
                // χ² with 19 degrees of freedom exceeds 43.82 with probability 0.001.
                let bound = 43.82

                test "SWIM draws pairs with probability ∝ |H(x₂) − H(x₁)| / |x₂ − x₁| (χ² over the 20 ordered pairs of 5 states)" {
                    use _ = torch.NewDisposeScope()
                    use g = new torch.Generator(11UL)
                    let x = tensor2d 5 2 (Array.concat states)
                    let values = torch.tensor (states |> Array.map h)
                    let struct (from, ``to``) = LayerSampling.DrawPairs(x, values, 20000, g)
                    let weight (i, j) =
                        abs (h states[j] - h states[i]) / sqrt (Array.fold2 (fun s a b -> s + (a - b) ** 2.0) 0.0 states[i] states[j])
                    let total = pairs |> Array.sumBy weight
                    let chi2 = chiSquare (counts from ``to``) (pairs |> Array.map (fun p -> weight p / total))
                    Expect.isLessThan chi2 bound (sprintf "χ² = %.1f" chi2)
                }

                test "without values every ordered pair of distinct states is equally likely, and coinciding states are never paired" {
                    use _ = torch.NewDisposeScope()
                    use g = new torch.Generator(12UL)
                    // A sixth state equal to the first.
                    let x = tensor2d 6 2 (Array.concat (Array.append states [| states[0] |]))
                    let struct (from, ``to``) = LayerSampling.DrawPairs(x, null, 20000, g)
                    let f, t = from.data<int64>().ToArray(), ``to``.data<int64>().ToArray()
                    Expect.isFalse
                        (Array.exists2 (fun a b -> (a = 0L && b = 5L) || (a = 5L && b = 0L)) f t)
                        "the duplicate pair is never drawn"
                    let distinct = Array.map2 (fun a b -> a < 5L && b < 5L) f t
                    let fromFive = Array.zip f t |> Array.filter (fun (a, b) -> a < 5L && b < 5L)
                    let observed =
                        pairs
                        |> Array.map (fun (i, j) -> fromFive |> Array.filter (fun (a, b) -> a = int64 i && b = int64 j) |> Array.length)
                    Expect.isGreaterThan (Array.filter id distinct).Length 10000 "most draws are among the five"
                    let chi2 = chiSquare observed (Array.create pairs.Length (1.0 / float pairs.Length))
                    Expect.isLessThan chi2 bound (sprintf "χ² = %.1f" chi2)
                }

                test "a SWIM neuron puts its pair on the activation's steep part: w·x₁ + b = −s and w·x₂ + b = +s" {
                    use _ = torch.NewDisposeScope()
                    use g = new torch.Generator(13UL)
                    let x = tensor2d 5 2 (Array.concat states)
                    for activation in [ Nonlinearity.Tanh; Nonlinearity.Sigmoid ] do
                        let layer = LayerSampling.Swim(x, null, 40, activation, g)
                        let s = SampledActivation.SteepHalfWidth activation
                        let at (index: Tensor) = (x.index_select (0L, index) * layer.Weights).sum(1L) + layer.Biases
                        let first, second = at (nonNull layer.From), at (nonNull layer.To)
                        Expect.isLessThan (first.add(torch.tensor s).abs().max().item<float>()) 1e-12 (sprintf "%A: x₁ at −s" activation)
                        Expect.isLessThan (second.sub(torch.tensor s).abs().max().item<float>()) 1e-12 (sprintf "%A: x₂ at +s" activation)
                }

                test "A-SWIM's first stage is the uniform-SWIM fit of the same seed, and its second stage samples anew from that fit's Ĥ" {
                    let settings = SampledSettings(Width = 100, Sampler = LayerSampler.ASwim)
                    let aswim = fit quadratic.Value settings 0
                    let uniform = fit quadratic.Value (SampledSettings(Width = 100, Sampler = LayerSampler.UniformSwim)) 0
                    use _ = aswim.Model
                    use _ = uniform.Model
                    let first = Expect.wantSome (Option.ofNullable aswim.Report.FirstStageValidationError) "a first stage"
                    Expect.equal first uniform.Report.ValidationError "the same fit, to the bit"
                    Expect.isTrue (uniform.Report.FirstStageValidationError.HasValue |> not) "one stage for uniform SWIM"
                    let x = [| 0.3; -0.2; 0.5; 0.1 |]
                    Expect.notEqual (field aswim.Model x) (field uniform.Model x) "a second layer"
                } ]

          testList
              "auto"
              [
                // The compared samplers' names, the winner of the comparison, and those fitted at full width.
                let comparison (r: SampledFitResult) =
                    let tried = [ for s in r.Report.Samplers -> s.Sampler ]
                    let winner = (r.Report.Samplers |> Seq.minBy _.ValidationError).Sampler
                    let full =
                        [ for s in r.Report.Samplers do
                              if s.FullWidthValidationError.HasValue then
                                  s.Sampler ]
                    tried, winner, full
                let sameField (a: DynamicsModel) (b: DynamicsModel) =
                    use _ = torch.NewDisposeScope()
                    let x = pendulumData.Value.TestX.ToTensor f64
                    Expect.equal (toRows (a.TimeDerivative(x, false))) (toRows (b.TimeDerivative(x, false))) "the same field to the bit"

                test
                    "auto compares ELM, uniform SWIM and A-SWIM at a quarter of the width, then fits only the winner at full width: ELM's own fit" {
                    let r = fit pendulumData.Value (SampledSettings()) 0
                    use elm = (fit pendulumData.Value (SampledSettings(Sampler = LayerSampler.Elm)) 0).Model
                    use _ = r.Model
                    let tried, winner, full = comparison r
                    Expect.equal tried [ LayerSampler.Elm; LayerSampler.UniformSwim; LayerSampler.ASwim ] "three samplers compared"
                    Expect.equal r.Report.ComparisonWidth (Nullable 100) "at 400 / 4"
                    Expect.all r.Report.Samplers (fun s -> s.Ridge.HasValue) "each with its λ"
                    // Measured: ELM 4.71e-3, uniform SWIM 5.10e-3, A-SWIM 5.81e-3 at width 100.
                    Expect.equal winner LayerSampler.Elm "ELM wins the comparison"
                    Expect.equal full [ LayerSampler.Elm ] "and alone is fitted at full width"
                    Expect.equal r.Report.Sampler LayerSampler.Elm "the chosen sampler"
                    Expect.equal
                        (r.Report.Candidates |> Seq.map _.Width |> Seq.distinct |> List.ofSeq)
                        [ 50; 100; 200; 400 ]
                        "every width up to the full one"
                    Expect.equal
                        (Nullable r.Report.ValidationError)
                        r.Report.Samplers[0].FullWidthValidationError
                        "the report's error is the full-width one"
                    Expect.stringContains (string r.Report) "compared at width 100" "the log line says where the samplers were compared"
                    sameField r.Model elm
                }

                test "when a SWIM sampler wins the comparison, ELM is fitted at full width too and the lower full-width error is kept" {
                    let r = fit pendulumData.Value (SampledSettings()) 2
                    use elm = (fit pendulumData.Value (SampledSettings(Sampler = LayerSampler.Elm)) 2).Model
                    use _ = r.Model
                    let _, winner, full = comparison r
                    // Measured: uniform SWIM 5.07e-3 against ELM's 5.16e-3 at width 100; 5.00e-3 against 4.95e-3 at full width.
                    Expect.equal winner LayerSampler.UniformSwim "uniform SWIM wins the comparison"
                    Expect.equal full [ LayerSampler.Elm; LayerSampler.UniformSwim ] "both are fitted at full width"
                    let best =
                        r.Report.Samplers |> Seq.filter _.FullWidthValidationError.HasValue |> Seq.minBy _.FullWidthValidationError.Value
                    Expect.equal r.Report.Sampler best.Sampler "the lower full-width error wins"
                    Expect.equal r.Report.Sampler LayerSampler.Elm "here ELM"
                    sameField r.Model elm
                }

                test "auto's A-SWIM draws its pairs from the uniform-SWIM comparison fit's Ĥ, and the report says so" {
                    let r = fit pendulumData.Value (SampledSettings()) 3
                    use _ = r.Model
                    Expect.equal r.Report.Sampler LayerSampler.ASwim "A-SWIM chosen (measured 5.49e-3 at full width against ELM's 5.58e-3)"
                    let uniform = r.Report.Samplers |> Seq.find (fun s -> s.Sampler = LayerSampler.UniformSwim)
                    Expect.equal
                        r.Report.FirstStageValidationError
                        (Nullable uniform.ValidationError)
                        "its first stage is the compared uniform-SWIM fit"
                    Expect.stringContains (string r.Report) "at width 100)" "the log line says the first stage's width"
                }

                test "the dissipative model's auto fit compares samplers of two layers and fits the winner's two at full width" {
                    let r = dampedFit.Value
                    let m = r.Model :?> SampledDissipativeHnn
                    Expect.equal r.Report.Samplers.Count 3 "three samplers compared"
                    Expect.equal r.Report.ComparisonWidth (Nullable 25) "at 100 / 4"
                    Expect.equal (r.Report.Candidates |> Seq.map _.Width |> Seq.max) 100 "then every width up to 100"
                    Expect.equal
                        (m.HamiltonianFunction.Width, m.DissipationFunction.Width)
                        (r.Report.Width, r.Report.Width)
                        "H and D of the chosen width"
                } ]

          testList
              "model files"
              [ test "a model file written before auto compared at a reduced width still loads, its report read as a full-width comparison" {
                    let dir = Path.Combine(Path.GetTempPath(), "hnn-sampled-" + Guid.NewGuid().ToString "N")
                    try
                        let path = Path.Combine(dir, "spring.json")
                        ModelFile.Save(springFit.Value.Model, "spring", TrainSettings(Steps = 0), path) |> ignore
                        // The fit report as the previous version wrote it: samplers with their errors only, no comparison width.
                        let document = nonNull (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText path))
                        let report = (nonNull document["fit"]).AsObject()
                        Expect.isTrue (report.Remove "comparison_width") "the new file records the comparison width"
                        for sampler in (nonNull report["samplers"]).AsArray() do
                            let s = (nonNull sampler).AsObject()
                            Expect.isTrue
                                (s.Remove "ridge" && s.Remove "full_width_validation_error")
                                "and each sampler's λ and full-width error"
                        File.WriteAllText(path, document.ToJsonString())
                        let struct (loaded, file) = ModelFile.Load path
                        use _ = loaded
                        let old = Expect.wantSome (Option.ofObj file.Fit) "the report reads back"
                        Expect.isFalse old.ComparisonWidth.HasValue "no comparison width"
                        Expect.all
                            old.Samplers
                            (fun s -> not s.Ridge.HasValue && not s.FullWidthValidationError.HasValue)
                            "nor λ and full-width errors"
                        Expect.equal
                            [ for s in old.Samplers -> s.ValidationError ]
                            [ for s in springFit.Value.Report.Samplers -> s.ValidationError ]
                            "the errors it had"
                        Expect.stringContains (string old) "(auto, of Elm" "worded as before"
                    finally
                        if Directory.Exists dir then
                            Directory.Delete(dir, true)
                }

                test "a sampled HNN and a sampled dissipative HNN save and load with identical outputs, and copy to float64 unchanged" {
                    let dir = Path.Combine(Path.GetTempPath(), "hnn-sampled-" + Guid.NewGuid().ToString "N")
                    try
                        for r, kind, key in
                            [ springFit.Value, ModelKind.SampledHnn, "sampled_hnn"
                              dampedFit.Value, ModelKind.SampledDissipativeHnn, "sampled_dissipative_hnn" ] do
                            let path = Path.Combine(dir, key + ".json")
                            ModelFile.Save(r.Model, "spring", TrainSettings(Steps = 0), path, SampledSettings(Kind = kind, Width = 200))
                            |> ignore
                            let text = File.ReadAllText path
                            Expect.stringContains text (sprintf "\"kind\": \"%s\"" key) "kind in the model file"
                            Expect.stringContains text "\"sampling\"" "how it was fitted"
                            let struct (loaded, file) = ModelFile.Load path
                            use loaded = loaded
                            Expect.equal loaded.Settings r.Model.Settings "architecture"
                            Expect.equal (nonNull file.Sampling).Kind kind "sampling settings read back"
                            use copy = ModelField.ToFloat64 loaded
                            use _ = torch.NewDisposeScope()
                            for dtype in [ f64; ScalarType.Float32 ] do
                                let x = tensor2d 3 2 [| 0.3; -0.4; 1.0; 0.2; -0.7; 0.05 |]
                                let x = x.``to`` dtype
                                let original = toRows (r.Model.TimeDerivative(x, false))
                                Expect.equal
                                    (toRows (loaded.TimeDerivative(x, false)))
                                    original
                                    (sprintf "%s: the same field to the bit (%A)" key dtype)
                                Expect.equal
                                    (toRows (copy.TimeDerivative(x, false)))
                                    original
                                    (sprintf "%s: the float64 copy's too (%A)" key dtype)
                    finally
                        if Directory.Exists dir then
                            Directory.Delete(dir, true)
                } ]

          testList
              "bad settings"
              [ let data = SpringRecipe(Trajectories = 4, Points = 10, NoiseStd = 0.0).Generate()
                let fails name (settings: SampledSettings) (hamiltonian: Func<Tensor, Tensor> | null) (expected: string) =
                    test (sprintf "%s: one-line ArgumentException before any work" name) {
                        let message = argumentError (fun () -> SampledFit.Fit(data, settings, 0, hamiltonian) |> ignore)
                        Expect.stringContains message expected "names the problem"
                        Expect.isFalse (message.Contains '\n') (sprintf "one line: %s" message)
                    }
                let trueH = Func<Tensor, Tensor>(fun x -> x.square().sum(1L))
                fails "zero width" (SampledSettings(Width = 0)) null "width must be in 1..4096, got 0"
                fails "too wide" (SampledSettings(Width = 5000)) null "width must be in 1..4096, got 5000"
                fails
                    "width choice above the width"
                    (SampledSettings(Width = 100, WidthChoices = [| 200 |]))
                    null
                    "width choices must be in 1..100"
                fails
                    "comparison width above the width"
                    (SampledSettings(Width = 100, ComparisonWidth = 200))
                    null
                    "the comparison width must be in 1..100 (the width), got 200"
                fails "negative ridge" (SampledSettings(Ridges = [| 1e-6; -1.0 |])) null "ridge λ must be positive and finite, got -1"
                fails "NaN ridge" (SampledSettings(Ridges = [| nan |])) null "ridge λ must be positive and finite, got NaN"
                fails "no ridges" (SampledSettings(Ridges = [||])) null "ridges must list at least one λ"
                fails
                    "validation share too large"
                    (SampledSettings(ValidationFraction = 0.7))
                    null
                    "validation fraction must be in [0, 0.5], got 0.7"
                fails
                    "nothing held out, several candidates"
                    (SampledSettings(ValidationFraction = 0.0))
                    null
                    "a validation fraction of 0 leaves nothing to choose"
                fails
                    "nothing held out for auto"
                    (SampledSettings(ValidationFraction = 0.0, WidthChoices = [||], Ridges = [| 1e-8 |]))
                    null
                    "sampler Auto"
                fails "a trained model kind" (SampledSettings(Kind = ModelKind.Hnn)) null "a sampled fit makes sampled models"
                fails "relu" (SampledSettings(Activation = Nonlinearity.Relu)) null "tanh or sigmoid), got relu"
                fails "zero ELM scale" (SampledSettings(ElmScale = 0.0)) null "the ELM scale must be positive and finite, got 0"
                fails "tiny state cap" (SampledSettings(MaxStates = 1)) null "max states must be at least 2, got 1"
                fails
                    "SWIM without the true H"
                    (SampledSettings(Sampler = LayerSampler.Swim))
                    null
                    "the swim sampler draws pairs by the true H"
                fails "a true H for ELM" (SampledSettings()) trueH "a true H is used only by the swim sampler"
                fails
                    "SWIM for the dissipative model"
                    (SampledSettings(Kind = ModelKind.SampledDissipativeHnn, Sampler = LayerSampler.Swim))
                    trueH
                    "for a sampled dissipative HNN use a-swim"

                test "non-finite data: one-line ArgumentException naming the dataset" {
                    let x = Array.copy data.TrainX.Values
                    x[3] <- nan
                    let bad = Dataset("broken", StateMatrix(x, data.TrainX.Rows, 2), data.TrainDx, data.TestX, data.TestDx)
                    let message = argumentError (fun () -> SampledFit.Fit(bad, SampledSettings(), 0) |> ignore)
                    Expect.stringContains message "dataset 'broken': training states and derivatives must be finite" "names the dataset"
                }

                test "an odd state dimension for a canonical sampled HNN is refused" {
                    let odd =
                        Dataset(
                            "odd",
                            StateMatrix(Array.init 30 float, 10, 3),
                            StateMatrix(Array.init 30 float, 10, 3),
                            StateMatrix(Array.init 3 float, 1, 3),
                            StateMatrix(Array.init 3 float, 1, 3)
                        )
                    let message = argumentError (fun () -> SampledFit.Fit(odd, SampledSettings(), 0) |> ignore)
                    Expect.stringContains message "even state dimension" "names the problem"
                } ]

          test "with the true H, SWIM fits the quadratic H's field too" {
              let s =
                  let rng = Random 7
                  let a = Array2D.init 4 4 (fun _ _ -> rng.NextDouble() * 2.0 - 1.0)
                  Array2D.init 4 4 (fun i j -> Seq.sum (seq { for k in 0..3 -> a[k, i] * a[k, j] }) + (if i = j then 1.0 else 0.0))
              let sTensor = torch.tensor (s)
              let trueH = Func<Tensor, Tensor>(fun x -> (x.matmul (sTensor) * x).sum(1L).mul(torch.tensor 0.5))
              let r = SampledFit.Fit(quadratic.Value, SampledSettings(Width = 200, Sampler = LayerSampler.Swim), 0, trueH)
              use _ = r.Model
              Expect.isLessThan (relativeFieldMse r.Model quadratic.Value.TestX quadratic.Value.TestDx) 1e-2 (string r.Report)
          } ]
