module Hnn.Cli.Program

open System
open System.IO
open Argu
open Hnn
open Hnn.Cli.Arguments
open Hnn.Models
open Hnn.Native

/// A user error: printed as one line, exit code 2.
exception UsageError of string

let private positive name (value: int) =
    if value < 0 then raise (UsageError(sprintf "--%s must be zero or positive, got %d" name value))
    value

let private atLeastOne name (value: int) =
    if value < 1 then raise (UsageError(sprintf "--%s must be at least 1, got %d" name value))
    value

let private options steps seed threads out : Experiment.Options =
    { Experiment.defaults with
        Steps = steps |> Option.map (positive "steps")
        Seed = defaultArg seed 0
        Threads = threads |> Option.map (atLeastOne "threads")
        OutDir = defaultArg out "results" }

let private printTable (task: Tasks.Task) (trained: Experiment.Trained list) =
    printfn "\n%s (%s), %d steps, seed %d:" task.Title task.Key trained.Head.Settings.Steps trained.Head.Settings.Seed
    printfn "%s" (Report.table task.Key (trained |> List.collect Experiment.cells))
    for t in trained do
        printfn "%-9s training: %.1f s, %.2f ms/step (%d threads)" (Tasks.modelKey t.Kind) t.Result.Seconds t.Result.MillisecondsPerStep t.Result.Threads

let private train (args: ParseResults<TrainArgs>) =
    let task =
        match Tasks.tryFind (args.GetResult TrainArgs.Task) with
        | Ok t -> t
        | Error e -> raise (UsageError e)
    let kind =
        match args.GetResult TrainArgs.Model with
        | ModelArg.Hnn -> ModelKind.Hnn
        | ModelArg.Baseline -> ModelKind.Baseline
    let opts =
        options (args.TryGetResult TrainArgs.Steps) (args.TryGetResult TrainArgs.Seed)
            (args.TryGetResult TrainArgs.Threads) (args.TryGetResult TrainArgs.Out)
    let started = DateTime.UtcNow
    let trained = Experiment.runTask opts task [ kind ]
    let path = Experiment.record opts (sprintf "hnn train --task %s --model %s" task.Key (Tasks.modelKey kind)) started trained
    printTable task trained
    printfn "\nresults: %s; model: %s" path (Path.Combine(opts.OutDir, "models", sprintf "%s-%s.json" task.Key (Tasks.modelKey kind)))
    0

let private run (args: ParseResults<RunArgs>) =
    let opts =
        options (args.TryGetResult RunArgs.Steps) (args.TryGetResult RunArgs.Seed)
            (args.TryGetResult RunArgs.Threads) (args.TryGetResult RunArgs.Out)
    let started = DateTime.UtcNow
    let trained = Experiment.runTask opts Tasks.spring [ ModelKind.Baseline; ModelKind.Hnn ]
    let path = Experiment.record opts "hnn run" started trained
    printTable Tasks.spring trained
    printfn "\nresults: %s (%.0f s in all)" path (DateTime.UtcNow - started).TotalSeconds
    0

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
    let train = Training.Trainer.FinalLoss(model, data.TrainX, data.TrainDx)
    let test = Training.Trainer.FinalLoss(model, data.TestX, data.TestDx)
    let key = Tasks.modelKey model.Settings.Kind
    printfn "%s" (Report.table task.Key [ Results.ResultsFile.Cell(task.Key, key, "train_loss", train); Results.ResultsFile.Cell(task.Key, key, "test_loss", test) ])
    0

let private native (args: ParseResults<NativeArgs>) =
    let status = TorchNative.Inspect()
    printfn "shim:      %s" status.Shim
    printfn "libtorch:  %s" status.LibTorchDirectory
    printfn "libstdc++: %s (%s %s)" (Option.ofObj status.LibStdCxx |> Option.defaultValue "not found")
        (if status.LibStdCxxHasVersion then "has" else "lacks") TorchNative.RequiredCxxVersion
    if status.NeedsFix && args.Contains Check then
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
    try
        let results = parser.ParseCommandLine(argv, raiseOnUsage = true)
        match results.GetSubCommand() with
        | Train a -> train a
        | Run a -> run a
        | Evaluate a -> evaluate a
        | Native a -> native a
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
    | :? TorchNativeException as e ->
        eprintfn "error: %s" e.Message
        3
    | :? ArgumentException as e ->
        eprintfn "error: %s" e.Message
        2
    | :? InvalidDataException as e ->
        eprintfn "error: %s" e.Message
        2
    | e when isNull (Environment.GetEnvironmentVariable "HNN_DEBUG") ->
        eprintfn "error: %s (set HNN_DEBUG=1 for the stack trace)" e.Message
        1
