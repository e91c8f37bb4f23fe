/// Helpers shared by the test modules: native loading, tolerances, FsCheck configuration.
[<AutoOpen>]
module Hnn.Tests.Common

open Expecto

do
    Hnn.Native.TorchNative.EnsureLoaded()
    // The tests' tensors are small: one thread is as fast, and immune to the slow-down OpenMP's
    // spin-waiting suffers when other processes share the cores.
    TorchSharp.torch.set_num_threads 1

/// The FsCheck seed every property of the suite starts from (seed, odd gamma): each run draws the same cases, so a
/// red run is reproduced by running it again; a failure still prints the seed Expecto replays it with.
let fixedSeed = 2026113001UL, 2026113003UL

/// FsCheck settings with the suite's fixed seed.
let propertyConfig = { FsCheckConfig.defaultConfig with replay = Some(fst fixedSeed, snd fixedSeed, None) }

/// FsCheck settings for physics properties: at least 100 cases, the fixed seed.
let physicsConfig = { propertyConfig with maxTest = 100 }

/// |a − b| ≤ atol + rtol·|b|
let close (atol: float) (rtol: float) (a: float) (b: float) = abs (a - b) <= atol + rtol * abs b

/// A float64 [rows, cols] tensor from row-major values.
let tensor2d (rows: int) (cols: int) (values: float[]) =
    use flat = TorchSharp.torch.tensor (values: float[])
    flat.reshape (int64 rows, int64 cols)
