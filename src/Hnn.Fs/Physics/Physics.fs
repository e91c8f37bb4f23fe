/// Property-based physics checks. A law (energy conservation, time reversibility, symplecticity, Liouville,
/// convergence order, bounded energy error) is checked with FsCheck on phase-space states drawn from a domain,
/// for a learned model, a true system or an integrator, and returns a `Report`: passed or failed, the shrunk
/// counterexample, the measured quantity, its tolerance, and the seed that replays the run.
/// Tolerances are bounds that scale with the step: C·(1 + Ω·T)·(Ω·h)ᵖ + k·ε per step, with Ω the norm of the
/// field's Jacobian at the start state (its fastest rate), T the horizon, h the step and p the order.
/// Learned models are checked on a float64 copy, so round-off bounds are float64 ones.
module Hnn.Physics

open System
open FsCheck
open FsCheck.FSharp
open TorchSharp
open Hnn.Evaluation
open Hnn.Integrators
open Hnn.Models
open Hnn.Systems

type private Tensor = torch.Tensor

/// float64 machine epsilon, 2.2e-16.
let epsilon = Math.BitIncrement 1.0 - 1.0

// ---------------------------------------------------------------------------------------------------------
// Settings and tolerances.

/// Named constants of the bounds; presets `standard`, `strict`, `loose`.
type Tolerances =
    { /// C of the truncation bounds C·(1 + Ω·T)·(Ω·h)ᵖ.
      Truncation: float
      /// k of the round-off bounds k·ε per step (or per operation of a Jacobian).
      RoundOff: float
      /// rtol of the Dormand–Prince reference flow of true systems (atol = rtol·10⁻²).
      ReferenceRtol: float
      /// Relative step δ of central finite differences (δ·max(1, |xᵢ|) per coordinate).
      FiniteDifference: float
      /// Allowed |measured order − declared order|.
      OrderSlack: float
      /// Allowed relative drift of the true energy along a learned flow over the horizon (a bound, not a law).
      TrueEnergyDrift: float }

/// Tolerance presets.
module Tolerances =
    /// C = 1, k = 100, reference rtol 10⁻¹², δ = 10⁻⁵, order ± 0.3, true-energy drift 5 %.
    let standard =
        { Truncation = 1.0; RoundOff = 100.0; ReferenceRtol = 1e-12; FiniteDifference = 1e-5; OrderSlack = 0.3; TrueEnergyDrift = 5e-2 }

    /// C = 0.1, k = 10, order ± 0.2, true-energy drift 1 %.
    let strict = { standard with Truncation = 0.1; RoundOff = 10.0; OrderSlack = 0.2; TrueEnergyDrift = 1e-2 }

    /// C = 10, k = 1000, order ± 0.5, true-energy drift 20 %.
    let loose = { standard with Truncation = 10.0; RoundOff = 1000.0; OrderSlack = 0.5; TrueEnergyDrift = 0.2 }

/// How the checks run.
type Settings =
    { /// States drawn per law (FsCheck's MaxTest); at least 100 for a meaningful check.
      Cases: int
      /// Step size h of every integration (and of the one-step map).
      Step: float
      /// Horizon T of energy and reversibility checks (and of the convergence-order fit).
      Horizon: float
      /// Horizon of the true-energy drift of a learned flow (the paper's energy protocol runs to t = 20).
      DriftHorizon: float
      /// Steps of the bounded-energy-error check.
      LongRunSteps: int
      /// The named constants of the bounds.
      Tolerances: Tolerances
      /// FsCheck seed (seed, gamma) to replay a reported run; None draws a fresh one (and reports it).
      Replay: (uint64 * uint64) option }

/// 100 cases, h = 0.05, T = 1, drift horizon 20, 10⁴ long-run steps, standard tolerances, a fresh seed.
let defaults =
    { Cases = 100; Step = 0.05; Horizon = 1.0; DriftHorizon = 20.0; LongRunSteps = 10_000; Tolerances = Tolerances.standard; Replay = None }

// ---------------------------------------------------------------------------------------------------------
// Subjects and reports.

/// What the laws are checked on.
type Subject =
    /// A learned field (HNN or baseline), with the true system it models if known (its H serves a baseline).
    | Model of name: string * model: DynamicsModel * system: IHamiltonianSystem option * domain: Domain
    /// A true Hamiltonian system, its flow computed by Dormand–Prince at the reference tolerance.
    | TrueSystem of system: IHamiltonianSystem * domain: Domain
    /// A fixed-step method applied to a true system, at the settings' step.
    | Integrator of stepMethod: IFixedStepMethod * system: IHamiltonianSystem * domain: Domain

/// A learned model as a subject: `model domain (Some system) "HNN" net`.
let model (domain: Domain) (system: IHamiltonianSystem option) (name: string) (net: DynamicsModel) = Model(name, net, system, domain)

/// A true system as a subject.
let trueSystem (domain: Domain) (system: IHamiltonianSystem) = TrueSystem(system, domain)

/// A fixed-step method on a true system as a subject.
let integrator (domain: Domain) (system: IHamiltonianSystem) (stepMethod: IFixedStepMethod) = Integrator(stepMethod, system, domain)

/// The subject's name, e.g. "RK4 on spring".
let subjectName subject =
    match subject with
    | Model(name, _, _, _) -> name
    | TrueSystem(s, _) -> s.Name
    | Integrator(m, s, _) -> sprintf "%s on %s" m.Name s.Name

/// How a check ended.
type Outcome =
    /// Every case stayed within its tolerance.
    | Passed
    /// A case broke the law (or its measurement threw: see `Report.Message`).
    | Failed
    /// The law says nothing about this subject; the reason.
    | NotApplicable of reason: string

/// The result of checking one law on one subject.
type Report =
    { /// The law's name, e.g. "symplecticity".
      Law: string
      /// The subject's name, e.g. "hnn (spring)" or "RK4 on pendulum".
      Subject: string
      Outcome: Outcome
      /// What was measured, e.g. "|JᵀΩJ − Ω|max".
      Quantity: string
      /// Passed: the worst case (largest measured/tolerance); failed: the value at the shrunk counterexample.
      Measured: float
      /// The bound at that same state.
      Tolerance: float
      /// The shrunk failing state (inside the domain).
      Counterexample: float[] option
      /// The failing state as first drawn, before shrinking.
      Original: float[] option
      /// Cases run.
      Cases: int
      /// Shrinking steps taken.
      Shrinks: int
      /// FsCheck seed (seed, gamma): `{ settings with Replay = Some report.Seed }` replays the run.
      Seed: uint64 * uint64
      /// The exception of a measurement that threw, or "".
      Message: string }

/// True when the check passed.
let passed (report: Report) = report.Outcome = Passed

/// True when the check failed.
let failed (report: Report) = report.Outcome = Failed

// ---------------------------------------------------------------------------------------------------------
// Small dense linear algebra and numerics on float[] / float[,].

let private normInf (a: float[,]) =
    Seq.max (seq { for i in 0 .. Array2D.length1 a - 1 -> Seq.sum (seq { for j in 0 .. Array2D.length2 a - 1 -> abs a[i, j] }) })

let private vnorm (x: float[]) = sqrt (Array.sumBy (fun v -> v * v) x)
let private vmax (x: float[]) = Array.fold (fun m v -> max m (abs v)) 0.0 x

/// Ω = [[0, I], [−I, 0]] of dimension n.
let private omega n =
    let h = n / 2
    Array2D.init n n (fun i j -> if j = i + h then 1.0 elif i = j + h then -1.0 else 0.0)

let private matmul (a: float[,]) (b: float[,]) =
    Array2D.init (Array2D.length1 a) (Array2D.length2 b) (fun i j -> Seq.sum (seq { for k in 0 .. Array2D.length2 a - 1 -> a[i, k] * b[k, j] }))

let private transpose (a: float[,]) = Array2D.init (Array2D.length2 a) (Array2D.length1 a) (fun i j -> a[j, i])

/// max |JᵀΩJ − Ω|.
let symplecticDefect (j: float[,]) =
    let n = Array2D.length1 j
    let o = omega n
    let d = matmul (transpose j) (matmul o j)
    Seq.max (seq { for a in 0 .. n - 1 do for b in 0 .. n - 1 -> abs (d[a, b] - o[a, b]) })

/// LU with partial pivoting: solves A·X = B (B [n, m]); also returns det A.
let private luSolve (a: float[,]) (b: float[,]) =
    let n = Array2D.length1 a
    let a = Array2D.copy a
    let b = Array2D.copy b
    let m = Array2D.length2 b
    let mutable det = 1.0
    for k in 0 .. n - 1 do
        let p = seq { k .. n - 1 } |> Seq.maxBy (fun i -> abs a[i, k])
        if p <> k then
            det <- -det
            for j in 0 .. n - 1 do
                let t = a[k, j] in a[k, j] <- a[p, j]; a[p, j] <- t
            for j in 0 .. m - 1 do
                let t = b[k, j] in b[k, j] <- b[p, j]; b[p, j] <- t
        det <- det * a[k, k]
        for i in k + 1 .. n - 1 do
            let f = a[i, k] / a[k, k]
            for j in k .. n - 1 do a[i, j] <- a[i, j] - f * a[k, j]
            for j in 0 .. m - 1 do b[i, j] <- b[i, j] - f * b[k, j]
    for i in n - 1 .. -1 .. 0 do
        for j in 0 .. m - 1 do
            let mutable s = b[i, j]
            for k in i + 1 .. n - 1 do s <- s - a[i, k] * b[k, j]
            b[i, j] <- s / a[i, i]
    b, det

let private determinant (a: float[,]) = snd (luSolve a (Array2D.zeroCreate (Array2D.length1 a) 1))

let private fdStep (tol: Tolerances) (x: float[]) i = tol.FiniteDifference * max 1.0 (abs x[i])

/// Jacobian ∂f/∂x by central differences.
let private fdJacobian (tol: Tolerances) (f: float[] -> float[]) (x: float[]) =
    let n = x.Length
    let columns =
        Array.init n (fun j ->
            let d = fdStep tol x j
            let plus = Array.copy x
            let minus = Array.copy x
            plus[j] <- plus[j] + d
            minus[j] <- minus[j] - d
            Array.map2 (fun a b -> (a - b) / (2.0 * d)) (f plus) (f minus))
    Array2D.init (columns[0].Length) n (fun i j -> columns[j][i])

/// Gradient of a scalar by central differences.
let private fdGradient (tol: Tolerances) (h: float[] -> float) (x: float[]) =
    Array.init x.Length (fun j ->
        let d = fdStep tol x j
        let plus = Array.copy x
        let minus = Array.copy x
        plus[j] <- plus[j] + d
        minus[j] <- minus[j] - d
        (h plus - h minus) / (2.0 * d))

let private flipMomenta (x: float[]) = x |> Array.mapi (fun i v -> if i >= x.Length / 2 then -v else v)

/// The fewest equal steps no longer than h that cover [0, T], as the solvers cut an interval.
let private stepsFor (horizon: float) (h: float) = max 1 (int (ceil (horizon / h * (1.0 - 1e-12))))

/// C·(1 + Ω·T)·(Ω·h)ᵖ + k·ε·steps.
let private truncationBound (tol: Tolerances) (rate: float) (horizon: float) (h: float) (order: int) =
    tol.Truncation * (1.0 + rate * horizon) * (rate * h) ** float order + tol.RoundOff * epsilon * float (stepsFor horizon h + 1)

/// Error bound of the Dormand–Prince reference flow over T: 100·rtol·(1 + Ω·T) + round-off.
let private referenceBound (tol: Tolerances) (rate: float) (horizon: float) =
    100.0 * tol.ReferenceRtol * (1.0 + rate * horizon) + tol.RoundOff * epsilon

/// Whether a method is symmetric (Φ₋ₕ = Φₕ⁻¹), hence time-reversible for a reversible field: palindromic
/// drift–kick tables and implicit midpoint; explicit Runge–Kutta methods never are.
let isSymmetric (meth: IFixedStepMethod) =
    let palindrome (v: float list) = List.forall2 (fun a b -> abs (a - b) <= 1e-15) v (List.rev v)
    match meth with
    | :? DriftKickTableau as t -> palindrome (List.ofSeq t.Kick) && palindrome (List.ofSeq t.Drift)
    | :? ImplicitMidpoint -> true
    | _ -> false

/// The tolerance of a method's inner solve (implicit midpoint's fixed-point iteration), else 0.
let private solverTolerance (meth: IFixedStepMethod) =
    match meth with
    | :? ImplicitMidpoint as m -> m.Tolerance
    | _ -> 0.0

// ---------------------------------------------------------------------------------------------------------
// The dynamics of a subject: field, Jacobian, energy, flows, one-step map.

/// A subject made ready for measuring: float64 model copy, fields and flows.
type private Dynamics =
    { Dimension: int
      /// ∂f/∂x, and whether it is exact (autograd) rather than finite differences.
      Jacobian: float[] -> float[,]
      JacobianExact: bool
      /// The energy to conserve, its name and gradient; None when there is none.
      Energy: (string * (float[] -> float) * (float[] -> float[])) option
      /// The true system's energy (for the drift of a learned flow), with its gradient.
      TrueEnergy: ((float[] -> float) * (float[] -> float[])) option
      /// x(T) from x(0) with steps of size h.
      Flow: float -> float -> float[] -> float[]
      /// Error bound of Flow over T, relative: rate → T → h → bound.
      FlowBound: float -> float -> float -> float
      /// Jacobian of the one-step map of size h at x, and the error bound of its symplectic defect.
      StepJacobian: float -> float[] -> float[,] * float
      /// Whether Flow is a symmetric method (exactly reversible for a reversible field).
      Symmetric: bool
      /// The integrator checked, if the subject is one.
      Method: IFixedStepMethod option
      Dispose: unit -> unit }

let private row (x: float[]) =
    use flat = torch.tensor (x: float[])
    flat.reshape (1L, int64 x.Length)

let private systemField (system: IHamiltonianSystem) (x: float[]) =
    let d = Array.zeroCreate x.Length
    system.TimeDerivative(ReadOnlySpan x, Span d)
    d

let private systemEnergy (system: IHamiltonianSystem) (x: float[]) = system.Energy(ReadOnlySpan x)

let private referenceFlow (tol: Tolerances) (system: IHamiltonianSystem) (horizon: float) (x: float[]) =
    let settings = AdaptiveSettings(tol.ReferenceRtol, tol.ReferenceRtol * 1e-2, Parallel = false)
    Ode.Solve(TrajectoryEvaluation.BatchField system, x, 1, x.Length, 0.0, ReadOnlySpan [| horizon |], settings)

let private fixedFlow (meth: IFixedStepMethod) (system: IHamiltonianSystem) (h: float) (horizon: float) (x: float[]) =
    Ode.SolveFixed(meth, TrajectoryEvaluation.BatchField system, x, 1, x.Length, 0.0, ReadOnlySpan [| horizon |], h)

/// Jacobian of one step of a float64 method by central differences, with the bound on its symplectic defect:
/// (1 + ‖J‖)²·(k·ε/δ + 10·solver tolerance/δ + C·(Ω·δ)²).
let private fdStepJacobian (tol: Tolerances) (meth: IFixedStepMethod) (system: IHamiltonianSystem) (substeps: float -> float[] -> int) h x =
    let n = substeps h x
    let map (y: float[]) =
        let y = Array.copy y
        let stepper = meth.CreateStepper(TrajectoryEvaluation.BatchField system, 1, y.Length)
        for _ in 1..n do stepper.Step(0.0, Span y, h / float n)
        y
    let j = fdJacobian tol map x
    let rate = normInf (fdJacobian tol (systemField system) x)
    let delta = tol.FiniteDifference * max 1.0 (vmax x)
    let bound =
        (1.0 + normInf j) ** 2.0
        * (tol.RoundOff * epsilon / delta + 10.0 * solverTolerance meth / delta + tol.Truncation * (rate * delta) ** 2.0)
    j, bound

let private systemDynamics (settings: Settings) (system: IHamiltonianSystem) (meth: IFixedStepMethod option) =
    let tol = settings.Tolerances
    let field = systemField system
    let energy = systemEnergy system
    let gradient = fdGradient tol energy
    let flow, bound, symmetric, stepJacobian =
        match meth with
        | Some m ->
            (fun h t x -> fixedFlow m system h t x),
            (fun rate t h ->
                if isSymmetric m then tol.RoundOff * epsilon * float (stepsFor t h + 1) + 10.0 * solverTolerance m * float (stepsFor t h + 1)
                else truncationBound tol rate t h m.Order),
            isSymmetric m,
            fdStepJacobian tol m system (fun _ _ -> 1)
        | None ->
            // The exact flow over one step, by Dormand–Prince 5 at fixed substeps (a smooth map, so finite differences apply):
            // substeps of at most 0.01/Ω make its own symplectic defect negligible.
            let substeps h x = max 1 (int (ceil (h * normInf (fdJacobian tol field x) / 0.01)))
            (fun _ t x -> referenceFlow tol system t x),
            (fun rate t _ -> referenceBound tol rate t),
            false,
            fdStepJacobian tol DormandPrince45.Tableau system substeps
    { Dimension = system.Dimension
      Jacobian = fdJacobian tol field
      JacobianExact = false
      Energy = Some(sprintf "true H of %s" system.Name, energy, gradient)
      TrueEnergy = Some(energy, gradient)
      Flow = flow
      FlowBound = bound
      Symmetric = symmetric
      StepJacobian = stepJacobian
      Method = meth
      Dispose = ignore }

/// A float64 model's Jacobian ∂f/∂x by autograd (one backward pass per row).
let private modelJacobian (net: DynamicsModel) (x: float[]) =
    use scope = torch.NewDisposeScope()
    let input = (row x).requires_grad_(true)
    let f = net.TimeDerivative(input, createGraph = true)
    let rows =
        Array.init x.Length (fun i ->
            let g = torch.autograd.grad([| f.select(1, int64 i).sum() |], [| input |], retain_graph = true)[0]
            g.data<float>().ToArray())
    Array2D.init x.Length x.Length (fun i j -> rows[i][j])

let private learnedEnergy (net: HamiltonianNet) (x: float[]) =
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad()
    net.Hamiltonian(row x).item<float>()

let private learnedGradient (net: HamiltonianNet) (x: float[]) =
    use scope = torch.NewDisposeScope()
    let input = (row x).requires_grad_(true)
    let energy = net.Hamiltonian(input).sum()
    let gradient = torch.autograd.grad([| energy |], [| input |])[0]
    gradient.data<float>().ToArray()

/// One implicit-midpoint step of the learned field and its exact Jacobian: with m the converged midpoint and
/// A = ∂f/∂x(m) by autograd, J = (I − h/2·A)⁻¹(I + h/2·A), the Cayley transform of h·A — symplectic exactly
/// when A is a Hamiltonian matrix, i.e. when the field is locally Hamiltonian. Defect bound k·ε·n·(1 + ‖J‖)².
let private modelStepJacobian (tol: Tolerances) (net: DynamicsModel) (h: float) (x: float[]) =
    let next =
        use scope = torch.NewDisposeScope()
        TensorOde.Step(ImplicitMidpoint.Default, ModelField.Of net, row x, h).data<float>().ToArray()
    let mid = Array.map2 (fun a b -> (a + b) / 2.0) x next
    let a = modelJacobian net mid
    let n = x.Length
    let left = Array2D.init n n (fun i j -> (if i = j then 1.0 else 0.0) - h / 2.0 * a[i, j])
    let right = Array2D.init n n (fun i j -> (if i = j then 1.0 else 0.0) + h / 2.0 * a[i, j])
    let j, _ = luSolve left right
    j, tol.RoundOff * epsilon * float n * (1.0 + normInf j) ** 2.0

let private modelDynamics (settings: Settings) (source: DynamicsModel) (system: IHamiltonianSystem option) =
    let tol = settings.Tolerances
    let net = ModelField.ToFloat64 source
    let flow h t (x: float[]) =
        use scope = torch.NewDisposeScope()
        TensorOde.SolveFixed(Rk4.Tableau, ModelField.Of net, row x, 0.0, ReadOnlySpan [| t |], h).data<float>().ToArray()
    let trueEnergy = system |> Option.map (fun s -> systemEnergy s, fdGradient tol (systemEnergy s))
    let energy =
        match net with
        | :? HamiltonianNet as hnn when hnn.Settings.Field <> FieldType.Conservative -> Some("learned H (F2)", learnedEnergy hnn, learnedGradient hnn)
        | _ -> system |> Option.map (fun s -> sprintf "true H of %s" s.Name, systemEnergy s, fdGradient tol (systemEnergy s))
    { Dimension = net.Settings.InputDim
      Jacobian = modelJacobian net
      JacobianExact = true
      Energy = energy
      TrueEnergy = trueEnergy
      Flow = flow
      FlowBound = fun rate t h -> truncationBound tol rate t h Rk4.Tableau.Order
      Symmetric = false
      StepJacobian = modelStepJacobian tol net
      Method = None
      Dispose = fun () -> net.Dispose() }

let private prepare (settings: Settings) (subject: Subject) =
    match subject with
    | Model(_, net, system, _) -> modelDynamics settings net system
    | TrueSystem(system, _) -> systemDynamics settings system None
    | Integrator(meth, system, _) -> systemDynamics settings system (Some meth)

let private domainOf subject =
    match subject with
    | Model(_, _, _, d)
    | TrueSystem(_, d)
    | Integrator(_, _, d) -> d

// ---------------------------------------------------------------------------------------------------------
// Laws.

/// One measurement at one state: the value and the bound it must not exceed.
type Measurement = { Value: float; Tolerance: float }

/// A law made ready for one subject: measures states; owns what it prepared (a float64 copy of a model), so dispose it.
type Probe =
    { Measure: float[] -> Measurement
      /// What the quantity means for this subject, e.g. "H = learned H (F2)", or "".
      Detail: string
      Release: unit -> unit }

    interface IDisposable with
        member p.Dispose() = p.Release()

/// A law: its name, what it measures, and how to measure it on a subject's states.
/// `Prepare` returns Error when the law does not apply to the subject (the reason).
type Law =
    { Name: string
      Quantity: string
      Prepare: Settings -> Subject -> Result<Probe, string> }

/// Which H a subject's energy laws use, for the report.
let private energyDetail (dynamics: Dynamics) =
    dynamics.Energy |> Option.map (fun (name, _, _) -> "H = " + name) |> Option.defaultValue ""

/// A law from a measure on the subject's prepared dynamics; `detail` says what the quantity means for the subject.
let private lawWith name quantity (detail: Dynamics -> string) (measure: Settings -> Subject -> Dynamics -> Result<float[] -> Measurement, string>) : Law =
    { Name = name
      Quantity = quantity
      Prepare =
        fun settings subject ->
            let dynamics = prepare settings subject
            match measure settings subject dynamics with
            | Ok m -> Ok { Measure = m; Detail = detail dynamics; Release = dynamics.Dispose }
            | Error reason ->
                dynamics.Dispose()
                Error reason }

let private law name quantity measure = lawWith name quantity (fun _ -> "") measure

/// Energy scale at x: |x|·|∇H(x)|, the size of H's variation near x (blind to the arbitrary offset of a learned H).
let private energyScale (gradient: float[] -> float[]) (x: float[]) = vnorm x * vnorm (gradient x) + 1e-300

/// Energy conservation: along the flow over the horizon (learned field: RK4 at step h; true system: reference
/// flow; integrator: the method), |H(x(T)) − H(x₀)| / (|x₀|·|∇H(x₀)|) stays within the flow's error bound.
/// H is the learned H of an HNN, else the true system's H; not applicable to a baseline without a system.
let energyConservation =
    lawWith "energy conservation" "|H(x(T)) − H(x₀)| / (|x₀|·|∇H(x₀)|)" energyDetail (fun settings _ dynamics ->
            match dynamics.Energy with
            | None -> Error "no Hamiltonian: a baseline model has none, and no true system was given"
            | Some(_, energy, gradient) ->
                Ok(fun x ->
                    let rate = normInf (dynamics.Jacobian x)
                    let y = dynamics.Flow settings.Step settings.Horizon x
                    let bound =
                        if dynamics.Symmetric then truncationBound settings.Tolerances rate settings.Horizon settings.Step dynamics.Method.Value.Order
                        else dynamics.FlowBound rate settings.Horizon settings.Step
                    { Value = abs (energy y - energy x) / energyScale gradient x; Tolerance = bound }))

/// The drift of the true energy along a learned flow over `Settings.DriftHorizon`, relative as in `energyConservation`,
/// within `Tolerances.TrueEnergyDrift` (plus the integration bound): how well the model keeps the physics' energy.
/// A learned H differs from the true one, so the true energy oscillates along an HNN's flow but should not drift.
let trueEnergyDrift =
    law "true energy drift" "|H(x(T)) − H(x₀)| / (|x₀|·|∇H(x₀)|), true H along the learned flow" (fun settings subject dynamics ->
            match subject, dynamics.TrueEnergy with
            | Model _, Some(energy, gradient) ->
                Ok(fun x ->
                    let rate = normInf (dynamics.Jacobian x)
                    let y = dynamics.Flow settings.Step settings.DriftHorizon x
                    { Value = abs (energy y - energy x) / energyScale gradient x
                      Tolerance = settings.Tolerances.TrueEnergyDrift + dynamics.FlowBound rate settings.DriftHorizon settings.Step })
            | Model _, None -> Error "no true system was given"
            | _ -> Error "only for learned models (a true flow conserves its energy: see energy conservation)")

/// Time reversibility: integrate over the horizon, flip the momenta, integrate again, flip back: the start is
/// recovered to within the flow's error bound (round-off for symmetric methods), relative to |x₀|∞.
/// A field passes only if it is reversible, f(q, −p) = −(the flipped f(q, p)), i.e. H(q, −p) = H(q, p).
let timeReversibility =
    law "time reversibility" "|R·Φ_T(R·Φ_T(x₀)) − x₀|∞ / |x₀|∞" (fun settings _ dynamics ->
            Ok(fun x ->
                let rate = normInf (dynamics.Jacobian x)
                let forward = dynamics.Flow settings.Step settings.Horizon x
                let back = flipMomenta (dynamics.Flow settings.Step settings.Horizon (flipMomenta forward))
                let bound = 2.0 * dynamics.FlowBound rate settings.Horizon settings.Step
                { Value = vmax (Array.map2 (-) back x) / max (vmax x) 1e-300; Tolerance = bound }))

/// Symplecticity of the one-step map Φₕ: JᵀΩJ = Ω, Ω = [[0, I], [−I, 0]]. Learned field: the implicit-midpoint
/// step with J exact by autograd (Cayley transform of h·∂f/∂x); true system: its flow over h; integrator: one
/// step of the method; the last two by central differences in float64.
let symplecticity =
    law "symplecticity" "|JᵀΩJ − Ω|max of the one-step map" (fun settings _ dynamics ->
            if dynamics.Dimension % 2 <> 0 then Error "odd dimension: no canonical pairs (q, p)"
            else
                Ok(fun x ->
                    let j, bound = dynamics.StepJacobian settings.Step x
                    { Value = symplecticDefect j; Tolerance = bound }))

/// Liouville: phase-space volume is preserved. For a field, its divergence Σ ∂fᵢ/∂xᵢ is 0 (learned: autograd,
/// bound k·ε·n·(1 + ‖∂f/∂x‖); true: central differences); for an integrator, det J = 1 of its one-step map.
let liouville =
    law "Liouville" "|div f| (field) or |det J − 1| (one-step map)" (fun settings subject dynamics ->
            let tol = settings.Tolerances
            match subject with
            | Integrator _ ->
                Ok(fun x ->
                    let j, bound = dynamics.StepJacobian settings.Step x
                    { Value = abs (determinant j - 1.0); Tolerance = bound })
            | _ ->
                Ok(fun x ->
                    let a = dynamics.Jacobian x
                    let n = x.Length
                    let divergence = Seq.sum (seq { for i in 0 .. n - 1 -> a[i, i] })
                    let rate = normInf a
                    let bound =
                        if dynamics.JacobianExact then tol.RoundOff * epsilon * float n * (1.0 + rate)
                        else
                            let delta = tol.FiniteDifference * max 1.0 (vmax x)
                            float n * (1.0 + rate) * (tol.RoundOff * epsilon / delta + tol.Truncation * (rate * delta) ** 2.0)
                    { Value = abs divergence; Tolerance = bound }))

/// Convergence order of an integrator: the slope of log error against log step, over h, h/2, h/4, h/8 on the
/// horizon (reference: Dormand–Prince at the reference tolerance; errors below 10⁴·ε are left out of the fit),
/// differs from the declared order by at most `Tolerances.OrderSlack`.
let convergenceOrder =
    law "convergence order" "|fitted order − declared order|" (fun settings subject _ ->
            match subject with
            | Integrator(meth, system, _) ->
                let tol = settings.Tolerances
                Ok(fun x ->
                    let exact = referenceFlow { tol with ReferenceRtol = min tol.ReferenceRtol 1e-13 } system settings.Horizon x
                    let scale = max (vmax x) 1e-300
                    let points =
                        [ for k in 0..3 do
                            let h = settings.Step / 2.0 ** float k
                            let err = vnorm (Array.map2 (-) (fixedFlow meth system h settings.Horizon x) exact) / scale
                            if err > 1e4 * epsilon then log h, log err ]
                    let slope =
                        if points.Length < 2 then float meth.Order
                        else
                            let mx = List.averageBy fst points
                            let my = List.averageBy snd points
                            (points |> List.sumBy (fun (a, b) -> (a - mx) * (b - my))) / (points |> List.sumBy (fun (a, _) -> (a - mx) ** 2.0))
                    { Value = abs (slope - float meth.Order); Tolerance = tol.OrderSlack })
            | _ -> Error "only for integrators")

/// Bounded energy error of an integrator: over `Settings.LongRunSteps` steps of size h, max |H(xₙ) − H(x₀)| relative
/// as in `energyConservation` stays within C·(Ω·h)ᵖ + k·ε·n — no growth with time, as symplectic methods promise.
let boundedEnergyError =
    lawWith "bounded energy error" "max over n of |H(xₙ) − H(x₀)| / (|x₀|·|∇H(x₀)|)" energyDetail (fun settings subject dynamics ->
            match subject, dynamics.Energy with
            | Integrator(meth, system, _), Some(_, energy, gradient) ->
                let tol = settings.Tolerances
                Ok(fun x ->
                    let h = settings.Step
                    let n = settings.LongRunSteps
                    let times = Array.init n (fun i -> h * float (i + 1))
                    let path = Ode.SolveFixed(meth, TrajectoryEvaluation.BatchField system, x, 1, x.Length, 0.0, ReadOnlySpan times, h)
                    let d = x.Length
                    let e0 = energy x
                    let worst = Seq.max (seq { for i in 0 .. n - 1 -> abs (energy path[i * d .. i * d + d - 1] - e0) })
                    let rate = normInf (dynamics.Jacobian x)
                    { Value = worst / energyScale gradient x
                      Tolerance = tol.Truncation * (rate * h) ** float meth.Order + (tol.RoundOff * epsilon + 10.0 * solverTolerance meth) * float n })
            | _ -> Error "only for integrators")

/// The laws that apply to a learned model, in table order.
let modelLaws = [ energyConservation; trueEnergyDrift; timeReversibility; symplecticity; liouville ]

/// The laws that apply to a true system.
let systemLaws = [ energyConservation; timeReversibility; symplecticity; liouville ]

/// The laws that apply to an integrator.
let integratorLaws = [ convergenceOrder; energyConservation; boundedEnergyError; timeReversibility; symplecticity; liouville ]

/// Every law by its command-line key: energy, drift, reversibility, symplecticity, liouville, order, bounded-energy.
let lawsByKey =
    [ "energy", energyConservation
      "drift", trueEnergyDrift
      "reversibility", timeReversibility
      "symplecticity", symplecticity
      "liouville", liouville
      "order", convergenceOrder
      "bounded-energy", boundedEnergyError ]

/// The law with this key (or name), or an error listing the known keys.
let tryLaw (key: string) =
    match lawsByKey |> List.tryFind (fun (k, l) -> k = key.ToLowerInvariant() || l.Name.ToLowerInvariant() = key.ToLowerInvariant()) with
    | Some(_, l) -> Ok l
    | None -> Error(sprintf "unknown law '%s' (known: %s)" key (lawsByKey |> List.map fst |> String.concat ", "))

// ---------------------------------------------------------------------------------------------------------
// Running checks.

let private freshSeed () =
    let r = Rnd(uint64 (Random.Shared.NextInt64()))
    r.Seed, r.Gamma

let private runLaw (settings: Settings) (subject: Subject) (law: Law) : Report =
    let seed = settings.Replay |> Option.defaultWith freshSeed
    let empty outcome =
        { Law = law.Name; Subject = subjectName subject; Outcome = outcome; Quantity = law.Quantity; Measured = nan; Tolerance = nan
          Counterexample = None; Original = None; Cases = 0; Shrinks = 0; Seed = seed; Message = "" }
    match law.Prepare settings subject with
    | Error reason -> empty (NotApplicable reason)
    | Ok probe ->
        use _ = probe
        let measure = probe.Measure
        let empty outcome =
            { empty outcome with Quantity = if probe.Detail = "" then law.Quantity else sprintf "%s (%s)" law.Quantity probe.Detail }
        let mutable worst: Measurement = { Value = nan; Tolerance = nan }
        let mutable worstRatio = -infinity
        let mutable failing = false
        let record (m: Measurement) =
            let ratio = m.Value / m.Tolerance
            if not failing && (Double.IsNaN ratio || ratio > worstRatio) then
                worst <- m
                worstRatio <- (if Double.IsNaN ratio then infinity else ratio)
        let property (x: float[]) =
            let m = try measure x with _ -> { Value = nan; Tolerance = nan }
            record m
            let ok = m.Value <= m.Tolerance
            if not ok then failing <- true
            ok
        let mutable result = None
        let runner =
            { new IRunner with
                member _.OnStartFixture _ = ()
                member _.OnArguments(_, _, _) = ()
                member _.OnShrink(_, _) = ()
                member _.OnFinished(_, r) = result <- Some r }
        let config =
            Config.Quick
                .WithMaxTest(settings.Cases)
                .WithReplay(Some { Rnd = Rnd(fst seed, snd seed); Size = None })
                .WithRunner(runner)
                .WithQuietOnSuccess(true)
        Check.One(config, Prop.forAll (Domain.arbitrary (domainOf subject)) property)
        match result with
        | Some(TestResult.Passed(data, _)) -> { empty Passed with Measured = worst.Value; Tolerance = worst.Tolerance; Cases = data.NumberOfTests }
        | Some(TestResult.Failed(data, original, shrunk, _, _, _, _)) ->
            let state (args: obj list) = args |> List.tryHead |> Option.map (fun o -> o :?> float[])
            let counterexample = state shrunk
            let mutable message = ""
            let at =
                counterexample
                |> Option.map (fun x ->
                    try measure x
                    with e ->
                        message <- e.Message
                        { Value = nan; Tolerance = nan })
                |> Option.defaultValue worst
            { empty Failed with
                Measured = at.Value
                Tolerance = at.Tolerance
                Counterexample = counterexample
                Original = state original
                Cases = data.NumberOfTests
                Shrinks = data.NumberOfShrinks
                Message = message }
        | Some(TestResult.Exhausted data) -> { empty Failed with Cases = data.NumberOfTests; Message = "exhausted: too many rejected states" }
        | None -> { empty Failed with Message = "FsCheck reported no result" }

/// Checks each law on the subject with these settings; one report per law, in order.
let checkWith (settings: Settings) (subject: Subject) (laws: Law list) : Report list =
    Torch.init ()
    if settings.Cases < 1 then invalidArg (nameof settings) (sprintf "cases must be positive, got %d" settings.Cases)
    if not (settings.Step > 0.0 && settings.Horizon > 0.0) then invalidArg (nameof settings) "step and horizon must be positive"
    laws |> List.map (runLaw settings subject)

/// Checks each law on the subject with the `defaults` settings.
let check (subject: Subject) (laws: Law list) : Report list = checkWith defaults subject laws

// ---------------------------------------------------------------------------------------------------------
// Formatting.

let private num (x: float) = if Double.IsNaN x then "—" else x.ToString("0.0e+00", Globalization.CultureInfo.InvariantCulture)

let private stateText (x: float[]) = "[" + String.Join("; ", x |> Array.map (fun v -> v.ToString("R", Globalization.CultureInfo.InvariantCulture))) + "]"

/// One report as text: outcome, measured vs tolerance, the counterexample and the seed that replays it.
let formatReport (r: Report) =
    let seed = sprintf "replay: { settings with Replay = Some (%dUL, %dUL) }" (fst r.Seed) (snd r.Seed)
    match r.Outcome with
    | NotApplicable reason -> sprintf "%s on %s: not applicable (%s)" r.Law r.Subject reason
    | Passed -> sprintf "%s on %s: passed %d cases; worst %s = %s ≤ %s; %s" r.Law r.Subject r.Cases r.Quantity (num r.Measured) (num r.Tolerance) seed
    | Failed ->
        let where = r.Counterexample |> Option.map stateText |> Option.defaultValue "—"
        let first = r.Original |> Option.map stateText |> Option.defaultValue "—"
        let message = if r.Message = "" then "" else sprintf "; threw: %s" r.Message
        sprintf "%s on %s: FAILED after %d cases (%d shrinks) at x₀ = %s (first found at %s): %s = %s > %s%s; %s"
            r.Law r.Subject r.Cases r.Shrinks where first r.Quantity (num r.Measured) (num r.Tolerance) message seed

/// A table: one row per law, one column per named report list (e.g. [ "HNN", hnn; "baseline", baseline ]),
/// each cell "measured pass|FAIL", and the thresholds (the tolerance at each column's reported state).
let formatTable (columns: (string * Report list) list) =
    let laws = columns |> List.collect (fun (_, rs) -> rs |> List.map _.Law) |> List.distinct
    let cell (r: Report option) =
        match r with
        | None -> "—"
        | Some r ->
            match r.Outcome with
            | Passed -> sprintf "%s pass" (num r.Measured)
            | Failed -> sprintf "%s FAIL" (num r.Measured)
            | NotApplicable _ -> "n/a"
    let width = 18
    let header = sprintf "%-22s" "law" + String.Join("", columns |> List.map (fun (name, _) -> sprintf "%-*s" width name)) + "threshold"
    let lines =
        [ for law in laws ->
            let found = columns |> List.map (fun (_, rs) -> rs |> List.tryFind (fun r -> r.Law = law))
            let thresholds =
                found
                |> List.choose id
                |> List.filter (fun r -> not (Double.IsNaN r.Tolerance))
                |> List.map (fun r -> num r.Tolerance)
                |> List.distinct
            sprintf "%-22s" law + String.Join("", found |> List.map (fun r -> sprintf "%-*s" width (cell r))) + String.Join(" / ", thresholds) ]
    String.concat "\n" (header :: lines)

// ---------------------------------------------------------------------------------------------------------
// Model files.

let private lawsOfKeys (laws: string list) =
    if List.isEmpty laws then modelLaws
    else
        laws
        |> List.map (fun k ->
            match tryLaw k with
            | Ok l -> l
            | Error e -> invalidArg (nameof laws) e)

/// Checks a loaded model file; returns the model's kind with the reports.
let private checkFile (settings: Settings) (selected: Law list) (path: string) =
    let struct (net, file) = ModelFile.Load path
    try
        let d = net.Settings.InputDim
        // The model's task: built in, or recorded in its run folder (models/ sits in it).
        let folder = RunFolder(IO.Path.GetDirectoryName(IO.Path.GetDirectoryName(IO.Path.GetFullPath path) |> nonNull) |> nonNull)
        let system, domain =
            match TaskSources.tryResolve folder file.Task with
            | Some task when task.Dimension = d && task.Domain.IsSome -> task.System, task.Domain.Value
            | _ -> None, Domain.box (Array.create d -1.0) (Array.create d 1.0)
        let name = sprintf "%s (%s)" (Tasks.modelKey net.Settings.Kind) file.Task
        net.Settings.Kind, checkWith settings (Model(name, net, system, domain)) selected
    finally
        net.Dispose()

/// Loads a saved model (`hnn-model` JSON beside its weights) and checks the laws named by key (all model laws if
/// the list is empty) on the states of its task's domain (`Task.Domain`), with its task's true system if known;
/// tasks without a domain or unknown ones get the box [−1, 1]ᴰ and no true system. Throws ModelFileException for a bad file, ArgumentException for an unknown law.
let checkModelFileWith (settings: Settings) (path: string) (laws: string list) : Report list =
    Torch.init ()
    let selected = lawsOfKeys laws
    snd (checkFile settings selected path)

/// `checkModelFileWith defaults`: the logic of `hnn check --model FILE [--laws ...]`.
let checkModelFile (path: string) (laws: string list) : Report list = checkModelFileWith defaults path laws

/// Checks several saved models with the same laws and settings, as the columns of `formatTable`: each labelled
/// "HNN", "dissipative HNN" or "baseline" by its kind (by its file name when two share a kind).
let checkModelFilesWith (settings: Settings) (paths: string list) (laws: string list) : (string * Report list) list =
    Torch.init ()
    let selected = lawsOfKeys laws
    let results = paths |> List.map (fun p -> p, checkFile settings selected p)
    let label kind =
        match kind with
        | ModelKind.Hnn -> "HNN"
        | ModelKind.DissipativeHnn -> "dissipative HNN"
        | _ -> "baseline"
    let shared kind = (results |> List.filter (fun (_, (k, _)) -> k = kind)).Length > 1
    [ for path, (kind, reports) in results ->
        (if shared kind then IO.Path.GetFileNameWithoutExtension(path: string) else label kind), reports ]

/// `checkModelFilesWith defaults`: `formatTable (checkModelFiles [ hnn; baseline ] [])` prints law, HNN, baseline, threshold.
let checkModelFiles (paths: string list) (laws: string list) : (string * Report list) list = checkModelFilesWith defaults paths laws
