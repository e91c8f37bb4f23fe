/// A subject made ready for measuring: its field's Jacobian, the energy to conserve, its flow over a horizon with
/// the flow's error bound, and the Jacobian of its one-step map. Learned models are measured on a float64 copy, so
/// round-off bounds are float64 ones. Every kind is judged in the task's canonical coordinates (q, p): a Lagrangian
/// network's field is mapped there through the system's Legendre map, and a step map is measured as the map it is.
module internal Hnn.Physics.Dynamics

open System
open MathNet.Numerics.LinearAlgebra
open TorchSharp
open Hnn.Evaluation
open Hnn.Integrators
open Hnn.Models
open Hnn.Models.Lagrangian
open Hnn.Models.SympNets
open Hnn.Systems
open Hnn.Physics.Jacobians

/// A subject made ready for measuring: float64 model copy, fields and flows.
type Dynamics =
    {
        Dimension: int
        /// ∂f/∂x, and whether it is exact (autograd) rather than finite differences.
        Jacobian: float[] -> Matrix<float>
        JacobianExact: bool
        /// Bound on |tr ∂f/∂x| that the errors of `Jacobian` at x can produce, given that Jacobian there.
        DivergenceBound: float[] -> Matrix<float> -> float
        /// The energy to conserve, its name and gradient; None when there is none.
        Energy: (string * (float[] -> float) * (float[] -> float[])) option
        /// The true system's energy (for the drift of a learned flow), with its gradient.
        TrueEnergy: ((float[] -> float) * (float[] -> float[])) option
        /// x(T) from x(0) with steps of size h.
        Flow: float -> float -> float[] -> float[]
        /// Error bound of Flow over T, relative: rate → T → h → bound.
        FlowBound: float -> float -> float -> float
        /// What Flow over T is when it is not the settings' integration (a step map's iteration), else "".
        FlowNote: float -> string
        /// Jacobian of the one-step map of size h at x, and the error bound of its symplectic defect.
        StepJacobian: float -> float[] -> Matrix<float> * float
        /// What the one-step map is when that needs saying (a step map's own step, a field mapped to (q, p)), else "".
        StepNote: string
        /// Whether the subject is a map (an integrator, a step map): Liouville is then det J = 1 of its step.
        IsMap: bool
        /// Whether Flow is a symmetric method (exactly reversible for a reversible field).
        Symmetric: bool
        /// The integrator checked, if the subject is one.
        Method: IFixedStepMethod option
        /// Why no law can measure this subject (e.g. a Lagrangian network without a system), if so.
        Refusal: string option
        Dispose: unit -> unit
    }

let private row (x: float[]) =
    use flat = torch.tensor (x: float[])
    flat.reshape (1L, int64 x.Length)

let private systemField (system: IHamiltonianSystem) (x: float[]) =
    let d = Array.zeroCreate x.Length
    system.TimeDerivative(ReadOnlySpan x, Span d)
    d

let private systemEnergy (system: IHamiltonianSystem) (x: float[]) = system.Energy(ReadOnlySpan x)

/// x(T) of a true system by Dormand–Prince at the reference tolerance.
let referenceFlow (tol: Tolerances) (system: IHamiltonianSystem) (horizon: float) (x: float[]) =
    let settings = AdaptiveSettings(tol.ReferenceRtol, tol.ReferenceRtol * 1e-2, Parallel = false)
    Ode.Solve(TrajectoryEvaluation.BatchField system, x, 1, x.Length, 0.0, ReadOnlySpan [| horizon |], settings)

/// x(T) of a true system by a fixed-step method at step h.
let fixedFlow (meth: IFixedStepMethod) (system: IHamiltonianSystem) (h: float) (horizon: float) (x: float[]) =
    Ode.SolveFixed(meth, TrajectoryEvaluation.BatchField system, x, 1, x.Length, 0.0, ReadOnlySpan [| horizon |], h)

/// Jacobian of one step of a float64 method by central differences, with the bound on its symplectic defect:
/// (1 + ‖J‖)²·(k·ε/δ + 10·solver tolerance/δ + C·(Ω·δ)²).
let private fdStepJacobian (tol: Tolerances) (meth: IFixedStepMethod) (system: IHamiltonianSystem) (substeps: float -> float[] -> int) h x =
    let n = substeps h x
    let map (y: float[]) =
        let y = Array.copy y
        let stepper = meth.CreateStepper(TrajectoryEvaluation.BatchField system, 1, y.Length)
        for _ in 1..n do
            stepper.Step(0.0, Span y, h / float n)
        y
    let j = fdJacobian tol map x
    let rate = normInf (fdJacobian tol (systemField system) x)
    let delta = tol.FiniteDifference * max 1.0 (vmax x)
    let bound =
        (1.0 + normInf j) ** 2.0
        * (tol.RoundOff * Bounds.epsilon / delta
           + 10.0 * Bounds.solverTolerance meth / delta
           + tol.Truncation * (rate * delta) ** 2.0)
    j, bound

/// The divergence bound of a Jacobian by central differences: n·(1 + Ω)·(k·ε/δ + C·(Ω·δ)²).
let private fdDivergenceBound (tol: Tolerances) (x: float[]) (a: Matrix<float>) =
    let rate = normInf a
    let delta = tol.FiniteDifference * max 1.0 (vmax x)
    float x.Length * (1.0 + rate) * (tol.RoundOff * Bounds.epsilon / delta + tol.Truncation * (rate * delta) ** 2.0)

/// The divergence bound of an exact (autograd) Jacobian: k·ε·n·(1 + Ω).
let private exactDivergenceBound (tol: Tolerances) (x: float[]) (a: Matrix<float>) =
    tol.RoundOff * Bounds.epsilon * float x.Length * (1.0 + normInf a)

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
                if Bounds.isSymmetric m then
                    tol.RoundOff * Bounds.epsilon * float (Bounds.stepsFor t h + 1)
                    + 10.0 * Bounds.solverTolerance m * float (Bounds.stepsFor t h + 1)
                else
                    Bounds.truncation tol rate t h m.Order),
            Bounds.isSymmetric m,
            fdStepJacobian tol m system (fun _ _ -> 1)
        | None ->
            // The exact flow over one step, by Dormand–Prince 5 at fixed substeps (a smooth map, so finite differences apply):
            // substeps of at most 0.01/Ω make its own symplectic defect negligible.
            let substeps h x = max 1 (int (ceil (h * normInf (fdJacobian tol field x) / 0.01)))
            (fun _ t x -> referenceFlow tol system t x),
            (fun rate t _ -> Bounds.reference tol rate t),
            false,
            fdStepJacobian tol DormandPrince45.Tableau system substeps
    { Dimension = system.Dimension
      Jacobian = fdJacobian tol field
      JacobianExact = false
      DivergenceBound = fdDivergenceBound tol
      Energy = Some(sprintf "true H of %s" system.Name, energy, gradient)
      TrueEnergy = Some(energy, gradient)
      Flow = flow
      FlowBound = bound
      FlowNote = fun _ -> ""
      Symmetric = symmetric
      StepJacobian = stepJacobian
      StepNote = ""
      IsMap = meth.IsSome
      Method = meth
      Refusal = None
      Dispose = ignore }

/// ∂y/∂x of a float64 map y = f(x) of rows at one state, by autograd (one backward pass per row). `f` gets the input
/// row with grad required, inside a dispose scope.
let private autogradJacobian (f: torch.Tensor -> torch.Tensor) (x: float[]) =
    use scope = torch.NewDisposeScope()
    let input = (row x).requires_grad_(true)
    let y = f input
    let rows =
        Array.init x.Length (fun i ->
            let g = torch.autograd.grad([| y.select(1, int64 i).sum() |], [| input |], retain_graph = true)[0]
            g.data<float>().ToArray())
    Matrix<float>.Build.DenseOfRowArrays rows

/// A float64 model's Jacobian ∂f/∂x by autograd.
let private modelJacobian (net: DynamicsModel) (x: float[]) =
    autogradJacobian (fun input -> net.TimeDerivative(input, createGraph = true)) x

/// A learned H at one state (`hamiltonian` maps states [N, d] to H [N]).
let private learnedEnergy (hamiltonian: torch.Tensor -> torch.Tensor) (x: float[]) =
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    (hamiltonian (row x)).item<float>()

/// ∇H of a learned H at one state, by autograd.
let private learnedGradient (hamiltonian: torch.Tensor -> torch.Tensor) (x: float[]) =
    use scope = torch.NewDisposeScope()
    let input = (row x).requires_grad_(true)
    let energy = (hamiltonian input).sum()
    let gradient = torch.autograd.grad([| energy |], [| input |])[0]
    gradient.data<float>().ToArray()

/// J = (I − h/2·A)⁻¹(I + h/2·A): the Jacobian of an implicit-midpoint step whose field has Jacobian A at the midpoint,
/// the Cayley transform of h·A — symplectic exactly when A is a Hamiltonian matrix.
let private cayley (h: float) (a: Matrix<float>) =
    let identity = Matrix<float>.Build.DenseIdentity a.RowCount
    (identity - h / 2.0 * a).Solve(identity + h / 2.0 * a)

/// One implicit-midpoint step of the learned field and its exact Jacobian: with m the converged midpoint and
/// A = ∂f/∂x(m) by autograd, J = Cayley(h·A) — symplectic exactly when A is a Hamiltonian matrix, i.e. when the
/// field is locally Hamiltonian. Defect bound k·ε·n·(1 + ‖J‖)².
let private modelStepJacobian (tol: Tolerances) (net: DynamicsModel) (h: float) (x: float[]) =
    let next =
        use scope = torch.NewDisposeScope()
        TensorOde.Step(ImplicitMidpoint.Default, ModelField.Of net, row x, h).data<float>().ToArray()
    let mid = Array.map2 (fun a b -> (a + b) / 2.0) x next
    let j = cayley h (modelJacobian net mid)
    j, tol.RoundOff * Bounds.epsilon * float x.Length * (1.0 + normInf j) ** 2.0

// ---- Lagrangian networks: the field in velocity coordinates mapped to (q, p) ----------------------------------

/// Φ(q, p) = (q, ∂H/∂p): the system's Legendre map to velocity coordinates (`VelocityCoordinates.FromCanonical`, one state).
let legendre (system: IHamiltonianSystem) (x: float[]) =
    let n = x.Length / 2
    let velocities = systemField system x
    Array.append x[.. n - 1] velocities[.. n - 1]

/// Relative step δ_L of the fourth-order differences of the Legendre map: truncation ~(Ω·δ_L)⁴/30, round-off ~ε/δ_L
/// (2e-13), so the mapped field is smooth to ~1e-13 relative and its own Jacobian can be taken by differences again.
let legendreStep = 1e-3

/// The lower blocks of DΦ = [[I, 0], [∂q̇/∂q, ∂q̇/∂p]] at x, q̇ = ∂H/∂p, by fourth-order central differences of the
/// system's field (exact to round-off where q̇ is linear in p with constant coefficients, as for the spring, pendulum,
/// Hénon–Heiles and the chain): (∂q̇/∂q, ∂q̇/∂p = ∂²H/∂p²).
let private legendreBlocks (system: IHamiltonianSystem) (x: float[]) =
    let n = x.Length / 2
    let velocity (y: float[]) = (systemField system y)[.. n - 1]
    let column j =
        let s = legendreStep * max 1.0 (abs x[j])
        let at k =
            let y = Array.copy x
            y[j] <- x[j] + float k * s
            velocity y
        let p1, m1, p2, m2 = at 1, at -1, at 2, at -2
        Array.init n (fun i -> (8.0 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12.0 * s))
    let columns = Array.init x.Length column
    Matrix<float>.Build.DenseOfColumnArrays columns[.. n - 1], Matrix<float>.Build.DenseOfColumnArrays columns[n..]

/// The canonical field f_c(x) = DΦ(x)⁻¹·g(Φ(x)) of a field g in velocity coordinates (q, q̇) → (q̇, q̈): by the chain
/// rule through q̇ = ∂H/∂p(q, p), f_c = (q̇, (∂²H/∂p²)⁻¹·(q̈ − ∂q̇/∂q·q̇)). For the system's own Euler–Lagrange field it
/// is the system's canonical field; its relative error is that of the differences, C·(Ω·δ_L)⁴ + k·ε/δ_L.
let canonicalField (system: IHamiltonianSystem) (g: float[] -> float[]) (x: float[]) =
    let n = x.Length / 2
    let d = g (legendre system x)
    let velocity = Vector<float>.Build.DenseOfArray d[.. n - 1]
    let acceleration = Vector<float>.Build.DenseOfArray d[n..]
    let mixed, mass = legendreBlocks system x
    Array.append d[.. n - 1] ((mass.Solve(acceleration - mixed * velocity)).ToArray())

/// A per-state field as a batch field for `Ode`.
let private batchOf (dim: int) (f: float[] -> float[]) =
    BatchVectorField(fun _ x dxdt count ->
        for i in 0 .. count - 1 do
            (f (x.Slice(i * dim, dim).ToArray())).CopyTo(dxdt.Slice(i * dim, dim)))

/// The Euler–Lagrange field (q̇, q̈) of a Lagrangian (states [N, 2n] → L [N]) at one velocity-coordinate state, float64,
/// q̈ = (∇q̇∇q̇ᵀL)⁻¹[∇qL − (∇q∇q̇ᵀL)q̇] by autograd with no ridge (`EulerLagrange.Accelerations`, λ = 0): the learned L's
/// own motion, which conserves E_L exactly. The model's ridge (training, rollouts: λ = 1e-4 plus μ·tr(A²)/n, μ = 0.01 for
/// an LNN since the relative part was added) is left out: a ridge Λ changes E_L at the rate −Λq̇ᵀ(A² + ΛI)⁻¹b
/// (relative ~Λ/A²: 4e-4 for the pendulum's true L from λ, about μ from μ·tr(A²)/n), which would fail an exact L.
/// Throws InvalidOperationException where the velocity Hessian is singular.
let eulerLagrangeField (lagrangian: torch.Tensor -> torch.Tensor) (v: float[]) =
    use scope = torch.NewDisposeScope()
    let accelerations =
        try
            EulerLagrange.Accelerations(Func<_, _> lagrangian, row v, 0.0, false)
        with :? Runtime.InteropServices.ExternalException ->
            invalidOp (sprintf "the velocity Hessian ∂²L/∂q̇² is singular at (q, q̇) = %A: no Euler–Lagrange motion there" v)
    let velocities = v[v.Length / 2 ..]
    Array.append velocities (accelerations.data<float>().ToArray())

/// E_L = q̇·∂L/∂q̇ − L at one velocity-coordinate state, ∂L/∂q̇ by autograd: the energy the Euler–Lagrange flow conserves.
let private lagrangianEnergy (lagrangian: torch.Tensor -> torch.Tensor) (v: float[]) =
    use scope = torch.NewDisposeScope()
    let input = (row v).requires_grad_(true)
    let l = (lagrangian input).sum()
    let gradient = (torch.autograd.grad([| l |], [| input |])[0]).data<float>().ToArray()
    let n = v.Length / 2
    let momentumTerm = Array.sum (Array.init n (fun i -> v[n + i] * gradient[n + i]))
    momentumTerm - l.item<float>()

/// A Lagrangian L(q, q̇) judged in the system's canonical coordinates: its Euler–Lagrange field g (no ridge) mapped by
/// `canonicalField`; flow by fixed-step RK4 of that field; its energy E_L(Φ(x)); Jacobians of the mapped field by
/// central differences with step δ_J = 10⁻⁴ (balancing the mapped field's round-off k·ε/δ_L over δ_J against (Ω·δ_J)²),
/// so per entry (1 + Ω)·(k·ε/(δ_L·δ_J) + C·(Ω·δ_J)² + C·(Ω·δ_L)⁴); the implicit-midpoint step's J = Cayley(h·A) as
/// for other models, with that error in A.
let lagrangianDynamics (settings: Settings) (system: IHamiltonianSystem) (lagrangian: torch.Tensor -> torch.Tensor) dispose =
    let tol = settings.Tolerances
    let field = canonicalField system (eulerLagrangeField lagrangian)
    let jacobianStep = 1e-4
    let jacobian = fdJacobian { tol with FiniteDifference = jacobianStep } field
    // Relative error of an entry of the Jacobian, and of the mapped field itself.
    let jacobianError rate =
        tol.RoundOff * Bounds.epsilon / (legendreStep * jacobianStep)
        + tol.Truncation * ((rate * jacobianStep) ** 2.0 + (rate * legendreStep) ** 4.0)
    let fieldError rate = tol.RoundOff * Bounds.epsilon / legendreStep + tol.Truncation * (rate * legendreStep) ** 4.0
    let flow h t (x: float[]) = Ode.SolveFixed(Rk4.Tableau, batchOf x.Length field, x, 1, x.Length, 0.0, ReadOnlySpan [| t |], h)
    let stepJacobian h (x: float[]) =
        let next = Ode.SolveFixed(ImplicitMidpoint.Default, batchOf x.Length field, x, 1, x.Length, 0.0, ReadOnlySpan [| h |], h)
        let mid = Array.map2 (fun a b -> (a + b) / 2.0) x next
        let a = jacobian mid
        let rate = normInf a
        let j = cayley h a
        let n = float x.Length
        j, (1.0 + normInf j) ** 2.0 * (tol.RoundOff * Bounds.epsilon * n + h * n * (1.0 + rate) * jacobianError rate)
    let energy = lagrangianEnergy lagrangian << legendre system
    let trueEnergy = systemEnergy system
    { Dimension = system.Dimension
      Jacobian = jacobian
      JacobianExact = false
      DivergenceBound = fun x a -> float x.Length * (1.0 + normInf a) * jacobianError (normInf a)
      Energy = Some("learned energy (Lagrangian)", energy, fdGradient tol energy)
      TrueEnergy = Some(trueEnergy, fdGradient tol trueEnergy)
      Flow = flow
      FlowBound = fun rate t h -> Bounds.truncation tol rate t h Rk4.Tableau.Order + rate * t * (1.0 + rate * t) * fieldError rate
      FlowNote = fun _ -> ""
      StepJacobian = stepJacobian
      StepNote = sprintf "field mapped to (q, p) by %s's Legendre map" system.Name
      IsMap = false
      Symmetric = false
      Method = None
      Refusal = None
      Dispose = dispose }

// ---- Step maps: a learned x ↦ Step(x) of its own step h ------------------------------------------------------

/// The number of steps of size h nearest to T (at least one).
let private stepsOver (h: float) (horizon: float) = max 1 (int (Math.Round(horizon / h)))

/// A learned one-step map x ↦ step(x) of step h (rows [N, D] → [N, D], float64) judged as the map it is: its flow over
/// T is the map iterated round(T/h) times (the nearest multiple of h; the report says so when T is not one), with a
/// round-off bound k·ε·(steps + 1)·(1 + Ω·T) and no truncation (the iteration is the model's motion); its one-step
/// Jacobian J by autograd, symplectic defect bound k·ε·n·(1 + ‖J‖)², Liouville as det J = 1; the rate Ω from the
/// secant field's Jacobian (J − I)/h. It has no H of its own: its energy is the system's.
let mapDynamics
    (settings: Settings)
    (step: torch.Tensor -> torch.Tensor)
    (h: float)
    (system: IHamiltonianSystem option)
    (dim: int)
    dispose
    =
    let tol = settings.Tolerances
    let iterate (k: int) (x: float[]) =
        use scope = torch.NewDisposeScope()
        use _ = torch.no_grad ()
        let mutable y = row x
        for _ in 1..k do
            y <- step y
        y.data<float>().ToArray()
    let stepJacobian (x: float[]) = autogradJacobian step x
    let secantJacobian x = (stepJacobian x - Matrix<float>.Build.DenseIdentity dim) / h
    let flowNote horizon =
        let k = stepsOver h horizon
        if abs (float k * h - horizon) <= 1e-9 * max horizon h then
            sprintf "flow: the map iterated %d times, h = %g" k h
        else
            sprintf "flow: the map iterated %d times, h = %g, T = %g for the asked %g" k h (float k * h) horizon
    let energy = system |> Option.map (fun s -> systemEnergy s, fdGradient tol (systemEnergy s))
    { Dimension = dim
      Jacobian = secantJacobian
      JacobianExact = true
      DivergenceBound = exactDivergenceBound tol
      Energy = system |> Option.map (fun s -> sprintf "true H of %s" s.Name, systemEnergy s, fdGradient tol (systemEnergy s))
      TrueEnergy = energy
      Flow = fun _ t x -> iterate (stepsOver h t) x
      FlowBound = fun rate t _ -> tol.RoundOff * Bounds.epsilon * float (stepsOver h t + 1) * (1.0 + rate * t)
      FlowNote = flowNote
      StepJacobian =
        fun _ x ->
            let j = stepJacobian x
            j, tol.RoundOff * Bounds.epsilon * float dim * (1.0 + normInf j) ** 2.0
      StepNote = sprintf "one step of the map, its own h = %g" h
      IsMap = true
      Symmetric = false
      Method = None
      Refusal = None
      Dispose = dispose }

/// Dynamics that no law can measure, for this reason (every law reports it instead of measuring).
let private refused (dim: int) dispose (reason: string) =
    let fail _ = invalidOp reason
    { Dimension = dim
      Jacobian = fail
      JacobianExact = false
      DivergenceBound = fun _ _ -> fail ()
      Energy = None
      TrueEnergy = None
      Flow = fun _ _ -> fail
      FlowBound = fun _ _ _ -> fail ()
      FlowNote = fun _ -> ""
      StepJacobian = fun _ -> fail
      StepNote = ""
      IsMap = false
      Symmetric = false
      Method = None
      Refusal = Some reason
      Dispose = dispose }

let private modelDynamics (settings: Settings) (source: DynamicsModel) (system: IHamiltonianSystem option) =
    let tol = settings.Tolerances
    let net = ModelField.ToFloat64 source
    let dispose () = net.Dispose()
    match box net, system with
    | :? StepMap as map, _ -> mapDynamics settings map.Step map.StepSize system net.Settings.InputDim dispose
    | :? ILagrangianModel as lnn, Some s -> lagrangianDynamics settings s lnn.Lagrangian dispose
    | _ when net.Coordinates = StateCoordinates.Velocity ->
        match system with
        | None -> "a Lagrangian network needs the system's kinetic energy to map (q, p) to (q, q̇), and no system was given"
        | Some _ -> sprintf "a %A model works in velocity coordinates but is not a Lagrangian network: no map to (q, p)" net.Settings.Kind
        |> refused net.Settings.InputDim dispose
    | _ ->
        let flow h t (x: float[]) =
            use scope = torch.NewDisposeScope()
            TensorOde.SolveFixed(Rk4.Tableau, ModelField.Of net, row x, 0.0, ReadOnlySpan [| t |], h).data<float>().ToArray()
        let trueEnergy = system |> Option.map (fun s -> systemEnergy s, fdGradient tol (systemEnergy s))
        let energy =
            match net with
            | :? HamiltonianNet as hnn when hnn.Settings.Field <> FieldType.Conservative ->
                Some("learned H (F2)", learnedEnergy hnn.Hamiltonian, learnedGradient hnn.Hamiltonian)
            | :? Sampled.SampledHnn as s -> Some("learned H (sampled)", learnedEnergy s.Hamiltonian, learnedGradient s.Hamiltonian)
            // dH/dt = −∇ₚHᵀ LLᵀ ∇ₚH: its own H is conserved exactly when its learned damping is zero.
            | :? PortHamiltonian.PortHamiltonianNet as p ->
                Some("learned H (port-Hamiltonian)", learnedEnergy p.Hamiltonian, learnedGradient p.Hamiltonian)
            | _ -> system |> Option.map (fun s -> sprintf "true H of %s" s.Name, systemEnergy s, fdGradient tol (systemEnergy s))
        { Dimension = net.Settings.InputDim
          Jacobian = modelJacobian net
          JacobianExact = true
          DivergenceBound = exactDivergenceBound tol
          Energy = energy
          TrueEnergy = trueEnergy
          Flow = flow
          FlowBound = fun rate t h -> Bounds.truncation tol rate t h Rk4.Tableau.Order
          FlowNote = fun _ -> ""
          Symmetric = false
          StepJacobian = modelStepJacobian tol net
          StepNote = ""
          IsMap = false
          Method = None
          Refusal = None
          Dispose = dispose }

/// The dynamics of a subject under these settings; dispose it (`Dispose`) when done. A subject no law can measure
/// carries its reason in `Refusal`.
let prepare (settings: Settings) (subject: Subject) =
    match subject with
    | Model(_, net, system, _) -> modelDynamics settings net system
    | TrueSystem(system, _) -> systemDynamics settings system None
    | Integrator(meth, system, _) -> systemDynamics settings system (Some meth)
