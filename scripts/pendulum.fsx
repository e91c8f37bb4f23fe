#!/usr/bin/env -S dotnet fsi
// Task 2 of the paper: an ideal pendulum, H = 3(1 − cos q) + p².
// Trains the baseline, the HNN and the dissipative HNN on 25 noisy trajectories, integrates each from 15 new starts, and compares with the paper.
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/pendulum" }
let models = Experiment.runScript options Tasks.pendulum Tasks.modelKinds "scripts/pendulum.fsx"
