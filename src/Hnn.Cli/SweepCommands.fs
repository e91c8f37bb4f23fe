/// The bodies of `hnn sweep`, `hnn job` and `hnn report` on a sweep folder. A user error raises ArgumentException,
/// which `main` prints as one line with exit code 2.
module Hnn.Cli.SweepCommands

open System
open System.IO
open System.Threading
open Argu
open Hnn
open Hnn.Cli.Arguments
open Hnn.Results
open Hnn.Training

let private usage (message: string) : 'a = raise (ArgumentException message)

/// This program as a child process runs it: `dotnet hnn.dll` or the apphost (as `hnn bench` does).
let self () =
    let entry = Reflection.Assembly.GetEntryAssembly() |> nonNull
    match Environment.ProcessPath with
    | null -> usage "cannot tell how this program was started (no process path), so workers cannot be started"
    | host when Path.GetFileNameWithoutExtension host = "dotnet" -> host, [ entry.Location ]
    | host -> host, []

let private commandLine () = String.Join(" ", "hnn" :: List.ofArray (Environment.GetCommandLineArgs() |> Array.skip 1))

let private ok (result: Result<'a, string>) =
    match result with
    | Ok v -> v
    | Error e -> usage e

/// Options that only make sense in one mode, refused in the others before anything is written.
let private checkMode (args: ParseResults<SweepArgs>) =
    let slurm, k8s = args.Contains SweepArgs.Slurm, args.Contains SweepArgs.K8s
    let given (option: string) (present: bool) (allowed: bool) (where: string) =
        if present && not allowed then usage (sprintf "%s applies to %s" option where)
    if slurm && k8s then usage "--slurm and --k8s exclude each other: write one, then run the command again for the other"
    given "--dry-run" (args.Contains SweepArgs.Dry_Run) slurm "--slurm (it writes the batch script without submitting it)"
    given "--jobs" (args.Contains SweepArgs.Jobs) (not (slurm || k8s)) "local sweeps (the cluster places the jobs)"
    given "--threads" (args.Contains SweepArgs.Threads) (not (slurm || k8s)) "local sweeps (on a cluster: --cpus-per-task)"
    given "--partition" (args.Contains SweepArgs.Partition) slurm "--slurm"
    given "--time" (args.Contains SweepArgs.Time) slurm "--slurm"
    given "--mem" (args.Contains SweepArgs.Mem) (slurm || k8s) "--slurm and --k8s"
    given "--cpus-per-task" (args.Contains SweepArgs.Cpus_Per_Task) (slurm || k8s) "--slurm and --k8s"
    given "--image" (args.Contains SweepArgs.Image) k8s "--k8s"
    given "--volume-claim" (args.Contains SweepArgs.Volume_Claim) k8s "--k8s"

let private atLeastOne name (value: int) =
    if value < 1 then usage (sprintf "--%s must be at least 1, got %d" name value)
    value

let private runLocally (stop: CancellationToken) (dir: string) (jobs: Sweep.Job list) (workers: int) (threads: int) =
    let states = jobs |> List.map (fun j -> j, Sweep.state dir j)
    let count s = states |> List.filter (snd >> (=) s) |> List.length
    let pending = states |> List.filter (snd >> (<>) Sweep.Finished) |> List.map fst
    let plural n word = sprintf "%d %s%s" n word (if n = 1 then "" else "s")
    printfn "sweep %s: %s; %d finished before (skipped), %d to resume, %d new; %s, %s each"
        dir (plural jobs.Length "job") (count Sweep.Finished) (count Sweep.Checkpointed) (count Sweep.Fresh)
        (plural (min workers (max 1 pending.Length)) "worker") (plural threads "torch thread")
    let mutable ended = 0
    let outcomes =
        SweepLocal.run (self ()) dir pending workers threads stop (fun o ->
            ended <- ended + 1
            printfn "%s" (SweepLocal.line ended pending.Length o))
    let failed = outcomes |> List.filter (SweepLocal.succeeded >> not)
    let merged, paths = SweepMerge.write dir
    printfn "merged %d of %d jobs: %s" (merged.Jobs - merged.Missing.Length) merged.Jobs (String.concat ", " paths)
    if stop.IsCancellationRequested then
        eprintfn "stopped: %d jobs not started; rerun the same command to continue" (pending.Length - outcomes.Length)
        130
    elif failed.IsEmpty then 0
    else
        eprintfn "%d of %d jobs failed: %s (rerun the same command to retry them)" failed.Length pending.Length
            (failed |> List.map (fun o -> Sweep.describe o.Job) |> String.concat ", ")
        1

/// `hnn sweep`: writes (or continues) the sweep folder, then runs its jobs locally, or writes the Slurm batch
/// script (and submits it), or the Kubernetes manifest.
let sweep (stop: CancellationToken) (args: ParseResults<SweepArgs>) =
    checkMode args
    let spec =
        Sweep.spec
            (args.TryGetResult SweepArgs.Tasks |> Option.defaultValue (Tasks.every |> List.map _.Key))
            (args.TryGetResult SweepArgs.Models
             |> Option.map (List.map (modelKind "--models" >> Tasks.modelKey))
             |> Option.defaultValue (Tasks.modelKinds |> List.map Tasks.modelKey))
            (args.TryGetResult SweepArgs.Seeds |> Option.defaultValue [ 0 ])
            (args.GetResults SweepArgs.Setting |> List.map (Sweep.parseAxis >> ok))
            (not (args.Contains SweepArgs.No_Eval))
            (args.TryGetResult SweepArgs.Checkpoint_Every |> Option.defaultValue Experiment.defaults.CheckpointEvery)
        |> ok
    let dir = args.TryGetResult SweepArgs.Out |> Option.defaultValue "sweep"
    let resources =
        { SweepCluster.defaults with
            Partition = args.TryGetResult SweepArgs.Partition
            Time = args.TryGetResult SweepArgs.Time
            Mem = args.TryGetResult SweepArgs.Mem
            CpusPerTask = args.TryGetResult SweepArgs.Cpus_Per_Task |> Option.defaultValue 1 }
        |> SweepCluster.check
        |> ok
    let workers = args.TryGetResult SweepArgs.Jobs |> Option.map (atLeastOne "jobs") |> Option.defaultValue Environment.ProcessorCount
    let threads = args.TryGetResult SweepArgs.Threads |> Option.map (atLeastOne "threads") |> Option.defaultValue 1
    let jobs = Sweep.create dir (commandLine ()) spec
    if args.Contains SweepArgs.Slurm then
        let script = SweepCluster.writeSlurm (self ()) dir jobs.Length resources
        printfn "wrote %s: a job array of %d tasks (0-%d)" script jobs.Length (jobs.Length - 1)
        if args.Contains SweepArgs.Dry_Run then
            printfn "submit it with: sbatch %s" script
            0
        else
            match SweepCluster.submit script with
            | Ok id ->
                printfn "submitted Slurm job %s; follow it with squeue -j %s; merge with: hnn report --results %s" id id dir
                0
            | Error e ->
                eprintfn "error: %s" e
                1
    elif args.Contains SweepArgs.K8s then
        let k8s: SweepCluster.Kubernetes =
            { Image = args.TryGetResult SweepArgs.Image |> Option.defaultValue "hnn:latest"
              VolumeClaim = args.TryGetResult SweepArgs.Volume_Claim |> Option.defaultValue "hnn-sweep"
              Parallelism = None }
        let manifest = SweepCluster.writeKubernetes dir jobs.Length resources k8s
        printfn "wrote %s: an Indexed Job of %d completions; apply it with: kubectl apply -f %s" manifest jobs.Length manifest
        0
    else runLocally stop dir jobs workers threads

/// `hnn job SWEEP_DIR INDEX`: runs one job of a sweep in this process (resuming its checkpoint); a finished job
/// exits 0 at once. Exit codes as `hnn train`: 130 when stopped, 4 when training diverged.
let job (stop: CancellationToken) (args: ParseResults<JobArgs>) =
    let dir, index = args.GetResult JobArgs.Target
    let threads = args.TryGetResult JobArgs.Threads |> Option.map (atLeastOne "threads") |> Option.defaultValue 1
    let sweep = Sweep.load dir
    if index < 0 || index >= sweep.Jobs.Length then
        usage (sprintf "job index %d is out of range: %s lists jobs 0 to %d" index (Path.Combine(dir, Sweep.fileName)) (sweep.Jobs.Length - 1))
    let job = sweep.Jobs[index]
    match Sweep.state dir job with
    | Sweep.Finished ->
        printfn "job %d (%s) already finished: %s" index (Sweep.describe job) (Path.Combine(Sweep.jobFolder dir job, ResultsFile.FileName))
        0
    | state ->
        printfn "job %d: %s, %d torch thread%s%s" index (Sweep.describe job) threads (if threads = 1 then "" else "s")
            (if state = Sweep.Checkpointed then ", resuming from its checkpoint" else "")
        let run: Sweep.Run = { Threads = threads; Cancellation = stop; Command = commandLine (); Log = printfn "%s" }
        try
            let path = Sweep.runJob dir sweep.Spec job run
            printfn "%s" (TextTable.table job.Task (ResultsFile.Read path))
            printfn "job %d finished: %s" index path
            0
        with
        | :? TrainingInterruptedException as e ->
            eprintfn "interrupted: %s (rerun the sweep, or hnn job %s %d, to resume)" e.Message dir index
            130
        | :? TrainingDivergedException as e ->
            eprintfn "error: %s (try a smaller lr or a clip-grad-norm setting)" e.Message
            4

let private reportFolder (args: ParseResults<ReportArgs>) = args.TryGetResult ReportArgs.Results |> Option.defaultValue "results"

/// Whether `hnn report --results DIR` names a sweep folder (one with sweep.json).
let isSweep (args: ParseResults<ReportArgs>) = File.Exists(Path.Combine(reportFolder args, Sweep.fileName))

/// `hnn report --results SWEEP_DIR`: merges the finished jobs into SWEEP_DIR/results.json, results.md and
/// reports/sweep.html, and prints the table.
let report (args: ParseResults<ReportArgs>) =
    let dir = reportFolder args
    if args.Contains ReportArgs.Check then
        usage (sprintf "--check draws a run's charts; a sweep's report has none (check one job's: hnn report --results %s/jobs/<task>/<model>/seed-<s> --check)" dir)
    let merged, paths = SweepMerge.write dir
    printfn "%s" (SweepMerge.markdown merged)
    for p in paths do printfn "%s" p
    0
