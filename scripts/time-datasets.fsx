#!/usr/bin/env -S dotnet fsi
// How long each simulated dataset of the paper takes to generate at its full size (run by hand, not a test).
// Build first: dotnet build src/Hnn.Core.CSharp -c Release
#r "../src/Hnn.Core.CSharp/bin/Release/net10.0/Hnn.Core.dll"

open System.Diagnostics
open Hnn.Data

/// Generates once to warm up the JIT, then reports the best of three timed runs.
let time (name: string) (generate: unit -> Dataset) =
    generate () |> ignore
    let seconds =
        [ for _ in 1..3 ->
              let watch = Stopwatch.StartNew()
              let d = generate ()
              watch.Stop()
              watch.Elapsed.TotalSeconds, d ]
    let best, d = seconds |> List.minBy fst
    printfn "%-14s %6d train + %6d test rows, D = %2d: %.3f s (best of 3)" name d.TrainX.Rows d.TestX.Rows d.Dimension best

time "spring" (fun () -> SpringRecipe().Generate())
time "pendulum" (fun () -> PendulumRecipe().Generate())
time "real pendulum" (fun () -> RealPendulumRecipe().Generate())
time "two-body" (fun () -> TwoBodyRecipe().Generate())
time "three-body" (fun () -> ThreeBodyRecipe().Generate())
