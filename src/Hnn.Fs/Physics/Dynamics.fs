/// A subject made ready for measuring: its field's Jacobian, the energy to conserve, its flow over a horizon with
/// the flow's error bound, and the Jacobian of its one-step map. Learned models are measured on a float64 copy, so
/// round-off bounds are float64 ones.
module internal Hnn.Physics.Dynamics

open System
open MathNet.Numerics.LinearAlgebra
open TorchSharp
open Hnn.Evaluation
open Hnn.Integrators
open Hnn.Models
open Hnn.Systems
open Hnn.Physics.Jacobians

/// A subject made ready for measuring: float64 model copy, fields and flows.
type Dynamics =
    {
        Dimension: int
        /// ∂f/∂x, and whether it is exact (autograd) rather than finite differences.
        Jacobian: float[] -> Matrix<float>
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
        StepJacobian: float -> float[] -> Matrix<float> * float
        /// Whether Flow is a symmetric method (exactly reversible for a reversible field).
        Symmetric: bool
        /// The integrator checked, if the subject is one.
        Method: IFixedStepMethod option
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
    Matrix<float>.Build.DenseOfRowArrays rows

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

/// One implicit-midpoint step of the learned field and its exact Jacobian: with m the converged midpoint and
/// A = ∂f/∂x(m) by autograd, J = (I − h/2·A)⁻¹(I + h/2·A), the Cayley transform of h·A — symplectic exactly
/// when A is a Hamiltonian matrix, i.e. when the field is locally Hamiltonian. Defect bound k·ε·n·(1 + ‖J‖)².
let private modelStepJacobian (tol: Tolerances) (net: DynamicsModel) (h: float) (x: float[]) =
    let next =
        use scope = torch.NewDisposeScope()
        TensorOde.Step(ImplicitMidpoint.Default, ModelField.Of net, row x, h).data<float>().ToArray()
    let mid = Array.map2 (fun a b -> (a + b) / 2.0) x next
    let a = modelJacobian net mid
    let identity = Matrix<float>.Build.DenseIdentity x.Length
    let j = (identity - h / 2.0 * a).Solve(identity + h / 2.0 * a)
    j, tol.RoundOff * Bounds.epsilon * float x.Length * (1.0 + normInf j) ** 2.0

let private modelDynamics (settings: Settings) (source: DynamicsModel) (system: IHamiltonianSystem option) =
    let tol = settings.Tolerances
    let net = ModelField.ToFloat64 source
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
      Energy = energy
      TrueEnergy = trueEnergy
      Flow = flow
      FlowBound = fun rate t h -> Bounds.truncation tol rate t h Rk4.Tableau.Order
      Symmetric = false
      StepJacobian = modelStepJacobian tol net
      Method = None
      Dispose = fun () -> net.Dispose() }

/// The dynamics of a subject under these settings; dispose it (`Dispose`) when done.
let prepare (settings: Settings) (subject: Subject) =
    match subject with
    | Model(_, net, system, _) -> modelDynamics settings net system
    | TrueSystem(system, _) -> systemDynamics settings system None
    | Integrator(meth, system, _) -> systemDynamics settings system (Some meth)
