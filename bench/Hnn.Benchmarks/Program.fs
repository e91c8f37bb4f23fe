/// `Hnn.Benchmarks [--threads N] [BenchmarkDotNet options]`: runs the micro-benchmarks with BenchmarkDotNet
/// (every benchmark and thread count in a child process of its own) and writes its reports (markdown, CSV, HTML)
/// to bench/out/microbench/results under the working folder. Without --threads each benchmark runs with 1 thread
/// and with all cores.
module Hnn.Benchmarks.Program

open BenchmarkDotNet.Configs
open BenchmarkDotNet.Jobs
open BenchmarkDotNet.Running

/// A short job: these benchmarks take milliseconds, so a few warm-ups and ten measured iterations are stable.
let private config =
    DefaultConfig.Instance
        .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).AsDefault())
        .WithArtifactsPath(System.IO.Path.Combine("bench", "out", "microbench"))

[<EntryPoint>]
let main argv =
    let rec split (args: string list) =
        match args with
        | "--threads" :: n :: rest ->
            Threads.counts <- [ int n ]
            split rest
        | a :: rest -> a :: split rest
        | [] -> []
    let rest = split (List.ofArray argv) |> Array.ofList
    let rest = if Array.contains "--filter" rest then rest else Array.append rest [| "--filter"; "*" |]
    BenchmarkSwitcher.FromAssembly(typeof<TrainingStep>.Assembly).Run(rest, config) |> ignore
    0
