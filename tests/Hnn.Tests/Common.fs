/// Helpers shared by the test modules: native loading, tolerances, FsCheck configuration.
[<AutoOpen>]
module Hnn.Tests.Common

open Expecto

do
    Hnn.Native.TorchNative.EnsureLoaded()
    // The tests' tensors are small: one thread is as fast, and immune to the slow-down OpenMP's
    // spin-waiting suffers when other processes share the cores.
    TorchSharp.torch.set_num_threads 1

/// FsCheck settings for physics properties: at least 100 cases, replay seed printed on failure.
let physicsConfig = { FsCheckConfig.defaultConfig with maxTest = 100 }

/// |a − b| ≤ atol + rtol·|b|
let close (atol: float) (rtol: float) (a: float) (b: float) = abs (a - b) <= atol + rtol * abs b

/// A float64 [rows, cols] tensor from row-major values.
let tensor2d (rows: int) (cols: int) (values: float[]) =
    use flat = TorchSharp.torch.tensor (values: float[])
    flat.reshape (int64 rows, int64 cols)
