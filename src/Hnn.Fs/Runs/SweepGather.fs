/// The main job as a local sweep, gathered back into one run folder: each finished job's folder (one model of one
/// task) is copied and merged into the layout `hnn run` writes — results.json (one run record per task, as each task
/// of `hnn run` appends one), results.md, models/, checkpoints/, artifacts/, the pixel pendulum's pictures of all its
/// models side by side, and the HTML reports with their index.
module Hnn.SweepGather

open System
open System.IO
open System.Text.Json.Nodes
open Hnn.Results
open Hnn.Sweep

/// What a job's results.json records of its last run: steps, threads and wall seconds (None if unreadable).
let private lastRun (resultsPath: string) =
    try
        match JsonNode.Parse(File.ReadAllText resultsPath) with
        | :? JsonObject as root ->
            match root["runs"] with
            | :? JsonArray as runs when runs.Count > 0 ->
                match runs[runs.Count - 1] with
                | :? JsonObject as run ->
                    let number (name: string) =
                        match run[name] with
                        | null -> 0.0
                        | n -> n.GetValue<float>()
                    Some(int (number "steps"), int (number "threads"), number "seconds")
                | _ -> None
            | _ -> None
        | _ -> None
    with _ ->
        None

/// Copies every file of `from` into `into` (created if needed), replacing files of the same name.
let private copyFiles (from: string) (into: string) =
    if Directory.Exists from then
        Directory.CreateDirectory into |> ignore
        for f in Directory.GetFiles from do
            File.Copy(f, Path.Combine(into, Path.GetFileName f |> nonNull), true)

/// The gathered run folder.
type Gathered =
    {
        /// The jobs whose results were gathered.
        Finished: Job list
        /// The jobs without finished results (not run, stopped, failed): their tasks' run records say so.
        Missing: Job list
        /// The run folder's results.json.
        Results: string
        /// The pixel pendulum's pictures, if all its models finished (none under --no-eval).
        Pictures: string list
    }

/// Gathers the finished jobs of the sweep in `sweepDir` into the run folder `options.OutDir` (files of the same name
/// replaced, results.json merged). Each task gets one run record: `command`, the jobs' thread count, the sum of their
/// wall seconds, and status "completed" when all its jobs finished, else `unfinished` ("interrupted" or "failed")
/// naming the jobs without results. When the pixel pendulum's jobs all finished (and `options.Evaluate`), its pictures
/// show all its models side by side, drawn from the gathered models on the frames of `options.Seed`; the reports are
/// written by the caller (`Experiment.writeReports`).
let gather (sweepDir: string) (options: Experiment.Options) (command: string) (started: DateTime) (unfinished: string) =
    let sweep = load sweepDir
    let out = RunFolder options.OutDir
    Directory.CreateDirectory out.Root |> ignore
    let finished, missing = sweep.Jobs |> List.partition (fun j -> state sweepDir j = Finished)
    for j in finished do
        let job = RunFolder(jobFolder sweepDir j)
        copyFiles job.Models out.Models
        copyFiles job.Checkpoints out.Checkpoints
        copyFiles (Path.Combine(job.Root, RunArtifacts.Folder)) (Path.Combine(out.Root, RunArtifacts.Folder))
        copyFiles (Path.Combine(job.Root, "tasks")) (Path.Combine(out.Root, "tasks"))
    let mutable results = out.Results
    for _, jobs in sweep.Jobs |> List.groupBy _.Task do
        let gathered = jobs |> List.filter (fun j -> List.contains j finished)
        let resultsOf (j: Job) = RunFolder(jobFolder sweepDir j).Results
        let cells =
            [ for j in gathered do
                  for c in ResultsFile.Read(resultsOf j) do
                      if c.Task = j.Task && c.Model = j.Model then
                          c ]
        let runs = gathered |> List.choose (resultsOf >> lastRun)
        let steps = runs |> List.tryHead |> Option.map (fun (s, _, _) -> s) |> Option.defaultValue (defaultArg options.Steps 0)
        let threads = runs |> List.tryHead |> Option.map (fun (_, t, _) -> t) |> Option.defaultValue (defaultArg options.Threads 1)
        let seconds = runs |> List.sumBy (fun (_, _, s) -> s)
        let absent = jobs |> List.filter (fun j -> not (List.contains j finished))
        let status, (reason: string | null) =
            if absent.IsEmpty then
                ResultsFile.RunStatus.Completed, null
            else
                unfinished, sprintf "jobs without results: %s" (absent |> List.map describe |> String.concat ", ")
        let info = ResultsFile.RunInfo(started.ToString "o", options.Seed, steps, threads, seconds, command, status, reason)
        results <- ResultsFile.Merge(out.Root, cells, info)
    let pixels = finished |> List.filter (fun j -> j.Task = PixelPendulum.taskKey)
    let pictures =
        let all = sweep.Jobs |> List.filter (fun j -> j.Task = PixelPendulum.taskKey)
        match Tasks.pixelPendulum.Source with
        | Tasks.Pixels recipe when options.Evaluate && not pixels.IsEmpty && pixels.Length = all.Length ->
            let kinds = PixelPendulum.modelKinds |> List.filter (fun k -> pixels |> List.exists (fun j -> j.Model = Tasks.modelKey k))
            let data = PixelPendulum.data (Tasks.cacheFolder ()) options.Log recipe options.Seed
            let models = [ for k in kinds -> PixelPendulum.load (out.Model(PixelPendulum.taskKey, Tasks.modelKey k)) ]
            try
                PixelPendulum.pictures out recipe.Renderer data models
            finally
                for m in models do
                    m.Dispose()
        | _ -> []
    if File.Exists out.Results then
        TextTable.writeMarkdown out.Root |> ignore
    { Finished = finished; Missing = missing; Results = results; Pictures = pictures }
