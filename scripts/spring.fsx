#!/usr/bin/env -S dotnet fsi
// Task 1 of the paper: an ideal mass-spring, H = q² + p².
// Trains the baseline, the HNN and the dissipative HNN on 25 noisy trajectories, integrates each from 15 new starts, and compares with the paper.
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/spring" }
let started = System.DateTime.UtcNow

let models = Experiment.runTask options Tasks.spring Tasks.modelKinds

Experiment.record options "scripts/spring.fsx" started models |> printfn "results: %s"
printfn "%s" (Report.table Tasks.spring.Key (models |> List.collect Experiment.cells))
