/// Access to TorchSharp from F#: native loading, and the math functions F# cannot find on Tensor.
namespace Hnn

/// Loading the native libraries; every entry point of the F# layer calls `Torch.init ()`.
module Torch =
    /// Loads libtorch and TorchSharp's shim (once per process), applying the libstdc++ fix where needed, and has
    /// the native heap's free memory handed back to the system once a second (`Native.NativeHeap`).
    let init () =
        Native.TorchNative.EnsureLoaded()
        Native.NativeHeap.TrimEvery(System.TimeSpan.FromSeconds 1.0)
