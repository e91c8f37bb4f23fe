#!/usr/bin/env -S dotnet fsi
// Physics checks of the spring task's HNN and baseline: the laws every Hamiltonian flow obeys (energy conservation,
// time reversibility, symplecticity of the one-step map, Liouville), checked with FsCheck on 100 states each drawn
// from the task's phase-space domain (|x| in [0.2, 1]), in float64, with tolerances that scale with the step.
// Loads the models saved under results/models, or trains them first (the paper's 2000 steps, ~minutes).
// Needs a build of src/Hnn.Fs first (`dotnet build src/Hnn.Fs -c Release`).
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open System.IO
open Hnn
open Hnn.Models

let root = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
let options = { Experiment.defaults with OutDir = Path.Combine(root, "results") }
let modelPath kind = (Experiment.folder options).Model(Tasks.spring.Key, Tasks.modelKey kind)

if not (File.Exists(modelPath ModelKind.Hnn) && File.Exists(modelPath ModelKind.Baseline)) then
    printfn "no saved spring models under %s: training them" (Path.GetDirectoryName(modelPath ModelKind.Hnn))
    Experiment.runTask options Tasks.spring [ ModelKind.Baseline; ModelKind.Hnn ] |> ignore

// Every law for learned models; pass keys to select, e.g. [ "liouville"; "symplecticity" ].
let laws: string list = []
let columns = Physics.ModelFiles.checkAll [ modelPath ModelKind.Hnn; modelPath ModelKind.Baseline ] laws

printfn "%s\n" (Physics.Report.table columns)
for _, reports in columns do
    for report in reports do
        printfn "%s" (Physics.Report.format report)
