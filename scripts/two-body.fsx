#!/usr/bin/env -S dotnet fsi
// Task 4 of the paper: two bodies under gravity, 1000 nearly circular orbits.
// Trains with minibatches of 200 for 10 000 steps, integrates 15 orbits to t = 25, and compares with the paper.
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/two-body" }
let models = Experiment.runScript options Tasks.twoBody Tasks.modelKinds "scripts/two-body.fsx"
