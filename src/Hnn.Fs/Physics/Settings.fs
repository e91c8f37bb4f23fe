/// How the physics checks run: the named constants of their bounds (presets `standard`, `strict`, `loose`) and the
/// settings of a run (cases, step, horizons, the seed that replays it).
namespace Hnn.Physics

/// Named constants of the bounds; presets `Tolerances.standard`, `strict`, `loose`.
type Tolerances =
    {
        /// C of the truncation bounds C·(1 + Ω·T)·(Ω·h)ᵖ.
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
        TrueEnergyDrift: float
    }

/// Tolerance presets.
module Tolerances =
    /// C = 1, k = 100, reference rtol 10⁻¹², δ = 10⁻⁵, order ± 0.3, true-energy drift 5 %.
    let standard =
        { Truncation = 1.0
          RoundOff = 100.0
          ReferenceRtol = 1e-12
          FiniteDifference = 1e-5
          OrderSlack = 0.3
          TrueEnergyDrift = 5e-2 }

    /// C = 0.1, k = 10, order ± 0.2, true-energy drift 1 %.
    let strict = { standard with Truncation = 0.1; RoundOff = 10.0; OrderSlack = 0.2; TrueEnergyDrift = 1e-2 }

    /// C = 10, k = 1000, order ± 0.5, true-energy drift 20 %.
    let loose = { standard with Truncation = 10.0; RoundOff = 1000.0; OrderSlack = 0.5; TrueEnergyDrift = 0.2 }

/// How the checks run.
type Settings =
    {
        /// States drawn per law (FsCheck's MaxTest); at least 100 for a meaningful check.
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
        Replay: (uint64 * uint64) option
    }

/// The default settings.
module Settings =
    /// 100 cases, h = 0.05, T = 1, drift horizon 20, 10⁴ long-run steps, standard tolerances, a fresh seed.
    let defaults =
        { Cases = 100
          Step = 0.05
          Horizon = 1.0
          DriftHorizon = 20.0
          LongRunSteps = 10_000
          Tolerances = Tolerances.standard
          Replay = None }
