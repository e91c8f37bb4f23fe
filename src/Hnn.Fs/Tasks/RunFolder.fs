/// The layout of a run's output folder; no other code builds these paths.
/// results.json and results.md at the top; models/<task>-<model>.json (+ .weights), checkpoints/<task>-<model>.ckpt,
/// artifacts/<task>-<model>.json, reports/<task>.html and index.html, logs/, tasks/<task>.json (what rebuilds a task
/// that is not built in, e.g. a CSV file and its sha256), and the pictures of a task.
namespace Hnn

open System
open System.IO
open Hnn.Results

/// A run's output folder: the one place that knows where each of its files lives.
[<Sealed>]
type RunFolder(root: string) =
    let under (parts: string list) = Path.Combine(Array.ofList (root :: parts))
    let file (folder: string) (task: string) (model: string) (extension: string) = under [ folder; sprintf "%s-%s%s" task model extension ]

    /// The folder itself.
    member _.Root = root
    /// results.json: every cell and run recorded here.
    member _.Results = under [ ResultsFile.FileName ]
    /// results.md: the cells beside the paper's.
    member _.ResultsMarkdown = under [ "results.md" ]
    /// The saved models' folder.
    member _.Models = under [ "models" ]
    /// A saved model's description (`hnn-model` JSON; its weights sit beside it).
    member _.Model(task: string, model: string) = file "models" task model ".json"
    /// A saved model's weights alone (the pixel pendulum's models).
    member _.Weights(task: string, model: string) = file "models" task model ".weights"
    /// The checkpoints' folder.
    member _.Checkpoints = under [ "checkpoints" ]
    /// A model's training checkpoint.
    member _.Checkpoint(task: string, model: string) = file "checkpoints" task model ".ckpt"
    /// Whether the folder holds any training checkpoint.
    member this.HasCheckpoints =
        Directory.Exists this.Checkpoints && not (Seq.isEmpty (Directory.EnumerateFiles(this.Checkpoints, "*.ckpt")))
    /// A model's artifacts: loss curves and evaluation paths (Hnn.Results.RunArtifacts).
    member _.Artifacts(task: string, model: string) = RunArtifacts.PathFor(root, task, model)
    /// The reports' folder.
    member _.Reports = under [ "reports" ]
    /// A task's report page.
    member _.Report(task: string) = under [ "reports"; task + ".html" ]
    /// The reports' index page.
    member _.ReportIndex = under [ "reports"; "index.html" ]
    /// A failure's whole trace, named by its time.
    member _.FailureLog(time: DateTime) = under [ "logs"; sprintf "failure-%s.log" (time.ToString "yyyyMMdd-HHmmss") ]
    /// What rebuilds a task that is not built in (a CSV task: its file and sha256).
    member _.TaskFile(task: string) = under [ "tasks"; task + ".json" ]
    /// The tasks recorded by `TaskFile`.
    member this.TaskFiles =
        let folder = under [ "tasks" ]
        if Directory.Exists folder then
            Directory.GetFiles(folder, "*.json") |> Array.sort |> List.ofArray
        else
            []
    /// A picture of a task (e.g. the pixel pendulum's "pixel-pendulum.gif").
    member _.Picture(name: string) = under [ name ]
    override _.ToString() = root
