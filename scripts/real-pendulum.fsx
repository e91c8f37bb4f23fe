#!/usr/bin/env -S dotnet fsi
// Task 3 of the paper: Schmidt & Lipson's measured pendulum (data/real_pend_h_1.txt).
// Trains on forward differences of the measurements; compares energies along the measured test span.
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/real-pendulum" }
let models = Experiment.runScript options Tasks.realPendulum Tasks.modelKinds "scripts/real-pendulum.fsx"
