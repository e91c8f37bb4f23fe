module Hnn.Tests.NativeTests

open Expecto
open Hnn.Native

[<Tests>]
let tests =
    testList
        "native loading"
        [ test "TorchSharp's shim loads and computes on this machine" {
              use t = TorchSharp.torch.arange (4L, dtype = TorchSharp.torch.ScalarType.Float64)
              Expect.equal (t.sum().item<float>()) 6.0 "0+1+2+3"
          }
          test "after loading, the shim needs no further fix here" {
              Expect.isFalse (TorchNative.Inspect().NeedsFix) "the loader fixes the shim before loading it"
          }
          test "the ELF reader finds the shim's libstdc++ requirements" {
              let status = TorchNative.Inspect()
              let reqs = ElfVersionRequirements.Read(System.IO.File.ReadAllBytes status.Shim, status.Shim)
              Expect.exists reqs (fun r -> r.Library = "libstdc++.so.6") "the shim links libstdc++"
          }
          test "the ELF reader rejects a file that is not ELF with a message naming it" {
              let e =
                  Expect.throwsC
                      (fun () ->
                          ElfVersionRequirements.Read("not elf at all, but long enough to be read as a header......."B, "x.so") |> ignore)
                      id
              Expect.stringContains e.Message "x.so: not an ELF file" "names the file and the problem"
          } ]
