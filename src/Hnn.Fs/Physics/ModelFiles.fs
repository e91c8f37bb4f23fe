/// Physics checks of saved models (`hnn-model` JSON beside its weights): each checked on the states of its task's
/// domain, with its task's true system if known; the logic of `hnn check --model FILE [--laws ...]`.
module Hnn.Physics.ModelFiles

open System.IO
open Hnn
open Hnn.Models

let private lawsOfKeys (keys: string list) =
    if List.isEmpty keys then
        Laws.forModels
    else
        keys
        |> List.map (fun k ->
            match Laws.tryFind k with
            | Ok l -> l
            | Error e -> invalidArg "laws" e)

/// Checks a loaded model file; returns the model's kind with the reports.
let private checkFile (settings: Settings) (selected: Law list) (path: string) =
    let struct (net, file) = ModelFile.Load path
    try
        let d = net.Settings.InputDim
        // The model's task: built in, or recorded in its run folder (models/ sits in it).
        let folder = RunFolder(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath path) |> nonNull) |> nonNull)
        let system, domain =
            match TaskSources.tryResolve folder file.Task with
            | Some task when task.Dimension = d && task.Domain.IsSome -> task.System, task.Domain.Value
            | _ -> None, Domain.box (Array.create d -1.0) (Array.create d 1.0)
        let name = sprintf "%s (%s)" (Tasks.modelKey net.Settings.Kind) file.Task
        net.Settings.Kind, Check.lawsWith settings (Model(name, net, system, domain)) selected
    finally
        net.Dispose()

/// Loads a saved model and checks the laws named by key (all model laws if the list is empty) on the states of its
/// task's domain (`Task.Domain`), with its task's true system if known; tasks without a domain or unknown ones get
/// the box [−1, 1]ᴰ and no true system. Throws ModelFileException for a bad file, ArgumentException for an unknown law.
let checkWith (settings: Settings) (path: string) (laws: string list) : Report list =
    Torch.init ()
    let selected = lawsOfKeys laws
    snd (checkFile settings selected path)

/// `checkWith Settings.defaults`.
let check (path: string) (laws: string list) : Report list = checkWith Settings.defaults path laws

/// Checks several saved models with the same laws and settings, as the columns of `Report.table`: each labelled
/// by its kind's title (`Tasks.modelTitle`: "HNN", "Dissipative HNN", "Baseline", ...) (by its file name when two share a kind).
let checkAllWith (settings: Settings) (paths: string list) (laws: string list) : (string * Report list) list =
    Torch.init ()
    let selected = lawsOfKeys laws
    let results = paths |> List.map (fun p -> p, checkFile settings selected p)
    let shared kind = (results |> List.filter (fun (_, (k, _)) -> k = kind)).Length > 1
    [ for path, (kind, reports) in results ->
          (if shared kind then Path.GetFileNameWithoutExtension path |> nonNull else Tasks.modelTitle kind), reports ]

/// `checkAllWith Settings.defaults`: `Report.table (ModelFiles.checkAll [ hnn; baseline ] [])` prints law, HNN,
/// baseline, threshold.
let checkAll (paths: string list) (laws: string list) : (string * Report list) list = checkAllWith Settings.defaults paths laws
