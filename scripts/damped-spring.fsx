#!/usr/bin/env -S dotnet fsi
// Beyond the paper: the mass-spring with friction −0.2·p on dp/dt. The dissipative HNN's learned
// contraction rate −ΔD (contraction_rate) should come out at the true γ = 0.2; the HNN cannot lose energy.
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/damped-spring" }
let models = Experiment.runScript options Tasks.dampedSpring Tasks.modelKinds "scripts/damped-spring.fsx"
