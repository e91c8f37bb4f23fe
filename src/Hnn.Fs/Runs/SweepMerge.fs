/// Merging a sweep: per task, model (and settings) and metric, the mean over seeds, the sample standard
/// deviation, and a 95 % interval for the mean from Student's t, with each seed's value. Written as
/// `SWEEP_DIR/results.json` (the results schema, with the spread beside each mean), `results.md` and a minimal
/// `reports/sweep.html`. Statistics in float64.
module Hnn.SweepMerge

open System
open System.IO
open System.Net
open System.Text.Json.Nodes
open MathNet.Numerics.Distributions
open Hnn.IO
open Hnn.Results
open Hnn.Sweep
open Hnn.Training

/// A metric over seeds.
type Summary =
    {
        /// Seeds with a value.
        N: int
        Mean: float
        /// Sample standard deviation (n − 1 in the denominator); None for one seed.
        Std: float option
        /// Standard error of the mean, std/√n; for one seed, that run's own error estimate (its results.json's err).
        Err: float
        /// 95 % interval for the mean: mean ± t(0.975, n − 1)·std/√n; None for one seed.
        Interval: (float * float) option
        /// Each seed's value, in the sweep's seed order.
        Seeds: (int * float) list
    }

/// The two-sided 95 % quantile of Student's t with `freedom` degrees of freedom (12.706 for 1, 1.960 as → ∞).
let tQuantile (freedom: int) = StudentT.InvCDF(0.0, 1.0, float freedom, 0.975)

/// Mean, sample standard deviation and the t interval of one metric over seeds, from each seed's run's value.
let summarize (values: (int * LossEstimate) list) : Summary =
    let xs = values |> List.map (fun (_, v) -> v.Mean)
    let n = xs.Length
    if n = 0 then
        invalidArg (nameof values) "no values to summarize"
    let mean = List.average xs
    let std = if n > 1 then Some(sqrt ((xs |> List.sumBy (fun x -> (x - mean) ** 2.0)) / float (n - 1))) else None
    let err = std |> Option.map (fun s -> s / sqrt (float n))
    { N = n
      Mean = mean
      Std = std
      Err = err |> Option.defaultWith (fun () -> (snd values.Head).Err)
      Interval = err |> Option.map (fun e -> let h = tQuantile (n - 1) * e in mean - h, mean + h)
      Seeds = values |> List.map (fun (seed, v) -> seed, v.Mean) }

/// One model (with one combination of the varying settings) on one task, over seeds.
type Group =
    {
        Task: string
        Model: string
        /// The varying settings' `name=value`s (`Sweep.slug`), empty if none varies.
        Settings: string
        /// Metrics in the reports' order.
        Metrics: (string * Summary) list
    }

/// The key of a group under its task in results.json: the model, or `model/settings` when settings vary.
let label (g: Group) = if g.Settings = "" then g.Model else g.Model + "/" + g.Settings

/// A merged sweep.
type Merged =
    {
        Spec: Spec
        Jobs: int
        /// Jobs without finished results (not run yet, running, failed), by folder.
        Missing: string list
        Groups: Group list
    }

/// Reads every finished job's results.json and summarizes each metric over the seeds.
let merge (sweepDir: string) : Merged =
    let sweep = load sweepDir
    let finished, missing = sweep.Jobs |> List.partition (fun j -> state sweepDir j = Finished)
    let cells =
        [ for j in finished do
              for c in ResultsFile.Read(Path.Combine(jobFolder sweepDir j, ResultsFile.FileName)) do
                  if c.Task = j.Task && c.Model = j.Model then
                      (j, c) ]
    let metricRank m = TextTable.metricOrder |> List.tryFindIndex ((=) m) |> Option.defaultValue 99
    let groups =
        [ for j in sweep.Jobs do
              let key = j.Task, j.Model, slug sweep.Spec j.Settings
              key ]
        |> List.distinct
        |> List.choose (fun (task, model, settings) ->
            let mine = cells |> List.filter (fun (j, _) -> j.Task = task && j.Model = model && slug sweep.Spec j.Settings = settings)
            if mine.IsEmpty then
                None
            else
                let metrics =
                    mine
                    |> List.groupBy (fun (_, c) -> c.Metric)
                    |> List.sortBy (fun (m, _) -> metricRank m, m)
                    |> List.map (fun (m, cs) -> m, summarize [ for j, c in cs -> j.Seed, c.Value ])
                Some { Task = task; Model = model; Settings = settings; Metrics = metrics })
    { Spec = sweep.Spec; Jobs = sweep.Jobs.Length; Missing = missing |> List.map _.Folder; Groups = groups }

let private orNull (v: float option) : JsonNode | null =
    match v with
    | Some x -> JsonValue.Create x
    | None -> null

/// results.json of a sweep: `{"tasks": {task: {label: {metric: {"mean", "err", "std", "n", "ci95": [lo, hi],
/// "seeds": {seed: value}}}}}, "sweep": {"jobs", "finished", "missing": [folders], "settings": [varying names]}}`.
/// `err` is std/√n (for one seed that run's own err), so the file reads as any results.json; `std` and `ci95` are
/// null for one seed.
let toJson (m: Merged) =
    let tasks = JsonObject()
    for g in m.Groups do
        let task =
            match tasks[g.Task] with
            | :? JsonObject as o -> o
            | _ ->
                let o = JsonObject()
                tasks[g.Task] <- o
                o
        let metrics = JsonObject()
        for name, s in g.Metrics do
            let seeds = JsonObject()
            for seed, v in s.Seeds do
                seeds[string seed] <- JsonValue.Create v
            let o = JsonObject()
            o["mean"] <- JsonValue.Create s.Mean
            o["err"] <- JsonValue.Create s.Err
            o["std"] <- orNull s.Std
            o["n"] <- JsonValue.Create s.N
            o["ci95"] <-
                match s.Interval with
                | Some(lo, hi) -> jsonArray [ JsonValue.Create lo; JsonValue.Create hi ] |> withNull
                | None -> null
            o["seeds"] <- seeds
            metrics[name] <- o
        task[label g] <- metrics
    let sweep = JsonObject()
    sweep["jobs"] <- JsonValue.Create m.Jobs
    sweep["finished"] <- JsonValue.Create(m.Jobs - m.Missing.Length)
    sweep["missing"] <- jsonArray (m.Missing |> List.map jsonString)
    sweep["settings"] <- jsonArray (m.Spec.Settings |> List.filter (fun a -> a.Values.Length > 1) |> List.map (fun a -> jsonString a.Name))
    let root = JsonObject()
    root["tasks"] <- tasks
    root["sweep"] <- sweep
    root.ToJsonString Json.Options

let private sci (v: float) = Format.sci 3 v
let private optional (v: float option) = v |> Option.map sci |> Option.defaultValue "—"

/// The rows of the table: task, model, settings, metric, mean, std, 95 % interval, n, each seed's value.
let rows (m: Merged) =
    [ for g in m.Groups do
          for metric, s in g.Metrics ->
              [ g.Task
                g.Model
                (if g.Settings = "" then "—" else g.Settings)
                metric
                sci s.Mean
                optional s.Std
                (match s.Interval with
                 | Some(lo, hi) -> sprintf "[%s, %s]" (sci lo) (sci hi)
                 | None -> "—")
                string s.N
                s.Seeds |> List.map (fun (seed, v) -> sprintf "%d: %s" seed (sci v)) |> String.concat ", " ] ]

let private headers = [ "task"; "model"; "settings"; "metric"; "mean"; "std"; "95 % interval"; "n"; "per seed" ]

let private missingNote (m: Merged) =
    if m.Missing.IsEmpty then
        sprintf "All %d jobs finished." m.Jobs
    else
        sprintf "%d of %d jobs have no finished results: %s." m.Missing.Length m.Jobs (String.concat ", " m.Missing)

/// results.md of a sweep: one table over every task, model, settings and metric.
let markdown (m: Merged) =
    let table = [ for r in rows m -> "| " + String.concat " | " r + " |" ]
    String.concat
        "\n"
        ([ "# Sweep: mean over seeds, sample standard deviation, 95 % interval (Student's t)"
           ""
           missingNote m
           ""
           "| " + String.concat " | " headers + " |"
           "|" + String.replicate headers.Length "---|" ]
         @ table
         @ [ "" ])

/// A minimal HTML page of the same table (no charts), for the reports to link or embed.
let html (m: Merged) =
    let encode (s: string) = WebUtility.HtmlEncode s |> Option.ofObj |> Option.defaultValue ""
    let cells (tag: string) (r: string list) = r |> List.map (fun c -> sprintf "<%s>%s</%s>" tag (encode c) tag) |> String.concat ""
    let body =
        String.concat
            "\n"
            ([ "<h1>Sweep: mean over seeds, standard deviation, 95 % interval</h1>"
               sprintf "<p class=\"note\">%s Interval: mean ± t(0.975, n − 1)·std/√n.</p>" (encode (missingNote m))
               "<table>"
               "<tr>" + cells "th" headers + "</tr>" ]
             @ [ for r in rows m -> "<tr>" + cells "td" r + "</tr>" ]
             @ [ "</table>" ])
    HtmlReport.page "Sweep" false body

/// Merges the sweep in `sweepDir` and writes results.json, results.md and reports/sweep.html there;
/// returns the merged sweep and the paths.
let write (sweepDir: string) =
    let m = merge sweepDir
    let folder = RunFolder sweepDir
    let json = folder.Results
    let md = folder.ResultsMarkdown
    let page = folder.Report "sweep"
    AtomicFile.WriteAllText(json, toJson m)
    AtomicFile.WriteAllText(md, markdown m)
    AtomicFile.WriteAllText(page, html m)
    m, [ json; md; page ]
