/// Helpers shared by the test modules: native loading, tolerances, FsCheck configuration.
[<AutoOpen>]
module Hnn.Tests.Common

open Expecto

do Hnn.Native.TorchNative.EnsureLoaded()

/// FsCheck settings for physics properties: at least 100 cases, replay seed printed on failure.
let physicsConfig = { FsCheckConfig.defaultConfig with maxTest = 100 }

/// |a − b| ≤ atol + rtol·|b|
let close (atol: float) (rtol: float) (a: float) (b: float) = abs (a - b) <= atol + rtol * abs b

/// A float64 [rows, cols] tensor from row-major values.
let tensor2d (rows: int) (cols: int) (values: float[]) =
    use flat = TorchSharp.torch.tensor (values: float[])
    flat.reshape (int64 rows, int64 cols)
