#!/usr/bin/env -S dotnet fsi
// Beyond the paper: the mass-spring with friction −0.2·p on dp/dt. The dissipative HNN's learned
// contraction rate −ΔD (contraction_rate) should come out at the true γ = 0.2; the HNN cannot lose energy.
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/damped-spring" }
let started = System.DateTime.UtcNow

let models = Experiment.runTask options Tasks.dampedSpring Tasks.modelKinds

Experiment.record options "scripts/damped-spring.fsx" started models |> printfn "results: %s"
printfn "%s" (Report.table Tasks.dampedSpring.Key (models |> List.collect Experiment.cells))
