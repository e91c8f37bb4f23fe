module Program
[<EntryPoint>]
let main _ =
    Hnn.Native.TorchNative.EnsureLoaded()
    use t = TorchSharp.torch.ones(3L)
    printfn "%A" (t.sum().item<float32>()); 0
