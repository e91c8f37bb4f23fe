#!/usr/bin/env -S dotnet fsi
// The benchmark suite: every model kind Hnn has (Tasks.trainableKinds: the main job's and the families beyond the HNN)
// on every conservative system (Tasks.conservative: spring, pendulum, two-body, double pendulum, Hénon–Heiles, the
// chain of five oscillators, the elastic pendulum),
// run as one local sweep (`hnn sweep`: a worker per core, one torch thread each, resumable), then the summary table
// model × system of energy error, valid prediction time and rollout MSE (DIR/summary.md). See docs/benchmarks.md.
//
//   dotnet fsi scripts/suite.fsx [--out DIR] [any other `hnn sweep` option, e.g. --seeds 0 1 2, --set steps=20, --jobs 1]
//
// Default DIR: results/suite. Running the same command again continues the sweep (finished jobs are skipped);
// a different one needs another --out. Needs a build first (`dotnet fsi build.fsx suite` builds, then runs this).
#load "hnn.fsx"

open System
open System.Diagnostics
open System.IO
open Hnn

let repository = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
let hnnDll = Path.Combine(repository, "src", "Hnn.Cli", "bin", "Release", "net10.0", "hnn.dll")
if not (File.Exists hnnDll) then
    eprintfn "suite.fsx: %s is missing: build first (dotnet fsi build.fsx build)" hnnDll
    exit 2

// --out DIR is ours (the summary goes there too); every other argument goes to hnn sweep.
let rec split (out: string option) (rest: string list) (args: string list) =
    match args with
    | "--out" :: dir :: tail -> split (Some dir) rest tail
    | [ "--out" ] ->
        eprintfn "suite.fsx: --out needs a folder"
        exit 2
    | a :: tail -> split out (rest @ [ a ]) tail
    | [] -> out, rest
let out, sweepArgs = split None [] (fsi.CommandLineArgs |> Array.toList |> List.tail)
let dir = Path.GetFullPath(defaultArg out (Path.Combine(repository, "results", "suite")))

let tasks = Tasks.conservative |> List.map _.Key
let models = Tasks.trainableKinds |> List.map Tasks.modelKey
let args = [ hnnDll; "sweep"; "--tasks" ] @ tasks @ [ "--models" ] @ models @ [ "--out"; dir ] @ sweepArgs
printfn "> dotnet %s" (String.Join(" ", args))
let exitCode =
    use sweep = Process.Start(ProcessStartInfo("dotnet", args, UseShellExecute = false))
    sweep.WaitForExit()
    sweep.ExitCode

// Whatever finished is summarised, also after a failed or stopped job (the table shows — where a value is missing).
if File.Exists(RunFolder(dir).Results) then
    let summary = BenchmarkTable.write dir
    printfn "\n%s\nsummary: %s" (File.ReadAllText summary) summary
exit exitCode
