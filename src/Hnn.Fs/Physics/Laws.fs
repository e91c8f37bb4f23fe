/// The laws of Hamiltonian mechanics as checks: energy conservation, the drift of the true energy along a learned
/// flow, time reversibility, symplecticity, Liouville, convergence order and bounded energy error. A law measures
/// one state at a time against a bound that scales with the step (see `Bounds`).
namespace Hnn.Physics

open System
open Hnn.Evaluation
open Hnn.Integrators
open Hnn.Physics.Jacobians
open Hnn.Physics.Dynamics

/// One measurement at one state: the value and the bound it must not exceed.
type Measurement = { Value: float; Tolerance: float }

/// A law made ready for one subject: measures states; owns what it prepared (a float64 copy of a model), so dispose it.
type Probe =
    {
        Measure: float[] -> Measurement
        /// What the quantity means for this subject, e.g. "H = learned H (F2)", or "".
        Detail: string
        Release: unit -> unit
    }

    interface IDisposable with
        member p.Dispose() = p.Release()

/// A law: its name, what it measures, and how to measure it on a subject's states.
/// `Prepare` returns Error when the law does not apply to the subject (the reason).
type Law = { Name: string; Quantity: string; Prepare: Settings -> Subject -> Result<Probe, string> }

/// The laws, the lists that apply to each kind of subject, and the laws by command-line key.
module Laws =
    /// Notes joined for a report, empty ones left out.
    let private notes (parts: string list) = parts |> List.filter ((<>) "") |> String.concat "; "

    /// Which H a subject's energy laws use, and what its flow over the horizon is when that needs saying.
    let private energyDetail (settings: Settings) (dynamics: Dynamics) =
        notes
            [ dynamics.Energy |> Option.map (fun (name, _, _) -> "H = " + name) |> Option.defaultValue ""
              dynamics.FlowNote settings.Horizon ]

    /// A law from a measure on the subject's prepared dynamics; `detail` says what the quantity means for the subject.
    let private lawWith
        name
        quantity
        (detail: Settings -> Dynamics -> string)
        (measure: Settings -> Subject -> Dynamics -> Result<float[] -> Measurement, string>)
        : Law =
        { Name = name
          Quantity = quantity
          Prepare =
            fun settings subject ->
                let dynamics = prepare settings subject
                match dynamics.Refusal |> Option.map Error |> Option.defaultWith (fun () -> measure settings subject dynamics) with
                | Ok m -> Ok { Measure = m; Detail = detail settings dynamics; Release = dynamics.Dispose }
                | Error reason ->
                    dynamics.Dispose()
                    Error reason }

    let private law name quantity measure = lawWith name quantity (fun _ _ -> "") measure

    /// What the subject's flow over the horizon is, when that needs saying (a step map's iteration).
    let private flowDetail (settings: Settings) (dynamics: Dynamics) = dynamics.FlowNote settings.Horizon

    /// What the subject's one-step map is, when that needs saying.
    let private stepDetail (_: Settings) (dynamics: Dynamics) = dynamics.StepNote

    /// Energy scale at x: |x|·|∇H(x)|, the size of H's variation near x (blind to the arbitrary offset of a learned H).
    let private energyScale (gradient: float[] -> float[]) (x: float[]) = vnorm x * vnorm (gradient x) + 1e-300

    /// Energy conservation: along the flow over the horizon (learned field: RK4 at step h; true system: reference
    /// flow; integrator: the method), |H(x(T)) − H(x₀)| / (|x₀|·|∇H(x₀)|) stays within the flow's error bound.
    /// H is a model's own learned H (an HNN's, a sampled model's, a port-Hamiltonian network's: conserved only where
    /// its learned damping vanishes; a Lagrangian network's E_L = q̇·∂L/∂q̇ − L at (q, ∂H/∂p), conserved by its
    /// Euler–Lagrange flow), else the true system's H (a baseline, a step map); not applicable to a baseline without a
    /// system. A step map's flow is the map iterated over the nearest multiple of its own step, with a round-off bound.
    let energyConservation =
        lawWith "energy conservation" "|H(x(T)) − H(x₀)| / (|x₀|·|∇H(x₀)|)" energyDetail (fun settings _ dynamics ->
            match dynamics.Energy with
            | None -> Error "no Hamiltonian: a baseline model has none, and no true system was given"
            | Some(_, energy, gradient) ->
                Ok(fun x ->
                    let rate = normInf (dynamics.Jacobian x)
                    let y = dynamics.Flow settings.Step settings.Horizon x
                    let bound =
                        if dynamics.Symmetric then
                            Bounds.truncation settings.Tolerances rate settings.Horizon settings.Step dynamics.Method.Value.Order
                        else
                            dynamics.FlowBound rate settings.Horizon settings.Step
                    { Value = abs (energy y - energy x) / energyScale gradient x; Tolerance = bound }))

    /// The drift of the true energy along a learned flow over `Settings.DriftHorizon`, relative as in `energyConservation`,
    /// within `Tolerances.TrueEnergyDrift` (plus the integration bound): how well the model keeps the physics' energy.
    /// A learned H differs from the true one, so the true energy oscillates along an HNN's flow but should not drift.
    let trueEnergyDrift =
        lawWith
            "true energy drift"
            "|H(x(T)) − H(x₀)| / (|x₀|·|∇H(x₀)|), true H along the learned flow"
            (fun settings dynamics -> dynamics.FlowNote settings.DriftHorizon)
            (fun settings subject dynamics ->
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
        lawWith "time reversibility" "|R·Φ_T(R·Φ_T(x₀)) − x₀|∞ / |x₀|∞" flowDetail (fun settings _ dynamics ->
            Ok(fun x ->
                let rate = normInf (dynamics.Jacobian x)
                let forward = dynamics.Flow settings.Step settings.Horizon x
                let back = flipMomenta (dynamics.Flow settings.Step settings.Horizon (flipMomenta forward))
                let bound = 2.0 * dynamics.FlowBound rate settings.Horizon settings.Step
                { Value = vmax (Array.map2 (-) back x) / max (vmax x) 1e-300; Tolerance = bound }))

    /// Symplecticity of the one-step map Φₕ: JᵀΩJ = Ω, Ω = [[0, I], [−I, 0]]. Learned field: the implicit-midpoint
    /// step with J exact by autograd (Cayley transform of h·∂f/∂x); a Lagrangian network: the same for its field mapped
    /// to (q, p), ∂f/∂x by central differences; a step map: one step of the map itself (its own h), J by autograd; true
    /// system: its flow over h; integrator: one step of the method; the last two by central differences in float64.
    let symplecticity =
        lawWith "symplecticity" "|JᵀΩJ − Ω|max of the one-step map" stepDetail (fun settings _ dynamics ->
            if dynamics.Dimension % 2 <> 0 then
                Error "odd dimension: no canonical pairs (q, p)"
            else
                Ok(fun x ->
                    let j, bound = dynamics.StepJacobian settings.Step x
                    { Value = symplecticDefect j; Tolerance = bound }))

    /// Liouville: phase-space volume is preserved. For a field, its divergence Σ ∂fᵢ/∂xᵢ is 0 (learned: autograd,
    /// bound k·ε·n·(1 + ‖∂f/∂x‖); true, or a Lagrangian network's mapped field: central differences and their bound);
    /// for a map (an integrator, a step map), det J = 1 of its one-step map.
    let liouville =
        lawWith "Liouville" "|div f| (field) or |det J − 1| (one-step map)" stepDetail (fun settings _ dynamics ->
            if dynamics.IsMap then
                Ok(fun x ->
                    let j, bound = dynamics.StepJacobian settings.Step x
                    { Value = abs (j.Determinant() - 1.0); Tolerance = bound })
            else
                Ok(fun x ->
                    let a = dynamics.Jacobian x
                    { Value = abs (a.Trace()); Tolerance = dynamics.DivergenceBound x a }))

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
                              if err > 1e4 * Bounds.epsilon then
                                  log h, log err ]
                    let slope =
                        if points.Length < 2 then
                            float meth.Order
                        else
                            let mx = List.averageBy fst points
                            let my = List.averageBy snd points
                            (points |> List.sumBy (fun (a, b) -> (a - mx) * (b - my)))
                            / (points |> List.sumBy (fun (a, _) -> (a - mx) ** 2.0))
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
                      Tolerance =
                        tol.Truncation * (rate * h) ** float meth.Order
                        + (tol.RoundOff * Bounds.epsilon + 10.0 * Bounds.solverTolerance meth) * float n })
            | _ -> Error "only for integrators")

    /// The laws that apply to a learned model, in table order.
    let forModels = [ energyConservation; trueEnergyDrift; timeReversibility; symplecticity; liouville ]

    /// The laws that apply to a true system.
    let forSystems = [ energyConservation; timeReversibility; symplecticity; liouville ]

    /// The laws that apply to an integrator.
    let forIntegrators = [ convergenceOrder; energyConservation; boundedEnergyError; timeReversibility; symplecticity; liouville ]

    /// Every law by its command-line key: energy, drift, reversibility, symplecticity, liouville, order, bounded-energy.
    let byKey =
        [ "energy", energyConservation
          "drift", trueEnergyDrift
          "reversibility", timeReversibility
          "symplecticity", symplecticity
          "liouville", liouville
          "order", convergenceOrder
          "bounded-energy", boundedEnergyError ]

    /// The law with this key (or name), or an error listing the known keys.
    let tryFind (key: string) =
        match byKey |> List.tryFind (fun (k, l) -> k = key.ToLowerInvariant() || l.Name.ToLowerInvariant() = key.ToLowerInvariant()) with
        | Some(_, l) -> Ok l
        | None -> Error(sprintf "unknown law '%s' (known: %s)" key (byKey |> List.map fst |> String.concat ", "))
