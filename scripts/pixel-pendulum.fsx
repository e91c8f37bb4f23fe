#!/usr/bin/env -S dotnet fsi
// Task 5 of the paper: the pixel pendulum. Renders 200 trials of Gym's pendulum as 28×28 frames, trains the
// baseline and the HNN on an autoencoder's 2-d latent space (10 000 steps each), rolls both out in latent space,
// and writes results.json and the animations (true | baseline | HNN) into results/pixel-pendulum/.
// Usage: dotnet fsi scripts/pixel-pendulum.fsx [steps] [threads]   (on a busy machine one thread is much faster)
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let steps = fsi.CommandLineArgs |> Array.tryItem 1 |> Option.map int |> Option.defaultValue 10000
let threads = fsi.CommandLineArgs |> Array.tryItem 2 |> Option.map int
let options = { PixelPendulum.defaults with Steps = steps; Threads = threads }
let started = System.DateTime.UtcNow

let outcome = PixelPendulum.run options

PixelPendulum.record options "scripts/pixel-pendulum.fsx" started outcome |> printfn "results: %s"
outcome.Pictures |> List.iter (printfn "picture: %s")
for cell in outcome.Cells do
    printfn "%-16s %-9s %-21s %.4e ± %.1e" cell.Task cell.Model cell.Metric cell.Value.Mean cell.Value.Err
printfn "%.0f s, %s" outcome.Seconds (PixelPendulum.memory ())
