(**
---
title: Your own trajectories (CSV)
category: Guides (executed when the site is built)
categoryindex: 1
index: 2
---
*)
(*** condition: prepare ***)
#load "../scripts/hnn.fsx"
(**
# Your own trajectories from a CSV file

Measured or simulated elsewhere: trajectories in a CSV file become a task like the paper's, trained, evaluated
against held-out trajectories and recorded in a run folder, from F# as here or with
`hnn train --csv FILE --model hnn` ([command line](command-line.html)). This page (`docs/guide-own-data.fsx`) ran
when the site was built; the output shown is this build's.

## The file

A header names the columns: `t`, `trajectory` (an id), the coordinates and, optionally, their time derivatives
`d<name>`. Each trajectory's rows are contiguous, at strictly increasing times, even or uneven. Here a system
Hnn does not ship, the quartic oscillator H = p²/2 + q⁴/4, written without derivatives (they are then estimated
from the file's own times by second-order differences):
*)
open System.IO
open Hnn

let quartic = Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + q ** 4.0 / 4.0) |> Hamiltonian.named "quartic"

let folder = Path.Combine(Path.GetTempPath(), "hnn-docs-own-data")
if Directory.Exists folder then Directory.Delete(folder, true)
Directory.CreateDirectory folder |> ignore
let csv = Path.Combine(folder, "quartic.csv")

let starts = Pipeline.drawStarts (Pipeline.Radius(0.5, 1.5)) quartic.Dimension 12 7
let table = Trajectories.ofSystem quartic starts (Hnn.Data.Sampling.Linspace(0.0, 4.0, 40))
Trajectories.write csv { table with Trajectories = table.Trajectories |> List.map (fun t -> { t with Derivatives = None }) }

File.ReadLines csv |> Seq.take 4 |> Seq.iter (printfn "%s")
(*** include-output ***)

(**
## Load it

`Trajectories.load` parses it strictly; `Trajectories.toDataset` splits the trajectories (the last fifth held out)
and estimates the derivatives:
*)
let loaded = Trajectories.load csv
let data = Trajectories.toDataset 0.2 loaded
printfn "%d trajectories of %A; %d train and %d test states" loaded.Trajectories.Length loaded.Coordinates data.TrainX.Rows data.TestX.Rows
(*** include-output ***)

(**
A malformed file stops before any work with the file, the line and the column:
*)
try
    Trajectories.parse Trajectories.layout "runs.csv" "t,trajectory,q,p\n0.0,a,1.0,0.0\n0.2,a,0.99,-0.1\n0.1,a,0.98,-0.2\n"
    |> ignore
with :? Hnn.Data.DataFileException as e ->
    printfn "%s" e.Message
(*** include-output ***)

(**
## The file as a task

`TaskSources.ofCsv` makes the file a task, and it runs on the same path as the paper's tasks: trained
(checkpointed), each model rolled out from the first state of every held-out trajectory and compared with the
measurements (rollout MSE: there is no known H, so no energy metrics), and recorded (results.json, models, an HTML
report, and `tasks/` with the file's path and sha256, so that `hnn check`, `hnn evaluate` and `hnn report` can
rebuild the task). The paper's baseline and HNN, 300 steps each on one thread:
*)
let task = TaskSources.ofCsv csv 0.2
let options = { Experiment.defaults with Steps = Some 300; Threads = Some 1; OutDir = Path.Combine(folder, "run"); Log = ignore }
let run = task |> Pipeline.runWith [ Models.ModelKind.Baseline; Models.ModelKind.Hnn ] options

printfn "%s\n\nnote: %s" (Pipeline.report run) task.Note
(*** include-output ***)

(**
The same from the command line: `hnn train --csv quartic.csv --model hnn --test-fraction 0.2 --out run`.
*)
