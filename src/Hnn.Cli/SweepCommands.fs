/// The bodies of `hnn sweep`, `hnn job` and `hnn report` on a sweep folder. A user error raises ArgumentException,
/// which `main` prints as one line with exit code 2.
module Hnn.Cli.SweepCommands

open System
open System.IO
open System.Threading
open Argu
open Hnn
open Hnn.Cli.Arguments
open Hnn.IO
open Hnn.Results
open Hnn.Training

let private usage (message: string) : 'a = raise (ArgumentException message)

/// How the process was asked to stop: `Stop` by Ctrl-C or SIGTERM, `Terminate` by SIGTERM alone, and the exit code
/// that says which (130 or 143).
type Signals = { Stop: CancellationToken; Terminate: CancellationToken; ExitCode: unit -> int }

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
        if present && not allowed then
            usage (sprintf "%s applies to %s" option where)
    if slurm && k8s then
        usage "--slurm and --k8s exclude each other: write one, then run the command again for the other"
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
    if value < 1 then
        usage (sprintf "--%s must be at least 1, got %d" name value)
    value

/// The order local workers start jobs in (the main job's and `hnn sweep`'s), longest first so that the last to end
/// is short: the pixel pendulum first (its step costs about twenty state-task steps), then by the task's training
/// steps (the orbit tasks, the benchmark systems and the pixel pendulum: 10 000; a sampled model fits in one solve,
/// so none), then the model's cost (the families beyond the HNN, dissipative HNN, HNN, baseline), then the job
/// list's order.
let private longestFirst (jobs: Sweep.Job list) =
    let steps (j: Sweep.Job) =
        match Tasks.tryFind j.Task, Tasks.tryModelKind j.Model with
        | Ok _, Ok(Models.ModelKind.SampledHnn | Models.ModelKind.SampledDissipativeHnn) -> 0
        | Ok t, _ -> t.Training.Steps
        | Error _, _ -> 0
    let pixel (j: Sweep.Job) = if j.Task = PixelPendulum.taskKey then 0 else 1
    jobs |> List.sortBy (fun j -> pixel j, -steps j, -(TextTable.modelRank j.Model), j.Index)

let private runLocally (signals: Signals) (dir: string) (jobs: Sweep.Job list) (workers: int) (threads: int) =
    let states = jobs |> List.map (fun j -> j, Sweep.state dir j)
    let count s = states |> List.filter (snd >> (=) s) |> List.length
    let pending = states |> List.filter (snd >> (<>) Sweep.Finished) |> List.map fst
    let plural n word = sprintf "%d %s%s" n word (if n = 1 then "" else "s")
    printfn
        "sweep %s: %s; %d finished before (skipped), %d to resume, %d new; %s, %s each"
        dir
        (plural jobs.Length "job")
        (count Sweep.Finished)
        (count Sweep.Checkpointed)
        (count Sweep.Fresh)
        (plural (min workers (max 1 pending.Length)) "worker")
        (plural threads "torch thread")
    let mutable ended = 0
    let outcomes =
        SweepLocal.run (self ()) dir pending workers threads signals.Stop signals.Terminate (fun o ->
            ended <- ended + 1
            printfn "%s" (SweepLocal.line ended pending.Length o))
    let failed = outcomes |> List.filter (SweepLocal.succeeded >> not)
    let merged, paths = SweepMerge.write dir
    let paths = paths @ Option.toList (SweepClaims.write dir merged)
    printfn "merged %d of %d jobs: %s" (merged.Jobs - merged.Missing.Length) merged.Jobs (String.concat ", " paths)
    if signals.Stop.IsCancellationRequested then
        eprintfn "stopped: %d jobs not started; rerun the same command to continue" (pending.Length - outcomes.Length)
        signals.ExitCode()
    elif failed.IsEmpty then
        0
    else
        eprintfn
            "%d of %d jobs failed: %s (rerun the same command to retry them)"
            failed.Length
            pending.Length
            (failed |> List.map (fun o -> Sweep.describe o.Job) |> String.concat ", ")
        1

/// `hnn sweep`: writes (or continues) the sweep folder, then runs its jobs locally, or writes the Slurm batch
/// script (and submits it), or the Kubernetes manifest.
let sweep (signals: Signals) (args: ParseResults<SweepArgs>) =
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
        |> Sweep.without (args.TryGetResult SweepArgs.Except |> Option.defaultValue [] |> List.map (Sweep.parsePair >> ok))
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
    else
        runLocally signals dir (longestFirst jobs) workers threads

/// `hnn run`'s options as single-valued sweep settings (only those given: the task's recipe otherwise).
let private runSettings (args: ParseResults<ReproduceArgs>) : Sweep.Axis list =
    let number (v: float) = v.ToString("R", Globalization.CultureInfo.InvariantCulture)
    [ args.TryGetResult ReproduceArgs.Steps |> Option.map (fun v -> "steps", string v)
      args.TryGetResult ReproduceArgs.Lr |> Option.map (fun v -> "lr", number v)
      args.TryGetResult ReproduceArgs.Lr_Decay |> Option.map (fun v -> "lr-decay", number v)
      args.TryGetResult ReproduceArgs.Batch_Size |> Option.map (fun v -> "batch-size", string v)
      args.TryGetResult ReproduceArgs.Weight_Decay |> Option.map (fun v -> "weight-decay", number v)
      args.TryGetResult ReproduceArgs.Clip_Grad_Norm |> Option.map (fun v -> "clip-grad-norm", number v)
      args.TryGetResult ReproduceArgs.Supervision
      |> Option.map (fun v -> "supervision", (if v = SupervisionArg.Integrator then "integrator" else "derivative"))
      args.TryGetResult ReproduceArgs.Integrator |> Option.map (fun v -> "integrator", v)
      args.TryGetResult ReproduceArgs.Substeps |> Option.map (fun v -> "substeps", string v)
      args.TryGetResult ReproduceArgs.Width |> Option.map (fun v -> "width", string v)
      args.TryGetResult ReproduceArgs.Hidden |> Option.map (fun v -> "hidden", string v)
      args.TryGetResult ReproduceArgs.Relative_Ridge |> Option.map (fun v -> "relative-ridge", number v)
      args.TryGetResult ReproduceArgs.Layers |> Option.map (fun v -> "layers", string v)
      args.TryGetResult ReproduceArgs.Sampler
      |> Option.map (fun v ->
          "sampler",
          match v with
          | SamplerArg.Auto -> "auto"
          | SamplerArg.Elm -> "elm"
          | SamplerArg.Uniform_Swim -> "uniform-swim"
          | SamplerArg.A_Swim -> "a-swim") ]
    |> List.choose id
    |> List.map (fun (name, value) -> { Name = name; Values = [ value ] })

/// `hnn run --jobs N` (and `reproduce`): the main job as a local sweep — every model of every task is a job of the
/// sweep in OUT/sweep, run in N worker processes with --threads torch threads each (default 1), longest first,
/// through `hnn job` and the one run path; then the finished jobs are gathered into OUT with the layout `hnn run`
/// writes (results.json, results.md, models, checkpoints, artifacts, pictures, reports). The caller has checked the
/// options and claimed OUT (--resume and --force as for `hnn run`: a rerun continues the sweep, --force starts it anew).
let mainJob
    (signals: Signals)
    (args: ParseResults<ReproduceArgs>)
    (opts: Experiment.Options)
    (tasks: Tasks.Task list)
    (models: string list)
    (workers: int)
    =
    let threads = args.TryGetResult ReproduceArgs.Threads |> Option.defaultValue 1
    let spec = Sweep.spec (tasks |> List.map _.Key) models [ opts.Seed ] (runSettings args) opts.Evaluate opts.CheckpointEvery |> ok
    let dir = Path.Combine(opts.OutDir, "sweep")
    if args.Contains ReproduceArgs.Force && Directory.Exists dir then
        Directory.Delete(dir, true)
    let command = commandLine ()
    let jobs = Sweep.create dir command spec
    let started = DateTime.UtcNow
    let code = runLocally signals dir (longestFirst jobs) workers threads
    let unfinished =
        if signals.Stop.IsCancellationRequested then
            ResultsFile.RunStatus.Interrupted
        else
            ResultsFile.RunStatus.Failed
    let gathered = SweepGather.gather dir { opts with Threads = Some threads } command started unfinished
    for p in gathered.Pictures do
        printfn "picture: %s" p
    if not gathered.Finished.IsEmpty then
        let reports = Experiment.writeReports { opts with Cancellation = CancellationToken.None } tasks
        printfn
            "\nresults: %s and %s; reports: %s (%.0f s in all)"
            gathered.Results
            (Experiment.folder opts).ResultsMarkdown
            reports
            (DateTime.UtcNow - started).TotalSeconds
    code

/// `hnn job SWEEP_DIR INDEX`: runs one job of a sweep in this process (resuming its checkpoint); a finished job
/// exits 0 at once. Exit codes as `hnn train`: 130 when stopped by Ctrl-C, 143 by SIGTERM (in any phase; the run
/// is marked interrupted and the next sweep resumes it), 4 when training diverged, 75 when the job is running in
/// another process (its folder's lock is held: the same sweep started twice, a scheduler's retry).
let job (signals: Signals) (args: ParseResults<JobArgs>) =
    let dir, index = args.GetResult JobArgs.Target
    let threads = args.TryGetResult JobArgs.Threads |> Option.map (atLeastOne "threads") |> Option.defaultValue 1
    let sweep = Sweep.load dir
    if index < 0 || index >= sweep.Jobs.Length then
        usage (
            sprintf "job index %d is out of range: %s lists jobs 0 to %d" index (Path.Combine(dir, Sweep.fileName)) (sweep.Jobs.Length - 1)
        )
    let job = sweep.Jobs[index]
    match Sweep.state dir job with
    | Sweep.Finished ->
        printfn "job %d (%s) already finished: %s" index (Sweep.describe job) (Path.Combine(Sweep.jobFolder dir job, ResultsFile.FileName))
        0
    | state ->
        printfn
            "job %d: %s, %d torch thread%s%s"
            index
            (Sweep.describe job)
            threads
            (if threads = 1 then "" else "s")
            (if state = Sweep.Checkpointed then ", resuming from its checkpoint" else "")
        let run: Sweep.Run = { Threads = threads; Cancellation = signals.Stop; Command = commandLine (); Log = printfn "%s" }
        try
            let path = Sweep.runJob dir sweep.Spec job run
            printfn "%s" (TextTable.table job.Task (ResultsFile.Read path))
            printfn "job %d finished: %s" index path
            0
        with
        | :? OperationCanceledException as e ->
            eprintfn "interrupted: %s (rerun the sweep, or hnn job %s %d, to resume)" e.Message dir index
            signals.ExitCode()
        | :? TrainingDivergedException as e ->
            eprintfn "error: %s (try a smaller lr or a clip-grad-norm setting)" e.Message
            4
        | :? FolderBusyException as e ->
            eprintfn
                "error: job %d (%s) is already running in another process (%s holds its lock); not started"
                index
                (Sweep.describe job)
                e.LockFile
            Sweep.busyExitCode

let private reportFolder (args: ParseResults<ReportArgs>) = args.TryGetResult ReportArgs.Results |> Option.defaultValue "results"

/// Whether `hnn report --results DIR` names a sweep folder (one with sweep.json).
let isSweep (args: ParseResults<ReportArgs>) = File.Exists(Path.Combine(reportFolder args, Sweep.fileName))

/// `hnn report --results SWEEP_DIR`: merges the finished jobs into SWEEP_DIR/results.json, results.md and
/// reports/sweep.html, and, when the sweep holds models a published number compares with, claims.md; prints the tables.
let report (args: ParseResults<ReportArgs>) =
    let dir = reportFolder args
    if args.Contains ReportArgs.Check then
        usage (
            sprintf
                "--check draws a run's charts; a sweep's report has none (check one job's: hnn report --results %s/jobs/<task>/<model>/seed-<s> --check)"
                dir
        )
    let merged, paths = SweepMerge.write dir
    printfn "%s" (SweepMerge.markdown merged)
    match SweepClaims.write dir merged with
    | Some claims ->
        printfn "%s" (File.ReadAllText claims)
        for p in paths @ [ claims ] do
            printfn "%s" p
    | None ->
        for p in paths do
            printfn "%s" p
    0
