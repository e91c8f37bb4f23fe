/// The physics laws of Hnn.Physics, checked with FsCheck (100 states per law, the replay seed in every failure
/// message): the true systems obey them, the symplectic integrators are symplectic and reversible, RK4 is not
/// symplectic, a fresh HNN conserves its own H and is divergence-free while a baseline is not, and a deliberately
/// broken integrator is caught — the suite shows each check can fail.
module Hnn.Tests.PhysicsLawTests

open System.IO
open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn
open Hnn.Integrators
open Hnn.Models
open Hnn.Models.PortHamiltonian
open Hnn.Physics
open Hnn.Systems
open Hnn.Training

let private spring = MassSpring() :> IHamiltonianSystem
let private pendulum = Pendulum.Ideal :> IHamiltonianSystem
let private twoBody = NBody.TwoBody :> IHamiltonianSystem

/// The paper's spring starts, |x| in [0.2, 1].
let private springStates = Domain.shell 2 0.2 1.0

/// The paper's pendulum starts, |x| in [1.3, 2.3] (up to rotations over the top).
let private pendulumStates = Domain.shell 2 1.3 2.3

let private systems = [ spring, springStates; pendulum, pendulumStates; twoBody, Domain.twoBody ]

let private symplecticMethods: IFixedStepMethod list = [ Leapfrog.Tableau; Yoshida4.Tableau; ImplicitMidpoint.Default ]

/// RK4 with b = (1/6, 2/3, 0, 1/6): rows of A still sum to c and Σb = 1, so the tableau's own consistency checks
/// pass, but Σᵢⱼ bᵢ aᵢⱼ cⱼ = 1/12 ≠ 1/6 breaks a third-order condition: it is order 2 while claiming 4.
let private brokenRk4 =
    ButcherTableau(
        "RK4 with a wrong weight",
        4,
        [| [||]; [| 0.5 |]; [| 0.0; 0.5 |]; [| 0.0; 0.0; 1.0 |] |],
        [| 1.0 / 6.0; 2.0 / 3.0; 0.0; 1.0 / 6.0 |],
        [| 0.0; 0.5; 0.5; 1.0 |]
    )

/// 100 cases, the standard tolerances, h = 0.1 (integrators), T = 1.
let private settings = { Settings.defaults with Cases = 100; Step = 0.1; Replay = Some fixedSeed }

/// Learned fields: a shorter horizon keeps the 100 float64 rollouts of a 200-wide network cheap.
let private modelSettings = { settings with Step = 0.05; Horizon = 0.5 }

let private freshModel kind seed = DynamicsModel.Create(ModelSettings(kind, 2), seed)

/// A fresh port-Hamiltonian network on (q, p) with its damping factor L set to `damping` (R = L², a 1×1 matrix).
let private portHnn (damping: float) seed =
    let m = DynamicsModel.Create(ModelSettings(ModelKind.PortHnn, 2), seed) :?> PortHamiltonianNet
    use _ = TorchSharp.torch.no_grad ()
    for struct (name, p) in m.named_parameters () do
        if name = "damping" then
            p.zero_ () |> ignore
            if damping <> 0.0 then
                use value = TorchSharp.torch.tensor ([| damping |], dtype = p.dtype)
                p.copy_ (value.reshape (p.shape)) |> ignore
    m :> DynamicsModel

let private checkOne (s: Settings) subject law = Check.lawsWith s subject [ law ] |> List.exactlyOne

/// The law holds on at least 100 generated states; the message is the report (with the replay seed).
let private holds s subject law =
    let r = checkOne s subject law
    Expect.isTrue (Report.passed r) (Report.format r)
    Expect.isGreaterThanOrEqual r.Cases 100 "at least 100 cases"
    Expect.isLessThanOrEqual r.Measured r.Tolerance "the worst case is within its tolerance"

/// The check catches a subject that breaks the law: it fails, at a shrunk state inside the domain, with the
/// measured value above its tolerance.
let private isCaught s subject (domain: Domain) law =
    let r = checkOne s subject law
    Expect.isTrue (Report.failed r) (sprintf "expected the check to fail, got: %s" (Report.format r))
    let x = Expect.wantSome r.Counterexample "a failure carries its counterexample"
    Expect.isTrue (domain.Contains x) (sprintf "the counterexample %A lies in %s" x domain.Name)
    Expect.isGreaterThan r.Measured r.Tolerance "measured above the tolerance at the counterexample"
    r

let energyConservation =
    testList
        "energy conservation"
        [ for system, domain in systems ->
              test (sprintf "the true flow of %s conserves its H to the reference solver's bound" system.Name) {
                  holds settings (Subject.trueSystem domain system) Laws.energyConservation
              }
          yield
              test "a fresh HNN's flow conserves its own learned H to RK4's bound C·(1 + ΩT)·(Ωh)⁴ + k·ε" {
                  holds
                      modelSettings
                      (Subject.model springStates (Some spring) "fresh HNN" (freshModel ModelKind.Hnn 1))
                      Laws.energyConservation
              }
          yield
              test "a port-Hamiltonian network with R = 0 conserves its own learned H to RK4's bound (H = learned H (port-Hamiltonian))" {
                  let r =
                      checkOne
                          modelSettings
                          (Subject.model springStates (Some spring) "port-Hamiltonian, R = 0" (portHnn 0.0 1))
                          Laws.energyConservation
                  Expect.isTrue (Report.passed r) (Report.format r)
                  Expect.stringContains
                      r.Quantity
                      "H = learned H (port-Hamiltonian)"
                      "the energy law measures the network's own H, not the spring's"
              }
          yield
              test "a port-Hamiltonian network with R = 1 loses its own H along its flow: the energy law fails (dH/dt = −R(∂H/∂p)²)" {
                  let r =
                      isCaught
                          modelSettings
                          (Subject.model springStates (Some spring) "port-Hamiltonian, R = 1" (portHnn 1.0 1))
                          springStates
                          Laws.energyConservation
                  Expect.stringContains r.Quantity "H = learned H (port-Hamiltonian)" "its own H"
              }
          yield
              test "a fresh baseline's flow does not conserve the spring's H (the check can fail)" {
                  isCaught
                      modelSettings
                      (Subject.model springStates (Some spring) "fresh baseline" (freshModel ModelKind.Baseline 1))
                      springStates
                      Laws.energyConservation
                  |> ignore
              }
          for m in symplecticMethods ->
              test (sprintf "%s keeps the pendulum's energy error bounded by C·(Ωh)ᵖ over 10⁴ steps" m.Name) {
                  holds settings (Subject.integrator pendulumStates pendulum m) Laws.boundedEnergyError
              }
          yield
              test "RK4's energy error on the pendulum is not bounded over 10⁴ steps at h = 0.1: it drifts" {
                  isCaught settings (Subject.integrator pendulumStates pendulum Rk4.Tableau) pendulumStates Laws.boundedEnergyError
                  |> ignore
              }
          yield
              test "RK4 conserves the spring's energy over the horizon to its order-4 bound" {
                  holds
                      { settings with Step = 0.01; Horizon = 2.0 }
                      (Subject.integrator springStates spring Rk4.Tableau)
                      Laws.energyConservation
              }
          yield
              test "a broken RK4 tableau (order 2 claiming 4) breaks the order-4 energy bound and the bounded energy error" {
                  let subject = Subject.integrator springStates spring brokenRk4
                  isCaught { settings with Step = 0.01; Horizon = 2.0 } subject springStates Laws.energyConservation |> ignore
                  isCaught settings subject springStates Laws.boundedEnergyError |> ignore
              } ]

let timeReversibility =
    testList
        "time reversibility"
        [ for system, domain in systems ->
              test (sprintf "the flow of %s returns to its start when the momenta are flipped and it runs again" system.Name) {
                  holds settings (Subject.trueSystem domain system) Laws.timeReversibility
              }
          for m in symplecticMethods ->
              test (sprintf "%s is time-reversible on the pendulum to round-off" m.Name) {
                  Expect.isTrue (Bounds.isSymmetric m) "a symmetric method"
                  holds settings (Subject.integrator pendulumStates pendulum m) Laws.timeReversibility
              }
          yield test "RK4 is not a symmetric method" { Expect.isFalse (Bounds.isSymmetric Rk4.Tableau) "explicit Runge–Kutta" } ]

let symplecticity =
    testList
        "symplecticity"
        [ for system, domain in systems ->
              test (sprintf "the flow map of %s satisfies JᵀΩJ = Ω" system.Name) {
                  holds settings (Subject.trueSystem domain system) Laws.symplecticity
              }
          for m in symplecticMethods ->
              test (sprintf "%s's one-step map on the pendulum satisfies JᵀΩJ = Ω" m.Name) {
                  holds settings (Subject.integrator pendulumStates pendulum m) Laws.symplecticity
              }
          yield
              test "RK4's one-step map does not satisfy JᵀΩJ = Ω (spring, h = 0.2)" {
                  isCaught { settings with Step = 0.2 } (Subject.integrator springStates spring Rk4.Tableau) springStates Laws.symplecticity
                  |> ignore
              }
          yield
              test "a fresh HNN's implicit-midpoint map satisfies JᵀΩJ = Ω, J by autograd" {
                  holds modelSettings (Subject.model springStates None "fresh HNN" (freshModel ModelKind.Hnn 2)) Laws.symplecticity
              }
          yield
              test "a fresh baseline's implicit-midpoint map does not satisfy JᵀΩJ = Ω" {
                  isCaught
                      modelSettings
                      (Subject.model springStates None "fresh baseline" (freshModel ModelKind.Baseline 2))
                      springStates
                      Laws.symplecticity
                  |> ignore
              } ]

let liouville =
    testList
        "Liouville"
        [ for system, domain in systems ->
              test (sprintf "the field of %s is divergence-free" system.Name) {
                  holds settings (Subject.trueSystem domain system) Laws.liouville
              }
          for m in symplecticMethods ->
              test (sprintf "%s's one-step map preserves phase-space volume (det J = 1)" m.Name) {
                  holds settings (Subject.integrator pendulumStates pendulum m) Laws.liouville
              }
          yield
              test "a fresh HNN's field is divergence-free (autograd, 4-d box)" {
                  let box = Domain.box (Array.create 4 -2.0) (Array.create 4 2.0)
                  holds
                      modelSettings
                      (Subject.model box None "fresh HNN" (DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 4), 3)))
                      Laws.liouville
              }
          yield
              test "a fresh baseline's field has divergence: Liouville fails" {
                  isCaught
                      modelSettings
                      (Subject.model springStates None "fresh baseline" (freshModel ModelKind.Baseline 3))
                      springStates
                      Laws.liouville
                  |> ignore
              } ]

let convergenceOrder =
    testList
        "convergence order"
        [ for m in [ Rk4.Tableau :> IFixedStepMethod; Leapfrog.Tableau; Yoshida4.Tableau; ImplicitMidpoint.Default ] ->
              test (sprintf "%s converges at its declared order %d from every pendulum start (log–log slope)" m.Name m.Order) {
                  holds { settings with Step = 0.025 } (Subject.integrator pendulumStates pendulum m) Laws.convergenceOrder
              }
          yield
              test "a broken RK4 tableau that claims order 4 is caught converging at order 2" {
                  let r =
                      isCaught
                          { settings with Step = 0.05 }
                          (Subject.integrator springStates spring brokenRk4)
                          springStates
                          Laws.convergenceOrder
                  Expect.floatClose { absolute = 0.3; relative = 0.0 } r.Measured 2.0 "|fitted − declared| = |2 − 4|"
              } ]


let reports =
    testList
        "reports"
        [ yield
              test "a failure is replayed by its seed: the same first counterexample, shrunk to the same state" {
                  let subject = Subject.integrator springStates spring brokenRk4
                  let first = isCaught settings subject springStates Laws.liouville
                  let again = checkOne { settings with Replay = Some first.Seed } subject Laws.liouville
                  Expect.equal again.Original first.Original "same first failing state"
                  Expect.equal again.Counterexample first.Counterexample "same shrunk state"
                  Expect.stringContains (Report.format first) (sprintf "%dUL" (fst first.Seed)) "the report prints the seed"
              }
          yield
              test "a law that does not apply says why instead of passing" {
                  let r =
                      checkOne
                          modelSettings
                          (Subject.model springStates None "baseline" (freshModel ModelKind.Baseline 4))
                          Laws.energyConservation
                  match r.Outcome with
                  | NotApplicable reason -> Expect.stringContains reason "no Hamiltonian" "names the reason"
                  | other -> failtestf "expected not applicable, got %A" other
              }
          yield
              test
                  "ModelFiles.checkAll checks a saved HNN and baseline on their task's domain; Report.table lists law, HNN, baseline, threshold" {
                  let dir = temporaryFolder "physics"
                  let save kind =
                      let path = Path.Combine(dir, sprintf "spring-%s.json" (Tasks.modelKey kind))
                      ModelFile.Save(freshModel kind 5, "spring", TrainSettings(), path) |> ignore
                      path
                  let columns = ModelFiles.checkAll [ save ModelKind.Hnn; save ModelKind.Baseline ] [ "liouville"; "symplecticity" ]
                  Expect.equal (List.map fst columns) [ "HNN"; "Baseline" ] "columns labelled by model kind"
                  let hnn, baseline = snd columns[0], snd columns[1]
                  Expect.isTrue (List.forall Report.passed hnn) (hnn |> List.map Report.format |> String.concat "\n")
                  Expect.isTrue (List.forall Report.failed baseline) "a fresh baseline fails both"
                  Expect.equal
                      (ModelFiles.check (Path.Combine(dir, "spring-hnn.json")) [ "liouville" ] |> List.map _.Law)
                      [ "Liouville" ]
                      "one file, one law"
                  let lines = (Report.table columns).Split '\n'
                  Expect.equal lines.Length 3 "header and one row per law"
                  for word in [ "law"; "HNN"; "Baseline"; "threshold" ] do
                      Expect.stringContains lines[0] word "header"
                  Expect.stringContains lines[1] "Liouville" "first law"
                  Expect.stringContains lines[1] "pass" "the HNN passes"
                  Expect.stringContains lines[1] "FAIL" "the baseline fails"
                  Directory.Delete(dir, true)
              }
          yield
              test "an unknown law key is refused, naming the known ones" {
                  let e = Expect.throwsC (fun () -> ModelFiles.check "missing.json" [ "entropy" ] |> ignore) id
                  Expect.stringContains e.Message "entropy" "names the key"
                  Expect.stringContains e.Message "liouville" "lists the known keys"
              } ]

let domains =
    testList
        "domains"
        [ for domain in [ springStates; pendulumStates; Domain.twoBody; Domain.box [| -1.0; 0.0 |] [| 1.0; 2.0 |] ] do
              yield
                  testPropertyWithConfig physicsConfig (sprintf "every state drawn from %s lies in it" domain.Name)
                  <| Prop.forAll (Arb.fromGen domain.Gen) (fun x -> domain.Contains x && x.Length = domain.Dimension)
              yield
                  testPropertyWithConfig physicsConfig (sprintf "shrinking a state of %s stays in it and makes it simpler" domain.Name)
                  <| Prop.forAll (Arb.fromGen domain.Gen) (fun x ->
                      Domain.shrink domain x |> Seq.forall (fun c -> domain.Contains c && Domain.decimals c <= Domain.decimals x && c <> x)) ]

[<Tests>]
let tests = testList "laws" [ energyConservation; timeReversibility; symplecticity; liouville; convergenceOrder; reports; domains ]
