/// The float64 integrators that generate the datasets and the true paths: one step of each fixed-step method
/// on a batch of three-body states, and a Dormand–Prince 5(4) solve of a batch at the recipe's tolerance.
namespace Hnn.Benchmarks

open System
open BenchmarkDotNet.Attributes
open Hnn.Data
open Hnn.Integrators
open Hnn.Systems

/// Float64 steppers on 1000 three-body states (12 coordinates each), the field of `NBody.ThreeBody`.
type ArrayIntegrators() =
    let count = 1000
    let dim = 12
    let field = BatchVectorField(fun t x dxdt n -> NBody.ThreeBody.BatchTimeDerivative(t, x, dxdt, n))
    let mutable states: double[] = [||]
    let mutable start: double[] = [||]
    let mutable steppers: Map<string, IStepper> = Map.empty

    /// Torch threads (the float64 fixed-step path is single-threaded; Dormand–Prince runs trajectories in parallel).
    [<ParamsSource("ThreadCounts")>]
    member val Threads = 1 with get, set

    member _.ThreadCounts = Threads.counts

    [<GlobalSetup>]
    member this.Setup() =
        Threads.apply this.Threads
        let rng = Sampling 0
        start <- Array.zeroCreate (count * dim)
        for k in 0 .. count - 1 do
            OrbitStarts.ThreeBody(rng, start.AsSpan(k * dim, dim))
        states <- Array.copy start
        steppers <-
            [ "rk4", Rk4.Tableau :> IFixedStepMethod; "leapfrog", Leapfrog.Tableau; "yoshida4", Yoshida4.Tableau ]
            |> List.map (fun (name, m) -> name, m.CreateStepper(field, count, dim))
            |> Map.ofList

    member private _.Step(name: string) =
        steppers[name].Step(0.0, states.AsSpan(), 1e-3)
        states[0]

    /// One RK4 step of the batch (4 field evaluations).
    [<Benchmark>]
    member this.Rk4Step() = this.Step "rk4"

    /// One leapfrog step of the batch (kick–drift–kick).
    [<Benchmark>]
    member this.LeapfrogStep() = this.Step "leapfrog"

    /// One Yoshida 4 step of the batch (three leapfrog sub-steps).
    [<Benchmark>]
    member this.Yoshida4Step() = this.Step "yoshida4"

    /// Dormand–Prince 5(4) of 100 of the orbits over one time unit, 5 output times, rtol = atol = 1e-9 (the recipe's).
    [<Benchmark>]
    member _.DormandPrinceSolve() =
        let n = 100
        let y0 = start[.. n * dim - 1]
        let out =
            Ode.Solve(
                field,
                DormandPrince45.Tableau,
                y0,
                n,
                dim,
                0.0,
                ReadOnlySpan [| 0.0; 0.25; 0.5; 0.75; 1.0 |],
                AdaptiveSettings(1e-9, 1e-9)
            )
        out[out.Length - 1]
