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
states and splits the trajectories into train and test. Here 20 pendulum trajectories of 30 points, t from 0 to 3:
*)
let recipe = { Pipeline.recipe with Trajectories = 20; Starts = Pipeline.Radius(0.5, 1.5) }
let sampled = pendulum |> Pipeline.sample recipe

printfn "%d train and %d test states of dimension %d" sampled.Dataset.TrainX.Rows sampled.Dataset.TestX.Rows sampled.Dataset.Dimension
(*** include-output ***)

(**
## Train briefly, as a task

`Pipeline.task` makes the system a task like the paper's: data sampled with the recipe (cached, with their
timelines), evaluated on the true flow with a protocol. `Pipeline.runWith` trains the model kinds on the one run
path of `hnn train` (checkpointed, resumable), evaluates them and records a run folder. Here the paper's baseline
(an MLP whose output is dx/dt) and HNN (an MLP whose output is H, its field taken by autograd), 300 full-batch Adam
steps each on one thread, evaluated from five starts over t from 0 to 10: the true energy along the paths (energy
MSE), the states (rollout MSE) and the relative energy drift at the end.
*)
open Hnn.Models

let folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hnn-docs-compose")
if System.IO.Directory.Exists folder then System.IO.Directory.Delete(folder, true)
let options = { Experiment.defaults with OutDir = folder; Steps = Some 300; Threads = Some 1; Log = ignore }

let run =
    pendulum
    |> Pipeline.task "pendulum-guide" recipe { Pipeline.protocol with Count = 5; TimeSpan = 10.0 } Pipeline.training
    |> Pipeline.runWith [ ModelKind.Baseline; ModelKind.Hnn ] options

printfn "%s" (Pipeline.report run)
(*** include-output ***)

(**
The run folder holds what `hnn check`, `hnn evaluate` and `hnn report` read, and the HTML report:
*)
for file in System.IO.Directory.GetFiles(folder, "*", System.IO.SearchOption.AllDirectories) |> Array.sort do
    printfn "%s" (System.IO.Path.GetRelativePath(folder, file))
(*** include-output ***)

(**
## Check

The learned HNN conserves its own H by construction; the baseline does not. `Hnn.Physics` measures it on states
drawn from a domain, against a bound that scales with the step and the horizon (see [the physics checks
guide](guide-physics.html)). 20 states per law here, with a fixed FsCheck seed so the page is reproducible:
*)
let settings = { Physics.Settings.defaults with Cases = 20; Replay = Some(12345UL, 67891UL) }
let states = Domain.shell 2 0.5 1.5

for model in run.Models do
    let name = Tasks.modelKey model.Trained.Kind
    let subject = Physics.Subject.model states None name model.Trained.Model
    for report in Physics.Check.lawsWith settings subject [ Physics.Laws.energyConservation; Physics.Laws.symplecticity ] do
        printfn "%-8s %s" name ((Physics.Report.format report).Split('\n')[0])
(*** include-output ***)
