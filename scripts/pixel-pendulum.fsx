#!/usr/bin/env -S dotnet fsi
// Task 5 of the paper: the pixel pendulum. Renders 200 trials of Gym's pendulum as 28×28 frames, trains the
// baseline and the HNN on an autoencoder's 2-d latent space (10 000 steps each, checkpointed), rolls both out in
// latent space, and writes results.json, the models, the animations (true | baseline | HNN) and an HTML report into
// results/pixel-pendulum/ — the run path of every task.
// Usage: dotnet fsi scripts/pixel-pendulum.fsx [steps] [threads]   (on a busy machine one thread is much faster)
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let steps = fsi.CommandLineArgs |> Array.tryItem 1 |> Option.map int
let threads = fsi.CommandLineArgs |> Array.tryItem 2 |> Option.map int
let options = { Experiment.defaults with Steps = steps; Threads = threads; OutDir = "results/pixel-pendulum" }
let models = Experiment.runScript options Tasks.pixelPendulum PixelPendulum.modelKinds "scripts/pixel-pendulum.fsx"
printfn "%s" (PixelPendulum.memory ())
