/// The bounds the measured quantities are held to. They scale with the step: C·(1 + Ω·T)·(Ω·h)ᵖ + k·ε per step,
/// with Ω the norm of the field's Jacobian at the start state (its fastest rate), T the horizon, h the step and p
/// the order; symmetric methods are held to round-off where the law is exact for them.
module Hnn.Physics.Bounds

open System
open Hnn.Integrators

/// float64 machine epsilon, 2.2e-16.
let epsilon = Math.BitIncrement 1.0 - 1.0

/// The fewest equal steps no longer than h that cover [0, T], as the solvers cut an interval.
let internal stepsFor (horizon: float) (h: float) = max 1 (int (ceil (horizon / h * (1.0 - 1e-12))))

/// C·(1 + Ω·T)·(Ω·h)ᵖ + k·ε·steps.
let internal truncation (tol: Tolerances) (rate: float) (horizon: float) (h: float) (order: int) =
    tol.Truncation * (1.0 + rate * horizon) * (rate * h) ** float order
    + tol.RoundOff * epsilon * float (stepsFor horizon h + 1)

/// Error bound of the Dormand–Prince reference flow over T: 100·rtol·(1 + Ω·T) + round-off.
let internal reference (tol: Tolerances) (rate: float) (horizon: float) =
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
let internal solverTolerance (meth: IFixedStepMethod) =
    match meth with
    | :? ImplicitMidpoint as m -> m.Tolerance
    | _ -> 0.0
