#!/usr/bin/env -S dotnet fsi
// Beyond the paper: the real pendulum (data/real_pend_h_1.txt) with centred-difference targets.
// The paper's forward differences estimate dx/dt half a sample late, which reads as friction the pendulum
// does not have; with second-order differences the dissipative HNN learns the pendulum's own energy loss.
// Trains the baseline, the HNN and the dissipative HNN; compares energies along the measured test span.
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let options = { Experiment.defaults with OutDir = "results/real-pendulum-central" }
let models = Experiment.runScript options Tasks.realPendulumCentral Tasks.modelKinds "scripts/real-pendulum-central.fsx"
