module Hnn.Cli.Program

open System
open System.IO
open System.Runtime.InteropServices
open System.Threading
open Argu
open Hnn
open Hnn.Cli.Arguments
open Hnn.Models
open Hnn.Native
open Hnn.Results
open Hnn.Training

/// A user error: printed as one line, exit code 2.
exception UsageError of string

let private positive name (value: int) =
    if value < 0 then raise (UsageError(sprintf "--%s must be zero or positive, got %d" name value))
    value

let private atLeastOne name (value: int) =
    if value < 1 then raise (UsageError(sprintf "--%s must be at least 1, got %d" name value))
    value

let private supervision arg =
    match arg with
    | Some SupervisionArg.Integrator -> Training.Supervision.Integrator
    | _ -> Training.Supervision.Derivative

let private options steps seed threads sup integrator substeps noEval out : Experiment.Options =
    let integrator = defaultArg integrator "rk4"
    if not (Training.SupervisedStep.Names |> Seq.contains integrator) then
        raise (UsageError(sprintf "--integrator must be one of %s, got '%s'" (String.Join(", ", Training.SupervisedStep.Names)) integrator))
    { Experiment.defaults with
        Steps = steps |> Option.map (positive "steps")
        Seed = defaultArg seed 0
        Threads = threads |> Option.map (atLeastOne "threads")
        Supervision = supervision sup
        Integrator = integrator
        Substeps = defaultArg substeps 1 |> atLeastOne "substeps"
        Evaluate = not noEval
        OutDir = defaultArg out "results" }

let private modelKind (arg: ModelArg) =
    match arg with
    | ModelArg.Hnn -> ModelKind.Hnn
    | ModelArg.Baseline -> ModelKind.Baseline
    | ModelArg.Dissipative_Hnn -> ModelKind.DissipativeHnn

let private task key =
    match Tasks.tryFind key with
    | Ok t -> t
    | Error e -> raise (UsageError e)

/// Ctrl-C (SIGINT) and SIGTERM cancel this token: training checkpoints after its current step and stops.
/// A second signal ends the process at once.
let private stop = new CancellationTokenSource()
let mutable private stopSignal: PosixSignal option = None

let private onSignal (name: string) (signal: PosixSignal) =
    PosixSignalRegistration.Create(
        signal,
        fun context ->
            if not stop.IsCancellationRequested then
                context.Cancel <- true
                stopSignal <- Some signal
                eprintfn "\n%s: stopping after the current step and writing a checkpoint (send it again to quit at once)" name
                stop.Cancel())

let private finitePositive name (value: float) =
    if not (value > 0.0 && Double.IsFinite value) then raise (UsageError(sprintf "--%s must be positive and finite, got %g" name value))
    value

let private finiteNonNegative name (value: float) =
    if not (value >= 0.0 && Double.IsFinite value) then raise (UsageError(sprintf "--%s must be zero or positive and finite, got %g" name value))
    value

let private safety lr batch decay clip every resume : Resumable.Safety =
    { Resumable.defaults with
        LearningRate = lr |> Option.map (finitePositive "lr")
        BatchSize = batch |> Option.map (atLeastOne "batch-size")
        WeightDecay = decay |> Option.map (finiteNonNegative "weight-decay")
        ClipGradNorm = clip |> Option.map (finitePositive "clip-grad-norm")
        CheckpointEvery = every |> Option.map (positive "checkpoint-every") |> Option.defaultValue Resumable.defaults.CheckpointEvery
        Resume = resume
        Cancellation = stop.Token }

/// A new run may write only into a folder no other run wrote into, unless --force; --resume continues the run that did.
let private claim (opts: Experiment.Options) (force: bool) (resume: bool) =
    if File.Exists opts.OutDir then raise (UsageError(sprintf "--out '%s' is a file, not a folder" opts.OutDir))
    if resume then
        let folder = Resumable.checkpointFolder opts
        if not (Directory.Exists folder) || Seq.isEmpty (Directory.EnumerateFiles(folder, "*.ckpt")) then
            raise (UsageError(sprintf "--resume: no checkpoints in '%s' to continue from" folder))
    elif not force then
        match ResultsFile.Occupant opts.OutDir |> Option.ofObj with
        | Some what ->
            raise (UsageError(sprintf "output folder '%s' already holds another run's results (%s): continue it with --resume, overwrite with --force, or choose another --out" opts.OutDir what))
        | None -> ()

let private commandLine () = String.Join(" ", "hnn" :: List.ofArray (Environment.GetCommandLineArgs() |> Array.skip 1))

/// Runs `body`; if it stops early, marks the run "interrupted" or "failed" in results.json (when it wrote anything)
/// and returns 130/143 for SIGINT/SIGTERM, 4 for divergence; other errors propagate to `main`.
let private guarded (opts: Experiment.Options) (body: unit -> int) =
    let started = DateTime.UtcNow
    let mark status (reason: string) =
        if ResultsFile.Occupant opts.OutDir |> isNull |> not then
            let run =
                ResultsFile.RunInfo(
                    started.ToString "o", opts.Seed, defaultArg opts.Steps 0, defaultArg opts.Threads 0,
                    (DateTime.UtcNow - started).TotalSeconds, commandLine (), status, reason)
            try
                ResultsFile.MarkUnfinished(opts.OutDir, run) |> ignore
            with :? InvalidDataException as e ->
                eprintfn "warning: could not mark the run as %s: %s" status e.Message
    try
        body ()
    with
    | :? TrainingInterruptedException as e ->
        mark ResultsFile.RunStatus.Interrupted e.Message
        eprintfn "interrupted: %s" e.Message
        if stopSignal = Some PosixSignal.SIGTERM then 143 else 130
    | :? TrainingDivergedException as e ->
        mark ResultsFile.RunStatus.Failed e.Message
        eprintfn "error: %s (try a smaller --lr or --clip-grad-norm)" e.Message
        4
    | e ->
        mark ResultsFile.RunStatus.Failed e.Message
        reraise ()

let private printTask (task: Tasks.Task) (evaluated: Experiment.Evaluated list) =
    let first = evaluated.Head.Trained
    printfn "\n%s (%s), %d steps, seed %d, %A supervision:" task.Title task.Key first.Settings.Steps first.Settings.Seed first.Settings.Supervision
    printfn "%s" (Report.table task.Key (evaluated |> List.collect Experiment.cells))
    let n = Report.note task.Key
    if n <> "" then printfn "note: %s" n
    for e in evaluated do
        let t = e.Trained
        printfn "%-9s training %.1f s (%.2f ms/step, %d threads), evaluation %.1f s"
            (Tasks.modelKey t.Kind) t.Result.Seconds t.Result.MillisecondsPerStep t.Result.Threads e.EvaluationSeconds

let private train (args: ParseResults<TrainArgs>) =
    let task =
        match args.TryGetResult TrainArgs.Data, task (args.GetResult TrainArgs.Task) with
        | None, t -> t
        | Some file, t when t.Key = Tasks.realPendulum.Key -> Tasks.realPendulumFrom (Some file)
        | Some _, t -> raise (UsageError(sprintf "--data applies to real-pendulum only, not to %s (its data are generated)" t.Key))
    let kind = modelKind (args.GetResult TrainArgs.Model)
    let opts =
        options (args.TryGetResult TrainArgs.Steps) (args.TryGetResult TrainArgs.Seed) (args.TryGetResult TrainArgs.Threads)
            (args.TryGetResult TrainArgs.Supervision) (args.TryGetResult TrainArgs.Integrator) (args.TryGetResult TrainArgs.Substeps)
            (args.Contains TrainArgs.No_Eval) (args.TryGetResult TrainArgs.Out)
        |> fun o -> { o with MomentumSymmetric = args.Contains TrainArgs.Momentum_Symmetric }
    let safety =
        safety (args.TryGetResult TrainArgs.Lr) (args.TryGetResult TrainArgs.Batch_Size) (args.TryGetResult TrainArgs.Weight_Decay)
            (args.TryGetResult TrainArgs.Clip_Grad_Norm) (args.TryGetResult TrainArgs.Checkpoint_Every) (args.Contains TrainArgs.Resume)
    Resumable.settingsFor opts safety task |> ignore
    claim opts (args.Contains TrainArgs.Force) safety.Resume
    guarded opts (fun () ->
        let started = DateTime.UtcNow
        let evaluated = Resumable.runTask opts safety task [ kind ]
        let path = Experiment.record opts (commandLine ()) started evaluated
        Report.writeMarkdown opts.OutDir |> ignore
        printTask task evaluated
        printfn "\nresults: %s; model: %s" path (Path.Combine(opts.OutDir, "models", sprintf "%s-%s.json" task.Key (Tasks.modelKey kind)))
        0)

let private reproduce (args: ParseResults<ReproduceArgs>) =
    let keys = args.TryGetResult ReproduceArgs.Tasks
    match keys |> Option.bind (List.countBy id >> List.tryFind (fun (_, n) -> n > 1)) with
    | Some(key, _) -> raise (UsageError(sprintf "--tasks names %s more than once" key))
    | None -> ()
    let withPixels = keys |> Option.map (List.contains PixelPendulum.taskKey) |> Option.defaultValue true
    let keys = keys |> Option.map (List.filter ((<>) PixelPendulum.taskKey))
    let tasks =
        match keys with
        | Some [] -> []
        | Some ks -> List.map task ks
        | None -> Tasks.every
    let kinds =
        match args.TryGetResult ReproduceArgs.Models with
        | None -> Tasks.modelKinds
        | Some [] -> raise (UsageError "--models needs at least one of baseline, hnn, dissipative-hnn")
        | Some ms -> ms |> List.distinct |> List.map modelKind
    let opts =
        options (args.TryGetResult ReproduceArgs.Steps) (args.TryGetResult ReproduceArgs.Seed) (args.TryGetResult ReproduceArgs.Threads)
            (args.TryGetResult ReproduceArgs.Supervision) (args.TryGetResult ReproduceArgs.Integrator) (args.TryGetResult ReproduceArgs.Substeps)
            (args.Contains ReproduceArgs.No_Eval) (args.TryGetResult ReproduceArgs.Out)
    let safety =
        safety (args.TryGetResult ReproduceArgs.Lr) (args.TryGetResult ReproduceArgs.Batch_Size) (args.TryGetResult ReproduceArgs.Weight_Decay)
            (args.TryGetResult ReproduceArgs.Clip_Grad_Norm) (args.TryGetResult ReproduceArgs.Checkpoint_Every) (args.Contains ReproduceArgs.Resume)
    for t in tasks do Resumable.settingsFor opts safety t |> ignore
    claim opts (args.Contains ReproduceArgs.Force) safety.Resume
    guarded opts (fun () ->
        let started = DateTime.UtcNow
        let command = commandLine ()
        let mutable path = ""
        for t in tasks do
            let taskStarted = DateTime.UtcNow
            printfn "\n== %s (%s)" t.Title t.Key
            let evaluated = Resumable.runTask opts safety t kinds
            path <- Experiment.record opts command taskStarted evaluated
            Report.writeMarkdown opts.OutDir |> ignore
            printTask t evaluated
        if withPixels then
            printfn "\n== Pixel pendulum (%s)" PixelPendulum.taskKey
            let pixelOptions =
                { PixelPendulum.defaults with
                    Steps = defaultArg opts.Steps PixelPendulum.defaults.Steps
                    Seed = opts.Seed
                    Threads = opts.Threads
                    OutDir = opts.OutDir
                    CacheDir = Tasks.cacheFolder () }
            let taskStarted = DateTime.UtcNow
            let outcome = PixelPendulum.run pixelOptions
            path <- PixelPendulum.record pixelOptions command taskStarted outcome
            Report.writeMarkdown opts.OutDir |> ignore
            printfn "%s" (Report.table PixelPendulum.taskKey outcome.Cells)
            for p in outcome.Pictures do printfn "picture: %s" p
        let reports = Reports.writeAll opts.OutDir
        printfn "\nresults: %s and %s; reports: %s (%.0f s in all)"
            path (Path.Combine(opts.OutDir, "results.md")) (List.last reports) (DateTime.UtcNow - started).TotalSeconds
        0)

let private evaluate (args: ParseResults<EvaluateArgs>) =
    let file = args.GetResult EvaluateArgs.Model
    Torch.init ()
    let struct (model, description) = ModelFile.Load file
    use model = model
    let task =
        match Tasks.tryFind description.Task with
        | Ok t -> t
        | Error e -> raise (ModelFileException(file, e))
    if task.Dimension <> model.Settings.InputDim then
        raise (ModelFileException(file, sprintf "input dimension %d does not match task %s (%d)" model.Settings.InputDim task.Key task.Dimension))
    let data = task.Data description.Training.Seed
    let trained: Experiment.Trained =
        { Task = task
          Kind = model.Settings.Kind
          Model = model
          Settings = description.Training
          Result =
            Training.TrainingResult(
                [||], [||], Training.Trainer.FinalLoss(model, data.TrainX, data.TrainDx),
                Training.Trainer.FinalLoss(model, data.TestX, data.TestDx), 0.0, 0) }
    let evaluated = Experiment.evaluate Experiment.defaults [ trained ]
    printfn "%s" (Report.table task.Key (evaluated |> List.collect Experiment.cells))
    0

let private check (args: ParseResults<CheckArgs>) =
    Torch.init ()
    let files = args.GetResults CheckArgs.Model
    let laws = args.TryGetResult CheckArgs.Laws |> Option.defaultValue []
    let columns = Physics.checkModelFiles files laws
    printfn "%s" (Physics.formatTable columns)
    for _, reports in columns do
        for r in reports do printfn "%s" (Physics.formatReport r)
    if columns |> List.exists (snd >> List.exists Physics.failed) then 1 else 0

let private report (args: ParseResults<ReportArgs>) =
    Torch.init ()
    let dir = args.TryGetResult ReportArgs.Results |> Option.defaultValue "results"
    let pages = Reports.writeAll dir
    for p in pages do printfn "%s" p
    if args.Contains ReportArgs.Check then
        match ReportCheck.checkFolder (Path.Combine(dir, Reports.folder)) with
        | Ok lines ->
            for l in lines do printfn "%s" l
            0
        | Error lines ->
            for l in lines do eprintfn "%s" l
            1
    else 0

let private bench (args: ParseResults<BenchArgs>) =
    Torch.init ()
    args.TryGetResult BenchArgs.Threads |> Option.map (atLeastOne "threads") |> Option.iter TorchSharp.torch.set_num_threads
    // The whole-run figures start this program again as a child process: `dotnet hnn.dll …` or the apphost.
    let self =
        let entry = Reflection.Assembly.GetEntryAssembly().Location
        match Environment.ProcessPath with
        | null -> None
        | host when Path.GetFileNameWithoutExtension host = "dotnet" -> Some(host, [ entry ])
        | host -> Some(host, [])
    let options: Bench.Options =
        { OutDir = args.TryGetResult BenchArgs.Out |> Option.defaultValue "bench"
          Quick = args.Contains BenchArgs.Quick
          Models = args.TryGetResult BenchArgs.Models
          Cli = self
          Log = printfn "%s" }
    let _, _, path = Bench.run options
    printfn "\nbench results: %s" path
    0

let private native (args: ParseResults<NativeArgs>) =
    let status = TorchNative.Inspect()
    printfn "shim:      %s" status.Shim
    printfn "libtorch:  %s" status.LibTorchDirectory
    printfn "libstdc++: %s (%s %s)" (Option.ofObj status.LibStdCxx |> Option.defaultValue "not found")
        (if status.LibStdCxxHasVersion then "has" else "lacks") TorchNative.RequiredCxxVersion
    if status.NeedsFix && args.Contains NativeArgs.Check then
        printfn "the shim needs the libstdc++ compatibility fix: run without --check to apply it"
        1
    else
        if TorchNative.Fix status then printfn "applied the compatibility fix: the shim's %s requirement is now weak" TorchNative.RequiredCxxVersion
        elif not status.LibStdCxxHasVersion then printfn "the compatibility fix is in place"
        else printfn "no fix needed: this libstdc++ is new enough"
        TorchNative.EnsureLoaded()
        use t = TorchSharp.torch.ones(3L)
        printfn "TorchSharp loads and computes (sum of ones(3) = %g)" (t.sum().item<float32>())
        0

[<EntryPoint>]
let main argv =
    let parser = ArgumentParser.Create<Command>(programName = "hnn")
    use _interrupt = onSignal "interrupt" PosixSignal.SIGINT
    use _terminate = onSignal "terminate" PosixSignal.SIGTERM
    try
        let results = parser.ParseCommandLine(argv, raiseOnUsage = true)
        match results.GetSubCommand() with
        | Train a -> train a
        | Reproduce a
        | Run a -> reproduce a
        | Evaluate a -> evaluate a
        | Check a -> check a
        | Report a when SweepCommands.isSweep a -> SweepCommands.report a
        | Report a -> report a
        | Bench a -> bench a
        | Native a -> native a
        | Sweep a -> SweepCommands.sweep stop.Token a
        | Job a -> SweepCommands.job stop.Token a
    with
    | :? ArguParseException as e when e.ErrorCode = ErrorCode.HelpText ->
        printfn "%s" e.Message
        0
    | :? ArguParseException as e ->
        eprintfn "%s" e.Message
        2
    | UsageError message ->
        eprintfn "error: %s" message
        2
    | :? ModelFileException as e ->
        eprintfn "error: %s" e.Message
        2
    | :? CheckpointException as e ->
        eprintfn "error: %s" e.Message
        2
    | :? TorchNativeException as e ->
        eprintfn "error: %s" e.Message
        3
    | :? ArgumentException as e ->
        eprintfn "error: %s" e.Message
        2
    | :? DirectoryNotFoundException as e ->
        eprintfn "error: %s" e.Message
        2
    | :? Data.DataFileException as e ->
        eprintfn "error: %s" e.Message
        2
    | :? InvalidDataException as e ->
        eprintfn "error: %s" e.Message
        2
    | e when isNull (Environment.GetEnvironmentVariable "HNN_DEBUG") ->
        eprintfn "error: %s (set HNN_DEBUG=1 for the stack trace)" e.Message
        1
