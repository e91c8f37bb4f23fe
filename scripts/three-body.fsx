#!/usr/bin/env -S dotnet fsi
// Task 4b of the paper: three bodies under gravity (chaotic), 5000 orbits.
// Trains with minibatches of 600 for 10 000 steps, integrates 15 orbits to t = 3, and compares with the paper.
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/three-body" }
let models = Experiment.runScript options Tasks.threeBody Tasks.modelKinds "scripts/three-body.fsx"
