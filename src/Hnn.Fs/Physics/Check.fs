/// Property-based physics checks. A law (energy conservation, time reversibility, symplecticity, Liouville,
/// convergence order, bounded energy error) is checked with FsCheck on phase-space states drawn from a domain,
/// for a learned model, a true system or an integrator, and returns a `Report`: passed or failed, the shrunk
/// counterexample, the measured quantity, its tolerance, and the seed that replays the run:
/// `Check.laws (Subject.model domain (Some spring) "HNN" net) [ Laws.energyConservation; Laws.liouville ]`.
module Hnn.Physics.Check

open System
open FsCheck
open FsCheck.FSharp
open Hnn

let private freshSeed () =
    let r = Rnd(uint64 (Random.Shared.NextInt64()))
    r.Seed, r.Gamma

let private runLaw (settings: Settings) (subject: Subject) (law: Law) : Report =
    let seed = settings.Replay |> Option.defaultWith freshSeed
    let empty outcome =
        { Law = law.Name
          Subject = Subject.name subject
          Outcome = outcome
          Quantity = law.Quantity
          Measured = nan
          Tolerance = nan
          Counterexample = None
          Original = None
          Cases = 0
          Shrinks = 0
          Seed = seed
          Message = "" }
    match law.Prepare settings subject with
    | Error reason -> empty (NotApplicable reason)
    | Ok probe ->
        use _ = probe
        let measure = probe.Measure
        let empty outcome =
            { empty outcome with
                Quantity = if probe.Detail = "" then law.Quantity else sprintf "%s (%s)" law.Quantity probe.Detail }
        let mutable worst: Measurement = { Value = nan; Tolerance = nan }
        let mutable worstRatio = -infinity
        let mutable failing = false
        let record (m: Measurement) =
            let ratio = m.Value / m.Tolerance
            if not failing && (Double.IsNaN ratio || ratio > worstRatio) then
                worst <- m
                worstRatio <- (if Double.IsNaN ratio then infinity else ratio)
        let property (x: float[]) =
            let m =
                try
                    measure x
                with _ ->
                    { Value = nan; Tolerance = nan }
            record m
            let ok = m.Value <= m.Tolerance
            if not ok then
                failing <- true
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
        FsCheck.Check.One(config, Prop.forAll (Domain.arbitrary (Subject.domain subject)) property)
        match result with
        | Some(TestResult.Passed(data, _)) ->
            { empty Passed with Measured = worst.Value; Tolerance = worst.Tolerance; Cases = data.NumberOfTests }
        | Some(TestResult.Failed(data, original, shrunk, _, _, _, _)) ->
            let state (args: obj list) = args |> List.tryHead |> Option.map (fun o -> o :?> float[])
            let counterexample = state shrunk
            let mutable message = ""
            let at =
                counterexample
                |> Option.map (fun x ->
                    try
                        measure x
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
        | Some(TestResult.Exhausted data) ->
            { empty Failed with Cases = data.NumberOfTests; Message = "exhausted: too many rejected states" }
        | None -> { empty Failed with Message = "FsCheck reported no result" }

/// Checks each law on the subject with these settings; one report per law, in order.
let lawsWith (settings: Settings) (subject: Subject) (laws: Law list) : Report list =
    Torch.init ()
    if settings.Cases < 1 then
        invalidArg (nameof settings) (sprintf "cases must be positive, got %d" settings.Cases)
    if not (settings.Step > 0.0 && settings.Horizon > 0.0) then
        invalidArg (nameof settings) "step and horizon must be positive"
    laws |> List.map (runLaw settings subject)

/// Checks each law on the subject with the default settings (`Settings.defaults`).
let laws (subject: Subject) (laws: Law list) : Report list = lawsWith Settings.defaults subject laws
