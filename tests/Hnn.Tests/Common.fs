/// Helpers shared by the test modules: native loading, tolerances, FsCheck configuration.
[<AutoOpen>]
module Hnn.Tests.Common

open Expecto

do Hnn.Native.TorchNative.EnsureLoaded()

/// FsCheck settings for physics properties: at least 100 cases, replay seed printed on failure.
let physicsConfig = { FsCheckConfig.defaultConfig with maxTest = 100 }

/// |a − b| ≤ atol + rtol·|b|
let close (atol: float) (rtol: float) (a: float) (b: float) = abs (a - b) <= atol + rtol * abs b
