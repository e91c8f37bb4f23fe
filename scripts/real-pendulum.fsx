#!/usr/bin/env -S dotnet fsi
// Task 3 of the paper: Schmidt & Lipson's measured pendulum (data/real_pend_h_1.txt).
// Trains on forward differences of the measurements; compares energies along the measured test span.
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/real-pendulum" }
let started = System.DateTime.UtcNow

let models = Experiment.runTask options Tasks.realPendulum Tasks.modelKinds

Experiment.record options "scripts/real-pendulum.fsx" started models |> printfn "results: %s"
printfn "%s" (Report.table Tasks.realPendulum.Key (models |> List.collect Experiment.cells))
