#!/usr/bin/env -S dotnet fsi
// Beyond the paper: the real pendulum (data/real_pend_h_1.txt) with centred-difference targets.
// The paper's forward differences estimate dx/dt half a sample late, which reads as friction the pendulum
// does not have; with second-order differences the dissipative HNN learns the pendulum's own energy loss.
// Trains the baseline, the HNN and the dissipative HNN; compares energies along the measured test span.
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/real-pendulum-central" }
let started = System.DateTime.UtcNow

let models = Experiment.runTask options Tasks.realPendulumCentral Tasks.modelKinds

Experiment.record options "scripts/real-pendulum-central.fsx" started models |> printfn "results: %s"
printfn "%s" (Report.table Tasks.realPendulumCentral.Key (models |> List.collect Experiment.cells))
