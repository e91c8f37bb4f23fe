/// The thread count every benchmark takes as a parameter, and the one-time setup of each benchmark process.
module Hnn.Benchmarks.Threads

open System
open TorchSharp

/// The thread counts to measure: `--threads N` on the command line, else 1 and all cores.
let mutable counts = List.distinct [ 1; Environment.ProcessorCount ]

/// Loads TorchSharp's native libraries (BenchmarkDotNet runs every benchmark in a child process of its own)
/// and sets torch's intra-op threads.
let apply (threads: int) =
    Hnn.Native.TorchNative.EnsureLoaded()
    torch.set_num_threads threads
