/// Access to TorchSharp from F#: native loading, and the math functions F# cannot find on Tensor.
namespace Hnn

/// Loading the native libraries; every entry point of the F# layer calls `Torch.init ()`.
module Torch =
    /// Loads libtorch and TorchSharp's shim (once per process), applying the libstdc++ fix where needed.
    let init () = Native.TorchNative.EnsureLoaded()
