#!/usr/bin/env -S dotnet fsi
// Task 4b of the paper: three bodies under gravity (chaotic), 5000 orbits.
// Trains with minibatches of 600 for 10 000 steps, integrates 15 orbits to t = 3, and compares with the paper.
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/three-body" }
let started = System.DateTime.UtcNow

let models = Experiment.runTask options Tasks.threeBody Tasks.modelKinds

Experiment.record options "scripts/three-body.fsx" started models |> printfn "results: %s"
printfn "%s" (Report.table Tasks.threeBody.Key (models |> List.collect Experiment.cells))
