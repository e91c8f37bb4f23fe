/// The physics laws on the model families that are not a canonical vector field: a Lagrangian network, judged
/// through the system's Legendre map Φ(q, p) = (q, ∂H/∂p) in the task's canonical coordinates with its own energy
/// E_L, and the SympNets, judged as the one-step maps they are. Every draw is seeded.
module Hnn.Tests.PhysicsFamilyTests

open System
open System.IO
open Expecto
open FsCheck
open FsCheck.FSharp
open MathNet.Numerics.LinearAlgebra
open Hnn
open Hnn.Integrators
open Hnn.Models
open Hnn.Physics
open Hnn.Systems
open Hnn.Tensors
open Hnn.Training
open TorchSharp
type private Tensor = torch.Tensor

let private pendulum = Pendulum.Ideal :> IHamiltonianSystem
let private doublePendulum = DoublePendulum.Unit :> IHamiltonianSystem

/// The paper's pendulum starts, |x| in [1.3, 2.3].
let private pendulumStates = Domain.shell 2 1.3 2.3

/// The double-pendulum task's starts.
let private doublePendulumStates = Domain.box [| -1.5; -1.5; -1.0; -1.0 |] [| 1.5; 1.5; 1.0; 1.0 |]

/// 100 cases, h = 0.05, T = 0.5, standard tolerances, the suite's seed.
let private settings = { Settings.defaults with Step = 0.05; Horizon = 0.5; Replay = Some fixedSeed }

/// Fewer states for the slower float64 Lagrangian checks (each state: autograd Hessians of L per field evaluation).
let private lagrangianConfig = { physicsConfig with maxTest = 20 }

/// The pendulum's true L = q̇²/4 − 3(1 − cos q) (H = 3(1 − cos q) + p², so q̇ = 2p) on states (q, q̇) [N, 2].
let private pendulumL (x: Tensor) =
    use q = x.select (1, 0L)
    use v = x.select (1, 1L)
    use kinetic = v.Squared().Times 0.25
    use cosine = q.cos ()
    use potential = cosine.Subtracted(1.0).Times 3.0
    kinetic - potential

/// The double pendulum's true L (unit masses and lengths, g = 9.81):
/// q̇₁² + ½q̇₂² + cos(q₁ − q₂) q̇₁q̇₂ + 2g cos q₁ + g cos q₂ on states (q₁, q₂, q̇₁, q̇₂).
let private doublePendulumL (x: Tensor) =
    use q1 = x.select (1, 0L)
    use q2 = x.select (1, 1L)
    use v1 = x.select (1, 2L)
    use v2 = x.select (1, 3L)
    use c = (q1 - q2).cos()
    use kinetic = v1.Squared().Plus(v2.Squared().Times 0.5).Plus(c * v1 * v2)
    use potential = q1.cos().Times(2.0 * 9.81).Plus(q2.cos().Times 9.81)
    kinetic.Plus potential

let private systemField (system: IHamiltonianSystem) (x: float[]) =
    let d = Array.zeroCreate x.Length
    system.TimeDerivative(ReadOnlySpan x, Span d)
    d

let private checkOne s subject law = Check.lawsWith s subject [ law ] |> List.exactlyOne

let private passes s subject law =
    let r = checkOne s subject law
    Expect.isTrue (Report.passed r) (Report.format r)
    r

let private fails s subject law =
    let r = checkOne s subject law
    Expect.isTrue (Report.failed r) (sprintf "expected the check to fail, got: %s" (Report.format r))
    Expect.isGreaterThan r.Measured r.Tolerance "measured above the tolerance at the counterexample"
    r

/// The laws' own measures on prepared dynamics (as `Laws` computes them), for dynamics built from a closed form.
let private energyChange (s: Settings) (d: Dynamics.Dynamics) (x: float[]) =
    let _, energy, gradient = d.Energy.Value
    let rate = d.Jacobian(x).InfinityNorm()
    let y = d.Flow s.Step s.Horizon x
    let scale = sqrt (Array.sumBy (fun v -> v * v) x) * sqrt (Array.sumBy (fun v -> v * v) (gradient x))
    abs (energy y - energy x) / scale, d.FlowBound rate s.Horizon s.Step

let private symplecticDefect (j: Matrix<float>) = Jacobians.symplecticDefect j

/// A fresh pendulum LNN with softplus layers and non-negative weights after the first: L is convex in q̇, so ∂²L/∂q̇² > 0
/// and the Euler–Lagrange flow exists everywhere (a fully random L's velocity Hessian changes sign, and q̈ blows up there).
let private convexLnn (seed: int) =
    let net = DynamicsModel.Create(ModelSettings.Default(ModelKind.Lnn, 2), seed)
    use _ = torch.no_grad ()
    for struct (name, p) in net.named_parameters () do
        if name.EndsWith "linear2.weight" || name.EndsWith "linear3.weight" then
            use a = p.abs ()
            p.copy_ a |> ignore
    net

let lagrangian =
    testList
        "Lagrangian network"
        [ for name, system, states, l in
              [ "pendulum", pendulum, pendulumStates, pendulumL
                "double pendulum", doublePendulum, doublePendulumStates, doublePendulumL ] do
              testPropertyWithConfig
                  lagrangianConfig
                  (sprintf "%s: the true L's Euler–Lagrange field mapped by DΦ⁻¹ is the system's canonical field (to 1e-9)" name)
              <| Prop.forAll (Arb.fromGen states.Gen) (fun x ->
                  let mapped = Dynamics.canonicalField system (Dynamics.eulerLagrangeField l) x
                  let exact = systemField system x
                  Expect.all (Array.zip mapped exact) (fun (a, b) -> abs (a - b) <= 1e-9 * (1.0 + abs b)) (sprintf "%A vs %A" mapped exact))

              testPropertyWithConfig
                  lagrangianConfig
                  (sprintf
                      "%s: the true L conserves its E_L along RK4 of the mapped field; the field is symplectic and divergence-free within its bounds"
                      name)
              <| Prop.forAll (Arb.fromGen states.Gen) (fun x ->
                  let d = Dynamics.lagrangianDynamics settings system l ignore
                  let change, bound = energyChange settings d x
                  Expect.isLessThanOrEqual change bound "energy conservation (E_L)"
                  let j, defectBound = d.StepJacobian settings.Step x
                  Expect.isLessThanOrEqual (symplecticDefect j) defectBound "symplecticity of the implicit-midpoint step"
                  let a = d.Jacobian x
                  Expect.isLessThanOrEqual (abs (a.Trace())) (d.DivergenceBound x a) "Liouville"
                  // E_L of the true L is the system's H, up to the constant of the potential.
                  let name, energy, _ = d.Energy.Value
                  Expect.equal name "learned energy (Lagrangian)" "its own energy"
                  Expect.isTrue
                      (abs (
                          energy x - energy (Array.zeroCreate x.Length) - system.Energy(ReadOnlySpan x)
                          + system.Energy(ReadOnlySpan(Array.zeroCreate x.Length))
                      )
                          <
                          1e-10)
                      "E_L = H + const")

          test "a random-weights LNN convex in q̇ conserves its own E_L (labelled \"learned energy (Lagrangian)\"), not the pendulum's H" {
              use net = convexLnn 1
              let subject = Subject.model pendulumStates (Some pendulum) "fresh convex LNN" net
              let r = passes { settings with Cases = 30 } subject Laws.energyConservation
              Expect.stringContains r.Quantity "H = learned energy (Lagrangian)" "its own energy"
              Expect.isGreaterThan r.Measured 0.0 "a measured change"
          }

          test "a random-weights DeLaN conserves its own E_L (its M is positive definite by construction, no convexity to impose)" {
              use net = DynamicsModel.Create(ModelSettings(ModelKind.Delan, 2, HiddenDim = 32), 1)
              let subject = Subject.model pendulumStates (Some pendulum) "fresh DeLaN" net
              let r = passes { settings with Cases = 30 } subject Laws.energyConservation
              Expect.stringContains r.Quantity "H = learned energy (Lagrangian)" "its own energy"
              Expect.isGreaterThan r.Measured 0.0 "a measured change"
          }

          test "a random-weights LNN's flow is not symplectic in the pendulum's (q, p): its momenta ∂L/∂q̇ are not the system's" {
              use net = convexLnn 2
              let r = fails { settings with Cases = 30 } (Subject.model pendulumStates (Some pendulum) "fresh LNN" net) Laws.symplecticity
              Expect.stringContains r.Quantity "Legendre map" "says the field is mapped"
          }

          test "an LNN without a known system: every law says why instead of crashing" {
              use net = DynamicsModel.Create(ModelSettings(ModelKind.Lnn, 2), 3)
              for r in Check.lawsWith settings (Subject.model pendulumStates None "LNN" net) Laws.forModels do
                  match r.Outcome with
                  | NotApplicable reason -> Expect.stringContains reason "kinetic energy to map (q, p) to (q, q̇)" r.Law
                  | other -> failtestf "%s: expected not applicable, got %A" r.Law other
          } ]

/// A fresh step map of 1 degree of freedom with step h = 0.1 and weights redrawn from N(0, 1), float32 as trained.
let private stepMap kind (seed: int) =
    let m = DynamicsModel.Create(ModelSettings(kind, 2, HiddenDim = 8, Nonlinearity = Nonlinearity.Sigmoid, StepSize = Nullable 0.1), seed)
    torch.random.manual_seed (int64 seed) |> ignore
    use _ = torch.no_grad ()
    for p in m.parameters () do
        use r = torch.randn_like p
        p.copy_ r |> ignore
    m

/// One RK4 step of the pendulum's field at h = 0.5 on rows [N, 2]: not symplectic, not volume-preserving.
let private rk4Step (x: Tensor) =
    let f (y: Tensor) =
        use q = y.select (1, 0L)
        use p = y.select (1, 1L)
        torch.stack ([| p.Times 2.0; q.sin().Times -3.0 |], 1L)
    use h = torch.full (1L, 1L, 0.5, dtype = torch.ScalarType.Float64)
    SupervisedStep.Advance(Rk4.Tableau, Func<_, _> f, x, h, 1)

let stepMaps =
    testList
        "step maps"
        [ for kind in [ ModelKind.LaSympNet; ModelKind.GSympNet ] do
              test (sprintf "a random-weights %A's own one-step map passes symplecticity and Liouville (det J = 1), J by autograd" kind) {
                  use net = stepMap kind 7
                  let subject = Subject.model pendulumStates (Some pendulum) (string kind) net
                  let r = passes settings subject Laws.symplecticity
                  Expect.stringContains r.Quantity "one step of the map, its own h = 0.1" "the map's step, not the settings'"
                  Expect.isGreaterThan r.Measured 0.0 "a measured defect"
                  passes settings subject Laws.liouville |> ignore
              }
          test "the check can fail: an RK4 step of the pendulum as a step map breaks JᵀΩJ = Ω and det J = 1" {
              let d = Dynamics.mapDynamics settings rk4Step 0.5 (Some pendulum) 2 ignore
              let x = [| 1.5; -0.8 |]
              let j, bound = d.StepJacobian settings.Step x
              Expect.isGreaterThan (symplecticDefect j) (1e3 * bound) "a visible symplectic defect"
              Expect.isGreaterThan (abs (j.Determinant() - 1.0)) (1e3 * bound) "a visible volume change"
          }
          test "a step map's flow iterates the map over the nearest multiple of its step, and the report says so" {
              use net = stepMap ModelKind.GSympNet 8
              let subject = Subject.model pendulumStates (Some pendulum) "G-SympNet" net
              let onGrid = checkOne { settings with Horizon = 0.5; Cases = 5 } subject Laws.timeReversibility
              Expect.stringContains onGrid.Quantity "the map iterated 5 times, h = 0.1" "T = 0.5 is 5 steps"
              let offGrid = checkOne { settings with Horizon = 0.53; Cases = 5 } subject Laws.energyConservation
              Expect.stringContains offGrid.Quantity "H = true H of pendulum" "no own H: the system's"
              Expect.stringContains offGrid.Quantity "T = 0.5 for the asked 0.53" "the nearest multiple, said"
              use _ = torch.NewDisposeScope()
              use m64 = Evaluation.ModelField.ToFloat64 net :?> Models.SympNets.StepMap
              let d64 = Dynamics.mapDynamics settings m64.Step m64.StepSize None 2 ignore
              let x = [| 0.3; -0.7 |]
              let twice = m64.Step(m64.Step(tensor2d 1 2 x))
              Expect.sequenceEqual (d64.Flow settings.Step 0.2 x) (twice.data<float>().ToArray()) "two applications of the map"
          } ]

let modelFiles =
    testList
        "model files"
        [ test "saved pendulum LNN and LA-SympNet files are checked by every model law, in (q, p) with the right H, without a crash" {
              let dir = temporaryFolder "physics-families"
              try
                  let save (net: DynamicsModel) name =
                      let path = Path.Combine(dir, name)
                      ModelFile.Save(net, "pendulum", TrainSettings(), path) |> ignore
                      net.Dispose()
                      path
                  let lnn = save (DynamicsModel.Create(ModelSettings.Default(ModelKind.Lnn, 2), 4)) "pendulum-lnn.json"
                  let map = save (stepMap ModelKind.LaSympNet 5) "pendulum-la-sympnet.json"
                  // `hnn check --model A --model B` with 5 states per law (the CLI runs 100).
                  let columns = ModelFiles.checkAllWith { Settings.defaults with Cases = 5; Replay = Some fixedSeed } [ lnn; map ] []
                  Expect.equal (List.map fst columns) [ "LNN"; "LA-SympNet" ] "columns by kind"
                  for _, reports in columns do
                      Expect.equal (reports |> List.map _.Law) (Laws.forModels |> List.map _.Name) "every model law"
                      for r in reports do
                          // A fresh L's velocity Hessian changes sign somewhere: a law may fail there, and says why.
                          Expect.isTrue
                              (not (Double.IsNaN r.Measured) || r.Message.Contains "velocity Hessian ∂²L/∂q̇² is singular")
                              (Report.format r)
                  let lnnReports, mapReports = snd columns[0], snd columns[1]
                  Expect.stringContains lnnReports[0].Quantity "H = learned energy (Lagrangian)" "the LNN's own energy"
                  Expect.stringContains mapReports[0].Quantity "H = true H of pendulum" "a map has no H of its own"
                  for r in mapReports[3..] do
                      Expect.isTrue (Report.passed r) (Report.format r)
                  Expect.equal ((Report.table columns).Split '\n').Length 6 "header and a row per law"
              finally
                  Directory.Delete(dir, true)
          } ]

[<Tests>]
let tests = testList "laws on the model families" [ lagrangian; stepMaps; modelFiles ]
