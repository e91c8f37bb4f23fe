(**
---
title: Compose a Hamiltonian, train, check
category: Guides (executed when the site is built)
categoryindex: 1
index: 1
---
*)
(*** condition: prepare ***)
#load "../scripts/hnn.fsx"
(**
# Compose a Hamiltonian, sample, train, check

This page is an F# script (`docs/guide-compose.fsx`). Its code ran when this site was built
(`dotnet fsi build.fsx docs`), and what it printed is shown below each part: the numbers are this build's. In a script
of your own, start with `#r "nuget: Hnn.Fs"` (see [packages](packages.html)); in a clone of the repository,
`#load "scripts/hnn.fsx"` after `dotnet fsi build.fsx build`. Steps are few here so that the site builds in
minutes; the paper's recipe trains 2000 steps. [The compose reference](compose.html) lists every function.

## Write H

A Hamiltonian is a function of positions q and momenta p, batches of [N, n] tensors, that returns H for each row.
`open Hnn` brings `cos`, `sin`, `**` and the rest for tensors, so a pendulum reads as the physicist writes it:
*)
open Hnn

let pendulum = Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + 1.0 - cos q) |> Hamiltonian.named "pendulum"

(**
Its energy and its field dx/dt = (∂H/∂p, −∂H/∂q), by autograd, at (q, p) = (0.5, 0.1); H = T(p) + V(q) is detected
as separable, so it is integrated with a symplectic leapfrog:
*)
printfn "H = %.6f, dx/dt = %A" (Hamiltonian.energyAt pendulum [| 0.5; 0.1 |]) (Hamiltonian.fieldAt pendulum [| 0.5; 0.1 |])
printfn "separable: %b, integrator: %s" (Hamiltonian.isSeparable pendulum) (Hamiltonian.integrator pendulum).Name
(*** include-output ***)

(**
## Compose

Systems combine: `Hamiltonian.product` puts two side by side (state (q₁, q₂, p₁, p₂)), `Hamiltonian.couple` adds a
coupling term. Two pendulums joined by a horizontal spring:
*)
let coupled =
    Hamiltonian.product pendulum pendulum
    |> Hamiltonian.couple (fun q p -> 0.25 * (sin (col 0 q) - sin (col 1 q)) ** 2.0)
    |> Hamiltonian.named "pendulums + spring"

printfn "%s: %d degrees of freedom, coordinates %A, H at rest %g" coupled.Name coupled.DegreesOfFreedom coupled.Coordinates
    (Hamiltonian.energyAt coupled [| 0.0; 0.0; 0.0; 0.0 |])
(*** include-output ***)

(**
## Sample

`Pipeline.sample` integrates trajectories from random starts (Dormand–Prince 5(4), float64), adds noise to the
states and splits the trajectories into train and test. Here 20 pendulum trajectories of 30 points over [0, 3]:
*)
let sampled =
    pendulum
    |> Pipeline.sample { Pipeline.recipe with Trajectories = 20; Starts = Pipeline.Radius(0.5, 1.5) }

printfn "%d train and %d test states of dimension %d" sampled.Dataset.TrainX.Rows sampled.Dataset.TestX.Rows sampled.Dataset.Dimension
(*** include-output ***)

(**
## Train briefly

`Pipeline.train` fits the paper's two models on the same data: a baseline MLP whose output is dx/dt, and a
Hamiltonian neural network whose output is H, its field taken by autograd. 300 full-batch Adam steps on one
thread:
*)
let trained = sampled |> Pipeline.train { Pipeline.training with Steps = 300; Threads = Some 1 }

for fit in [ trained.Baseline; trained.Hnn ] do
    printfn "%-8A test loss %s" fit.Kind (Report.sci 3 fit.Result.FinalTest.Mean)
(*** include-output ***)

(**
## Evaluate

`Pipeline.evaluate` integrates both learned fields and the true one from the protocol's starts and compares the
true energy along the paths (energy MSE), the states (rollout MSE) and the relative energy drift at the end. Five
starts over t ∈ [0, 10]:
*)
let evaluated = trained |> Pipeline.evaluate { Pipeline.protocol with Count = 5; TimeSpan = 10.0 }
printfn "%s" (Pipeline.report evaluated)
(*** include-output ***)

(**
## Check

The learned HNN conserves its own H by construction; the baseline does not. `Hnn.Physics` measures it on states
drawn from a domain, against a bound that scales with the step and the horizon (see [the physics checks
guide](guide-physics.html)). 20 states per law here, with a fixed FsCheck seed so the page is reproducible:
*)
let settings = { Physics.defaults with Cases = 20; Replay = Some(12345UL, 67891UL) }
let spring = Domain.shell 2 0.5 1.5

for name, fit in [ "HNN", trained.Hnn; "baseline", trained.Baseline ] do
    let subject = Physics.model spring None name fit.Model
    for report in Physics.checkWith settings subject [ Physics.energyConservation; Physics.symplecticity ] do
        printfn "%-8s %s" name (Physics.formatReport report |> fun s -> s.Split('\n')[0])
(*** include-output ***)

(**
## The same system as a task

`TaskSources.ofHamiltonian` makes the system a task like the paper's: `Experiment.runScript` trains the baseline,
the HNN and the dissipative HNN with checkpoints, evaluates them, and writes a run folder (results.json,
results.md, the models for `hnn check`, an HTML report). 100 steps each here, into a temporary folder:
*)
let task =
    TaskSources.ofHamiltonian "pendulum-guide" pendulum
        { Pipeline.recipe with Trajectories = 20; Starts = Pipeline.Radius(0.5, 1.5) }
        { Pipeline.protocol with Count = 5; TimeSpan = 10.0 }
        (Tasks.training 100 1e-4 None)

let folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hnn-docs-compose")
if System.IO.Directory.Exists folder then System.IO.Directory.Delete(folder, true)
let options = { Experiment.defaults with OutDir = folder; Threads = Some 1; Log = ignore }
let models = Experiment.runScript options task Tasks.modelKinds "docs/guide-compose.fsx"

printfn "%s\n" (Report.table task.Key (models |> List.collect Experiment.cells))

for file in System.IO.Directory.GetFiles(folder, "*", System.IO.SearchOption.AllDirectories) |> Array.sort do
    printfn "%s" (System.IO.Path.GetRelativePath(folder, file))
(*** include-output ***)
