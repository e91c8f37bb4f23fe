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
    if value < 0 then
        raise (UsageError(sprintf "--%s must be zero or positive, got %d" name value))
    value

let private atLeastOne name (value: int) =
    if value < 1 then
        raise (UsageError(sprintf "--%s must be at least 1, got %d" name value))
    value

let private supervision arg =
    match arg with
    | Some SupervisionArg.Integrator -> Training.Supervision.Integrator
    | _ -> Training.Supervision.Derivative

/// Ctrl-C (SIGINT) and SIGTERM cancel this token: training checkpoints after its current step and stops.
/// A second signal ends the process at once.
let private stop = new CancellationTokenSource()
let mutable private stopSignal: PosixSignal option = None

/// Cancelled by SIGTERM alone: a local sweep passes it on to its workers (Ctrl-C reaches them through the terminal's
/// process group, SIGTERM only this process).
let private terminated = new CancellationTokenSource()

/// The exit code of a run stopped by a signal: 143 after SIGTERM, 130 after Ctrl-C.
let private stoppedCode () = if stopSignal = Some PosixSignal.SIGTERM then 143 else 130

let private onSignal (name: string) (signal: PosixSignal) =
    PosixSignalRegistration.Create(
        signal,
        fun context ->
            if not stop.IsCancellationRequested then
                context.Cancel <- true
                stopSignal <- Some signal
                if signal = PosixSignal.SIGTERM then
                    terminated.Cancel()
                eprintfn "\n%s: stopping after the current step and writing a checkpoint (send it again to quit at once)" name
                stop.Cancel()
    )

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
        OutDir = defaultArg out "results"
        Cancellation = stop.Token }

/// The options with the sampled models' width and sampler (refused when no sampled model is run: they would do nothing).
let private withSampling (kinds: ModelKind list) (width: int option) (sampler: SamplerArg option) (opts: Experiment.Options) =
    if (width.IsSome || sampler.IsSome) && not (List.exists ModelSettings.IsSampled kinds) then
        raise (
            UsageError(
                sprintf
                    "--%s applies to the sampled models only (sampled-hnn, sampled-dissipative-hnn)"
                    (if width.IsSome then "width" else "sampler")
            )
        )
    let maxWidth = Models.Sampled.SampledSettings.MaxWidth
    let sampling =
        match width with
        | Some w when w < 1 || w > maxWidth -> raise (UsageError(sprintf "--width must be in 1..%d, got %d" maxWidth w))
        | Some w -> opts.Sampling.WithWidth w
        | None -> opts.Sampling
    let sampling =
        match sampler with
        | None -> sampling
        | Some SamplerArg.Auto -> sampling.WithSampler Models.Sampled.LayerSampler.Auto
        | Some SamplerArg.Elm -> sampling.WithSampler Models.Sampled.LayerSampler.Elm
        | Some SamplerArg.Uniform_Swim -> sampling.WithSampler Models.Sampled.LayerSampler.UniformSwim
        | Some SamplerArg.A_Swim -> sampling.WithSampler Models.Sampled.LayerSampler.ASwim
    { opts with Sampling = sampling }

let private task key =
    match Tasks.tryFind key with
    | Ok t -> t
    | Error e -> raise (UsageError e)

let private finitePositive name (value: float) =
    if not (value > 0.0 && Double.IsFinite value) then
        raise (UsageError(sprintf "--%s must be positive and finite, got %g" name value))
    value

let private finiteNonNegative name (value: float) =
    if not (value >= 0.0 && Double.IsFinite value) then
        raise (UsageError(sprintf "--%s must be zero or positive and finite, got %g" name value))
    value

/// The options with the hidden width, the LNN's relative ridge and the SympNets' depth (each refused when no model given
/// takes it).
let private withArchitecture
    (kinds: ModelKind list)
    (hidden: int option)
    (relativeRidge: float option)
    (layers: int option)
    (opts: Experiment.Options)
    =
    if hidden.IsSome && not (List.exists ModelSettings.HasHiddenWidth kinds) then
        raise (
            UsageError
                "--hidden applies to trained models with hidden layers (not the sampled models, whose width is --width, nor la-sympnet)"
        )
    if relativeRidge.IsSome && not (List.exists ModelSettings.HasRelativeRidge kinds) then
        raise (UsageError "--relative-ridge applies to lnn only")
    if layers.IsSome && not (List.exists ModelSettings.IsStepMap kinds) then
        raise (UsageError "--layers applies to the SympNets only (la-sympnet, g-sympnet)")
    { opts with
        Hidden = hidden |> Option.map (atLeastOne "hidden")
        Layers = layers |> Option.map (atLeastOne "layers")
        RelativeRidge = relativeRidge |> Option.map (finiteNonNegative "relative-ridge") }

/// The options with the overrides of the task's recipe and the checkpointing asked for.
let private withSafety lr lrDecay batch decay clip every resume (opts: Experiment.Options) : Experiment.Options =
    let atLeast1 name (value: float) =
        if not (value >= 1.0 && Double.IsFinite value) then
            raise (UsageError(sprintf "--%s must be 1 or more and finite, got %g" name value))
        value
    { opts with
        LearningRate = lr |> Option.map (finitePositive "lr")
        LearningRateDecay = lrDecay |> Option.map (atLeast1 "lr-decay")
        BatchSize = batch |> Option.map (atLeastOne "batch-size")
        WeightDecay = decay |> Option.map (finiteNonNegative "weight-decay")
        ClipGradNorm = clip |> Option.map (finitePositive "clip-grad-norm")
        CheckpointEvery = every |> Option.map (positive "checkpoint-every") |> Option.defaultValue Experiment.defaults.CheckpointEvery
        Resume = resume }

/// The output folder must be a folder this process can write, checked before any work by writing a probe file.
let private writable (dir: string) =
    if File.Exists dir then
        raise (UsageError(sprintf "--out '%s' is a file, not a folder" dir))
    try
        Directory.CreateDirectory dir |> ignore
        let probe = Path.Combine(dir, sprintf ".hnn-write-probe-%d" Environment.ProcessId)
        File.WriteAllText(probe, "")
        File.Delete probe
    with
    | :? IOException
    | :? UnauthorizedAccessException as e -> raise (UsageError(sprintf "--out '%s' cannot be written: %s" dir (e.Message.TrimEnd '.')))

/// A new run may write only into a folder no other run wrote into, unless --force; --resume continues the run that did.
let private claim (opts: Experiment.Options) (force: bool) =
    writable opts.OutDir
    if opts.Resume then
        if not (Experiment.folder opts).HasCheckpoints && isNull (ResultsFile.Occupant opts.OutDir) then
            raise (UsageError(sprintf "--resume: '%s' holds no run to continue (no results.json, no checkpoints)" opts.OutDir))
    elif not force then
        match ResultsFile.Occupant opts.OutDir |> Option.ofObj with
        | Some what ->
            raise (
                UsageError(
                    sprintf
                        "output folder '%s' already holds another run's results (%s): continue it with --resume, overwrite with --force, or choose another --out"
                        opts.OutDir
                        what
                )
            )
        | None -> ()

let private commandLine () = String.Join(" ", "hnn" :: List.ofArray (Environment.GetCommandLineArgs() |> Array.skip 1))

/// One readable line for an error: its message's first line, and for a libtorch error the place it was raised
/// ("…; raised from toFloat at c10/core/Scalar.h:140"), at most 300 characters.
let private oneLine (e: exn) =
    let lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries)
    let first = if lines.Length = 0 then e.GetType().Name else lines[0]
    let raised =
        lines
        |> Array.tryFind (fun l -> l.StartsWith "Exception raised from ")
        |> Option.map (fun l ->
            let place = l.Substring("Exception raised from ".Length).Split(" (most recent")[0]
            "; raised from " + place.Replace("/pytorch/", ""))
    let line = first + defaultArg raised ""
    if line.Length > 300 then line.Substring(0, 297) + "..." else line

/// Writes the whole exception (message, native trace, stack) to OutDir/logs/failure-<time>.log; returns its path.
let private failureLog (outDir: string) (e: exn) =
    try
        let path = RunFolder(outDir).FailureLog DateTime.UtcNow
        IO.AtomicFile.WriteAllText(path, sprintf "%s\n%s\n\n%O\n" (commandLine ()) (DateTime.UtcNow.ToString "o") e)
        Some path
    with
    | :? IOException
    | :? UnauthorizedAccessException -> None

/// Runs `body`; if it stops early, marks the run "interrupted" (always) or "failed" (when it wrote anything) in
/// results.json with a one-line reason, keeps a failure's whole trace in OutDir/logs, and returns 130/143 for
/// SIGINT/SIGTERM, 4 for divergence, 1 for other errors (user errors propagate to `main`).
let private guarded (opts: Experiment.Options) (body: unit -> int) =
    let started = DateTime.UtcNow
    let mark status (reason: string) =
        if status = ResultsFile.RunStatus.Interrupted || ResultsFile.Occupant opts.OutDir |> isNull |> not then
            let run =
                ResultsFile.RunInfo(
                    started.ToString "o",
                    opts.Seed,
                    defaultArg opts.Steps 0,
                    defaultArg opts.Threads 0,
                    (DateTime.UtcNow - started).TotalSeconds,
                    commandLine (),
                    status,
                    reason
                )
            try
                ResultsFile.MarkUnfinished(opts.OutDir, run) |> ignore
            with :? ResultsFileException as e ->
                eprintfn "warning: could not mark the run as %s: %s" status e.Message
    try
        body ()
    with
    | :? OperationCanceledException as e ->
        let message = e.Message + "; continue with --resume"
        mark ResultsFile.RunStatus.Interrupted message
        eprintfn "interrupted: %s" message
        stoppedCode ()
    | :? TrainingDivergedException as e ->
        mark ResultsFile.RunStatus.Failed e.Message
        eprintfn "error: %s (try a smaller --lr or --clip-grad-norm)" e.Message
        4
    | :? ResultsFileException as e -> raise (UsageError(sprintf "%s; move it away or choose another --out" e.Message))
    | UsageError _
    | :? ArgumentException
    | :? Data.DataFileException
    | :? ModelFileException
    | :? CheckpointException
    | :? InvalidDataException as e ->
        mark ResultsFile.RunStatus.Failed (oneLine e)
        reraise ()
    | e ->
        let log = failureLog opts.OutDir e
        mark ResultsFile.RunStatus.Failed (oneLine e)
        eprintfn
            "error: %s%s"
            (oneLine e)
            (match log with
             | Some p -> sprintf " (the whole trace: %s)" p
             | None -> "")
        1

let private printTask (task: Tasks.Task) (evaluated: Experiment.Evaluated list) =
    let first = evaluated.Head.Trained
    printfn
        "\n%s (%s), %d steps, seed %d, %A supervision:"
        task.Title
        task.Key
        first.Settings.Steps
        first.Settings.Seed
        first.Settings.Supervision
    printfn "%s" (TextTable.table task.Key (evaluated |> List.collect Experiment.cells))
    let n = task.Note
    if n <> "" then
        printfn "note: %s" n
    for e in evaluated do
        let t = e.Trained
        if ModelSettings.IsSampled t.Kind then
            printfn
                "%-9s fit %.2f s (least squares, no steps, %d threads), evaluation %.1f s"
                (Tasks.modelKey t.Kind)
                t.Result.Seconds
                t.Result.Threads
                e.EvaluationSeconds
        else
            printfn
                "%-9s training %.1f s (%.2f ms/step, %d threads), evaluation %.1f s"
                (Tasks.modelKey t.Kind)
                t.Result.Seconds
                t.Result.MillisecondsPerStep
                t.Result.Threads
                e.EvaluationSeconds

let private train (args: ParseResults<TrainArgs>) =
    let task =
        match args.TryGetResult TrainArgs.Task, args.TryGetResult TrainArgs.Csv with
        | Some _, Some _ -> raise (UsageError "give --task or --csv, not both")
        | None, None -> raise (UsageError "give --task KEY (a built-in task) or --csv FILE (your own trajectories)")
        | None, Some file ->
            if args.Contains TrainArgs.Data then
                raise (UsageError "--data applies to real-pendulum only; with --csv the file is the data")
            let fraction = args.TryGetResult TrainArgs.Test_Fraction |> Option.defaultValue 0.2
            if not (fraction > 0.0 && fraction < 1.0) then
                raise (UsageError(sprintf "--test-fraction must be in (0, 1), got %g" fraction))
            TaskSources.ofCsv file fraction
        | Some key, None ->
            if args.Contains TrainArgs.Test_Fraction then
                raise (UsageError "--test-fraction applies to --csv only")
            match args.TryGetResult TrainArgs.Data, task key with
            | None, t -> t
            | Some file, t when t.Key = Tasks.realPendulum.Key -> Tasks.realPendulumFrom (Some file)
            | Some _, t -> raise (UsageError(sprintf "--data applies to real-pendulum only, not to %s (its data are generated)" t.Key))
    let kind = modelKind "--model" (args.GetResult TrainArgs.Model)
    if ModelSettings.IsSampled kind then
        // A sampled model is fitted in one solve: the Adam recipe's options would be ignored, so they are refused.
        let adamOnly (arg: TrainArgs) =
            match arg with
            | TrainArgs.Steps _ -> Some "--steps"
            | TrainArgs.Lr _ -> Some "--lr"
            | TrainArgs.Lr_Decay _ -> Some "--lr-decay"
            | TrainArgs.Batch_Size _ -> Some "--batch-size"
            | TrainArgs.Weight_Decay _ -> Some "--weight-decay"
            | TrainArgs.Clip_Grad_Norm _ -> Some "--clip-grad-norm"
            | TrainArgs.Supervision _ -> Some "--supervision"
            | TrainArgs.Integrator _ -> Some "--integrator"
            | TrainArgs.Substeps _ -> Some "--substeps"
            | TrainArgs.Checkpoint_Every _ -> Some "--checkpoint-every"
            | _ -> None
        match args.GetAllResults() |> List.tryPick adamOnly with
        | Some name ->
            raise (
                UsageError(
                    sprintf "%s applies to trained models; %s is fitted by least squares in one solve (no steps)" name (Tasks.modelKey kind)
                )
            )
        | None -> ()
    let opts =
        options
            (args.TryGetResult TrainArgs.Steps)
            (args.TryGetResult TrainArgs.Seed)
            (args.TryGetResult TrainArgs.Threads)
            (args.TryGetResult TrainArgs.Supervision)
            (args.TryGetResult TrainArgs.Integrator)
            (args.TryGetResult TrainArgs.Substeps)
            (args.Contains TrainArgs.No_Eval)
            (args.TryGetResult TrainArgs.Out)
        |> fun o -> { o with MomentumSymmetric = args.Contains TrainArgs.Momentum_Symmetric }
        |> withSafety
            (args.TryGetResult TrainArgs.Lr)
            (args.TryGetResult TrainArgs.Lr_Decay)
            (args.TryGetResult TrainArgs.Batch_Size)
            (args.TryGetResult TrainArgs.Weight_Decay)
            (args.TryGetResult TrainArgs.Clip_Grad_Norm)
            (args.TryGetResult TrainArgs.Checkpoint_Every)
            (args.Contains TrainArgs.Resume)
        |> withSampling [ kind ] (args.TryGetResult TrainArgs.Width) (args.TryGetResult TrainArgs.Sampler)
        |> withArchitecture
            [ kind ]
            (args.TryGetResult TrainArgs.Hidden)
            (args.TryGetResult TrainArgs.Relative_Ridge)
            (args.TryGetResult TrainArgs.Layers)
    Experiment.check opts task [ kind ]
    claim opts (args.Contains TrainArgs.Force)
    guarded opts (fun () ->
        LiveProgress.run (LiveProgress.plan opts [ task, [ kind ] ]) (fun progress ->
            let opts = { opts with Progress = progress }
            let evaluated, path = Experiment.runAndRecord opts (commandLine ()) task [ kind ]
            printTask task evaluated
            let reports = Experiment.writeReports opts [ task ]
            printfn "\nresults: %s; report: %s; model: %s" path reports ((Experiment.folder opts).Model(task.Key, Tasks.modelKey kind))
            0))

let private reproduce (args: ParseResults<ReproduceArgs>) =
    let keys = args.TryGetResult ReproduceArgs.Tasks
    match keys |> Option.bind (List.countBy id >> List.tryFind (fun (_, n) -> n > 1)) with
    | Some(key, _) -> raise (UsageError(sprintf "--tasks names %s more than once" key))
    | None -> ()
    let tasks =
        match keys with
        | Some ks -> List.map task ks
        | None -> Tasks.keyed
    let integratorSupervised = args.TryGetResult ReproduceArgs.Supervision = Some SupervisionArg.Integrator
    let kinds =
        match args.TryGetResult ReproduceArgs.Models with
        // The sampled models fit dx/dt in one solve: an integrator-supervised run trains the others.
        | None when integratorSupervised -> Tasks.modelKinds |> List.filter (ModelSettings.IsSampled >> not)
        | None -> Tasks.modelKinds
        | Some [] ->
            raise (
                UsageError(
                    sprintf "--models needs at least one of %s" (Tasks.trainableKinds |> List.map Tasks.modelKey |> String.concat ", ")
                )
            )
        | Some ms -> ms |> List.distinct |> List.map (modelKind "--models")
    match kinds |> List.tryFind ModelSettings.IsSampled with
    | Some k when integratorSupervised ->
        raise (UsageError(sprintf "--supervision integrator: %s fits dx/dt by least squares; leave it out of --models" (Tasks.modelKey k)))
    | _ -> ()
    let opts =
        options
            (args.TryGetResult ReproduceArgs.Steps)
            (args.TryGetResult ReproduceArgs.Seed)
            (args.TryGetResult ReproduceArgs.Threads)
            (args.TryGetResult ReproduceArgs.Supervision)
            (args.TryGetResult ReproduceArgs.Integrator)
            (args.TryGetResult ReproduceArgs.Substeps)
            (args.Contains ReproduceArgs.No_Eval)
            (args.TryGetResult ReproduceArgs.Out)
        |> withSafety
            (args.TryGetResult ReproduceArgs.Lr)
            (args.TryGetResult ReproduceArgs.Lr_Decay)
            (args.TryGetResult ReproduceArgs.Batch_Size)
            (args.TryGetResult ReproduceArgs.Weight_Decay)
            (args.TryGetResult ReproduceArgs.Clip_Grad_Norm)
            (args.TryGetResult ReproduceArgs.Checkpoint_Every)
            (args.Contains ReproduceArgs.Resume)
        |> withSampling kinds (args.TryGetResult ReproduceArgs.Width) (args.TryGetResult ReproduceArgs.Sampler)
        |> withArchitecture
            kinds
            (args.TryGetResult ReproduceArgs.Hidden)
            (args.TryGetResult ReproduceArgs.Relative_Ridge)
            (args.TryGetResult ReproduceArgs.Layers)
    // The pixel pendulum trains the paper's baseline and HNN on frame pairs with its own objective: what it cannot
    // honour is refused here, before any work, naming the option.
    let kindsOf (t: Tasks.Task) =
        match t.Source with
        | Tasks.Pixels _ ->
            let refuse (option: string) (why: string) =
                raise (UsageError(sprintf "%s: %s; leave %s out of --tasks to use it" option why t.Key))
            if args.Contains ReproduceArgs.Supervision && opts.Supervision = Training.Supervision.Integrator then
                refuse "--supervision integrator" "the pixel pendulum learns from frame pairs with its own objective"
            if args.Contains ReproduceArgs.Hidden then
                refuse "--hidden" "the pixel pendulum's autoencoder and latent field keep their own widths"
            if args.Contains ReproduceArgs.Integrator || args.Contains ReproduceArgs.Substeps then
                refuse
                    (if args.Contains ReproduceArgs.Integrator then "--integrator" else "--substeps")
                    "the pixel pendulum is not integrator-supervised"
            match kinds |> List.filter (fun k -> List.contains k PixelPendulum.modelKinds) with
            | [] -> refuse "--models" "the pixel pendulum trains baseline and hnn only"
            | ks -> ks
        | _ -> kinds
    let plan = [ for t in tasks -> t, kindsOf t ]
    for t, ks in plan do
        Experiment.check opts t ks
    let workers = args.TryGetResult ReproduceArgs.Jobs |> Option.map (atLeastOne "jobs")
    claim opts (args.Contains ReproduceArgs.Force)
    match workers with
    | Some workers ->
        let signals: SweepCommands.Signals = { Stop = stop.Token; Terminate = terminated.Token; ExitCode = stoppedCode }
        SweepCommands.mainJob signals args opts tasks (kinds |> List.map Tasks.modelKey) workers
    | None ->
        guarded opts (fun () ->
            LiveProgress.run (LiveProgress.plan opts plan) (fun progress ->
                let opts = { opts with Progress = progress }
                let started = DateTime.UtcNow
                let command = commandLine ()
                let mutable path = ""
                for t, ks in plan do
                    printfn "\n== %s (%s)" t.Title t.Key
                    let evaluated, results = Experiment.runAndRecord opts command t ks
                    path <- results
                    printTask t evaluated
                let reports = Experiment.writeReports opts tasks
                printfn
                    "\nresults: %s and %s; reports: %s (%.0f s in all)"
                    path
                    (Experiment.folder opts).ResultsMarkdown
                    reports
                    (DateTime.UtcNow - started).TotalSeconds
                0))

let private evaluate (args: ParseResults<EvaluateArgs>) =
    let file = args.GetResult EvaluateArgs.Model
    Torch.init ()
    let struct (model, description) = ModelFile.Load file
    use model = model
    // The model's run folder holds it under models/; a task that is not built in is recorded there.
    let folder = RunFolder(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath file) |> nonNull) |> nonNull)
    let task =
        match TaskSources.tryResolve folder description.Task with
        | Some t -> t
        | None ->
            match Tasks.tryFind description.Task with
            | Ok t -> t
            | Error e -> raise (ModelFileException(file, e))
    if task.Dimension <> model.Settings.InputDim then
        raise (
            ModelFileException(
                file,
                sprintf "input dimension %d does not match task %s (%d)" model.Settings.InputDim task.Key task.Dimension
            )
        )
    let data = task.Data description.Training.Seed
    let trained: Experiment.Trained =
        { Task = task
          Kind = model.Settings.Kind
          Model = model
          Settings = description.Training
          Result =
            Training.TrainingResult(
                [||],
                [||],
                Training.Trainer.FinalLoss(model, data.TrainX, data.TrainDx),
                Training.Trainer.FinalLoss(model, data.TestX, data.TestDx),
                0.0,
                0
            ) }
    let evaluated = Experiment.evaluate Experiment.defaults [ trained ]
    printfn "%s" (TextTable.table task.Key (evaluated |> List.collect Experiment.cells))
    0

let private check (args: ParseResults<CheckArgs>) =
    Torch.init ()
    let files = args.GetResults CheckArgs.Model
    let laws = args.TryGetResult CheckArgs.Laws |> Option.defaultValue []
    let columns = Physics.ModelFiles.checkAll files laws
    printfn "%s" (Physics.Report.table columns)
    for _, reports in columns do
        for r in reports do
            printfn "%s" (Physics.Report.format r)
    if columns |> List.exists (snd >> List.exists Physics.Report.failed) then 1 else 0

/// `hnn report --readme FILE`: the results table between FILE's marker comments, rewritten from DIR/results.json.
let private readmeTable (readme: string) (dir: string) =
    let results = RunFolder(dir).Results
    if not (File.Exists readme) then
        raise (UsageError(sprintf "--readme '%s': no such file" readme))
    if not (File.Exists results) then
        raise (UsageError(sprintf "--results '%s': no results.json there" dir))
    let changed = ReadmeTable.write readme results
    printfn "%s: the results table %s %s" readme (if changed then "rewritten from" else "already matches") results
    0

let private report (args: ParseResults<ReportArgs>) =
    let dir = args.TryGetResult ReportArgs.Results |> Option.defaultValue "results"
    match args.TryGetResult ReportArgs.Readme with
    | Some readme -> readmeTable readme dir
    | None ->
        Torch.init ()
        let pages = HtmlReport.writeAll dir
        for p in pages do
            printfn "%s" p
        if args.Contains ReportArgs.Check then
            match ReportCheck.checkFolder (RunFolder dir).Reports with
            | Ok lines ->
                for l in lines do
                    printfn "%s" l
                0
            | Error lines ->
                for l in lines do
                    eprintfn "%s" l
                1
        else
            0

let private bench (args: ParseResults<BenchArgs>) =
    Torch.init ()
    args.TryGetResult BenchArgs.Threads |> Option.map (atLeastOne "threads") |> Option.iter TorchSharp.torch.set_num_threads
    // The whole-run figures start this program again as a child process: `dotnet hnn.dll …` or the apphost.
    let self =
        let entry = (Reflection.Assembly.GetEntryAssembly() |> nonNull).Location
        match Environment.ProcessPath with
        | null -> None
        | host when Path.GetFileNameWithoutExtension host = "dotnet" -> Some(host, [ entry ])
        | host -> Some(host, [])
    let options: Bench.Options =
        { OutDir = args.TryGetResult BenchArgs.Out |> Option.defaultValue "bench"
          Quick = args.Contains BenchArgs.Quick
          Models = args.TryGetResult BenchArgs.Models
          Cli = self
          Parts =
            match args.TryGetResult BenchArgs.Only with
            | Some BenchPart.Throughput -> [ "throughput" ]
            | Some BenchPart.Sampled
            | None -> []
          Log = printfn "%s" }
    // The sampled HNN's rows, kept under "sampled" in the same results.json.
    let sampled () =
        let _, _, path = SampledBench.run options.OutDir options.Quick options.Log
        path
    let path =
        match args.TryGetResult BenchArgs.Only with
        | Some part when args.Contains BenchArgs.Models ->
            let name =
                match part with
                | BenchPart.Sampled -> "sampled"
                | BenchPart.Throughput -> "throughput"
            raise (UsageError(sprintf "--models times the trained models' evaluation, which --only %s does not run" name))
        | Some BenchPart.Throughput ->
            let _, _, path = Bench.run options
            path
        | Some BenchPart.Sampled -> sampled ()
        | None ->
            Bench.run options |> ignore
            sampled ()
    printfn "\nbench results: %s" path
    0

let private native (args: ParseResults<NativeArgs>) =
    if args.Contains NativeArgs.Restore then
        NativeRestore.run ()
    let status = TorchNative.Inspect()
    printfn "shim:      %s" status.Shim
    printfn "libtorch:  %s" status.LibTorchDirectory
    printfn
        "libstdc++: %s (%s %s)"
        (Option.ofObj status.LibStdCxx |> Option.defaultValue "not found")
        (if status.LibStdCxxHasVersion then "has" else "lacks")
        TorchNative.RequiredCxxVersion
    if status.NeedsFix && args.Contains NativeArgs.Check then
        printfn "the shim needs the libstdc++ compatibility fix: run without --check to apply it"
        1
    else
        if TorchNative.Fix status then
            printfn "applied the compatibility fix: the shim's %s requirement is now weak" TorchNative.RequiredCxxVersion
        elif not status.LibStdCxxHasVersion then
            printfn "the compatibility fix is in place"
        else
            printfn "no fix needed: this libstdc++ is new enough"
        TorchNative.EnsureLoaded()
        use t = TorchSharp.torch.ones (3L)
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
        | Export a -> ExportCommands.export a
        | Import a -> ExportCommands.import a
        | Sweep a -> SweepCommands.sweep { Stop = stop.Token; Terminate = terminated.Token; ExitCode = stoppedCode } a
        | Job a -> SweepCommands.job { Stop = stop.Token; Terminate = terminated.Token; ExitCode = stoppedCode } a
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
        eprintfn "error: %s%s" e.Message (if e.MissingNatives then " This tool restores them: hnn native --restore." else "")
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
    | :? ResultsFileException as e ->
        eprintfn "error: %s" e.Message
        2
    | e when isNull (Environment.GetEnvironmentVariable "HNN_DEBUG") ->
        eprintfn "error: %s (set HNN_DEBUG=1 for the stack trace)" (oneLine e)
        1
