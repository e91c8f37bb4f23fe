/// The command line, declared for Argu.
module Hnn.Cli.Arguments

open Argu

/// Which model to train.
type ModelArg =
    | Hnn
    | Baseline

/// Options shared by the commands that train.
type TrainArgs =
    | [<Mandatory; AltCommandLine("-t")>] Task of key: string
    | [<Mandatory; AltCommandLine("-m")>] Model of ModelArg
    | Steps of count: int
    | Seed of seed: int
    | Threads of count: int
    | Out of dir: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Task _ -> "task to train on: spring."
            | Model _ -> "model to train."
            | Steps _ -> "training steps (default: the paper's, 2000 for spring)."
            | Seed _ -> "random seed for data, weights and minibatches (default 0)."
            | Threads _ -> "torch threads (default: all cores)."
            | Out _ -> "output folder for results.json and models (default results)."

/// Options of the main job.
type RunArgs =
    | Steps of count: int
    | Seed of seed: int
    | Threads of count: int
    | Out of dir: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Steps _ -> "training steps per model (default: the paper's)."
            | Seed _ -> "random seed (default 0)."
            | Threads _ -> "torch threads (default: all cores)."
            | Out _ -> "output folder (default results)."

/// Options of evaluate.
type EvaluateArgs =
    | [<Mandatory; AltCommandLine("-m")>] Model of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Model _ -> "model file (.json) written by train or run."

/// Options of native.
type NativeArgs =
    | Check

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Check -> "only report; do not patch."

/// The top-level commands.
[<RequireSubcommand>]
type Command =
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Evaluate of ParseResults<EvaluateArgs>
    | [<CliPrefix(CliPrefix.None)>] Native of ParseResults<NativeArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Train _ -> "train one model on one task and record its losses."
            | Run _ -> "the main job: train baseline and HNN on mass-spring, compare with the paper."
            | Evaluate _ -> "compute a saved model's train and test loss on its task."
            | Native _ -> "check (and fix) that TorchSharp's native libraries load here."
