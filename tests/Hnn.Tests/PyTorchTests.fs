module Hnn.Tests.PyTorchTests

open System
open System.Diagnostics
open System.IO
open Expecto
open Hnn.Models
open TorchSharp


let private model kind dimension seed = DynamicsModel.Create(ModelSettings(kind, dimension, HiddenDim = 24), seed)

/// States [n, d] in [−2, 2] from a fixed seed, float32.
let private states (n: int) (d: int) =
    let random = Random 3
    use flat = torch.tensor (Array.init (n * d) (fun _ -> float32 (random.NextDouble() * 4.0 - 2.0)))
    flat.reshape (int64 n, int64 d)

let private maxAbsDifference (a: torch.Tensor) (b: torch.Tensor) =
    use d = (a - b).abs().max()
    float (d.item<float32>())

/// The reference implementation's layout (greydanus/hamiltonian-nn, nn_models.py and hnn.py), written out by hand:
/// HNN keeps its MLP as `differentiable_model`; linear1 [hidden, in] + bias, linear2 [hidden, hidden] + bias,
/// linear3 [out, hidden] without bias; out = 2 for the HNN, = input_dim for the baseline (HNN(..., baseline=True)).
let private referenceKeys (input: int) (hidden: int) (output: int) =
    [ "differentiable_model.linear1.bias", [| int64 hidden |]
      "differentiable_model.linear1.weight", [| int64 hidden; int64 input |]
      "differentiable_model.linear2.bias", [| int64 hidden |]
      "differentiable_model.linear2.weight", [| int64 hidden; int64 hidden |]
      "differentiable_model.linear3.weight", [| int64 output; int64 hidden |] ]

let private layoutOf (path: string) = PyTorchWeights.ReadLayout path |> Seq.map (fun e -> e.Key, e.Shape) |> List.ofSeq

/// The first python3 on this machine that imports torch (PATH's, then Debian's), if any.
let private pythonWithTorch () =
    [ "python3"; "/usr/bin/python3" ]
    |> List.distinct
    |> List.tryFind (fun python ->
        try
            use p =
                Process.Start(
                    ProcessStartInfo(python, [ "-c"; "import torch" ], RedirectStandardError = true, RedirectStandardOutput = true)
                )
                |> nonNull
            p.StandardError.ReadToEnd() |> ignore
            p.WaitForExit()
            p.ExitCode = 0
        with :? ComponentModel.Win32Exception ->
            false)

[<Tests>]
let tests =
    testList
        "PyTorch weights"
        [ test "an exported HNN has exactly the reference HNN's state-dict keys and shapes" {
              let dir = temporaryFolder "pytorch"
              try
                  use hnn = model ModelKind.Hnn 4 1
                  let path = Path.Combine(dir, "hnn.pt")
                  PyTorchWeights.Export(hnn, path)
                  Expect.equal (layoutOf path) (referenceKeys 4 24 2) "HNN(4, differentiable_model=MLP(4, 24, 2))"
              finally
                  Directory.Delete(dir, true)
          }
          test "an exported baseline has the reference baseline's layout: output layer as wide as the state" {
              let dir = temporaryFolder "pytorch"
              try
                  use baseline = model ModelKind.Baseline 4 1
                  let path = Path.Combine(dir, "baseline.pt")
                  PyTorchWeights.Export(baseline, path)
                  Expect.equal (layoutOf path) (referenceKeys 4 24 4) "HNN(4, differentiable_model=MLP(4, 24, 4), baseline=True)"
              finally
                  Directory.Delete(dir, true)
          }
          test "export then import gives the same field and the same learned H to float32 round-off, for each model kind" {
              let dir = temporaryFolder "pytorch"
              try
                  use x = states 64 4
                  for kind in [ ModelKind.Baseline; ModelKind.Hnn; ModelKind.DissipativeHnn ] do
                      use original = model kind 4 7
                      let path = Path.Combine(dir, sprintf "%A.pt" kind)
                      PyTorchWeights.Export(original, path)
                      use imported = PyTorchWeights.Import(path, ModelSettings(kind, 4))
                      Expect.equal imported.Settings.HiddenDim 24 "the hidden width comes from the file"
                      use a = original.TimeDerivative(x, false)
                      use b = imported.TimeDerivative(x, false)
                      Expect.isLessThanOrEqual (maxAbsDifference a b) 1e-6 (sprintf "%A: same dx/dt" kind)
                      match original, imported with
                      | (:? HamiltonianNet as h1), (:? HamiltonianNet as h2) ->
                          use f1 = h1.Potentials x
                          use f2 = h2.Potentials x
                          Expect.isLessThanOrEqual (maxAbsDifference f1 f2) 1e-6 (sprintf "%A: same (F1, F2)" kind)
                      | _ -> ()
              finally
                  Directory.Delete(dir, true)
          }
          test "import refuses weights whose layout is not the chosen kind's, naming the file and the expected shapes" {
              let dir = temporaryFolder "pytorch"
              try
                  use hnn = model ModelKind.Hnn 4 1
                  let path = Path.Combine(dir, "hnn.pt")
                  PyTorchWeights.Export(hnn, path)
                  let e = Expect.throwsC (fun () -> PyTorchWeights.Import(path, ModelSettings(ModelKind.Baseline, 4)) |> ignore) id
                  Expect.stringContains e.Message path "names the file"
                  Expect.stringContains e.Message "linear3.weight [4, 24]" "states the expected shape"
                  let wrongDimension = Expect.throwsC (fun () -> PyTorchWeights.Import(path, ModelSettings(ModelKind.Hnn, 2)) |> ignore) id
                  Expect.stringContains wrongDimension.Message "dimension 4" "names the file's input dimension"
              finally
                  Directory.Delete(dir, true)
          }
          test "import refuses a file that is not a torch.save state dict, and export refuses a momentum-symmetric HNN" {
              let dir = temporaryFolder "pytorch"
              try
                  let junk = Path.Combine(dir, "junk.pt")
                  File.WriteAllText(junk, "not a zip file at all")
                  let e = Expect.throwsC (fun () -> PyTorchWeights.Import(junk, ModelSettings(ModelKind.Hnn, 2)) |> ignore) id
                  Expect.stringContains e.Message "not a PyTorch state dict" "says what is wrong"
                  use symmetric = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2, HiddenDim = 8, MomentumSymmetric = true), 0)
                  let refused = Expect.throwsC (fun () -> PyTorchWeights.Export(symmetric, Path.Combine(dir, "s.pt"))) id
                  Expect.stringContains refused.Message "momentum-symmetric" "says why"
                  Expect.isFalse (File.Exists(Path.Combine(dir, "s.pt"))) "nothing written"
              finally
                  Directory.Delete(dir, true)
          }
          test "the reference constructor printed for each kind is the reference implementation's call" {
              Expect.equal
                  (PyTorchWeights.ReferenceConstructor(ModelSettings(ModelKind.Hnn, 2)))
                  "HNN(2, differentiable_model=MLP(2, 200, 2, 'tanh'), field_type='solenoidal')"
                  "HNN"
              Expect.equal
                  (PyTorchWeights.ReferenceConstructor(ModelSettings(ModelKind.Baseline, 2)))
                  "HNN(2, differentiable_model=MLP(2, 200, 2, 'tanh'), baseline=True)"
                  "baseline"
              Expect.equal
                  (PyTorchWeights.ReferenceConstructor(ModelSettings(ModelKind.DissipativeHnn, 2)))
                  "HNN(2, differentiable_model=MLP(2, 200, 2, 'tanh'), field_type='both')"
                  "dissipative HNN"
          }
          // Runs only where a python3 with torch is installed (Debian: apt-get install python3-torch); elsewhere it
          // reports itself skipped (Expecto's skiptest), so a machine without torch says so instead of passing silently.
          test
              "PyTorch loads the exported HNN into the reference class layout, computes the same outputs, and its torch.save file imports back (python3 + torch)" {
              match pythonWithTorch () with
              | None -> skiptest "no python3 with torch on this machine (apt-get install python3-torch): the Python check did not run"
              | Some python ->
                  let dir = temporaryFolder "pytorch"
                  try
                      use hnn = model ModelKind.Hnn 2 5
                      let modelPath = Path.Combine(dir, "spring-hnn.json")
                      ModelFile.Save(hnn, "spring", Hnn.Training.TrainSettings(Steps = 0), modelPath) |> ignore
                      let hnnDll = Path.Combine(repoRoot, "src", "Hnn.Cli", "bin", "Release", "net10.0", "hnn.dll")
                      let run (program: string) (args: string list) =
                          let info = ProcessStartInfo(program, args, RedirectStandardOutput = true, RedirectStandardError = true)
                          use p = Process.Start info |> nonNull
                          let err = p.StandardError.ReadToEndAsync()
                          let out = p.StandardOutput.ReadToEnd()
                          p.WaitForExit()
                          p.ExitCode, out + err.Result
                      let pt, values = Path.Combine(dir, "spring-hnn.pt"), Path.Combine(dir, "spring-hnn.check.json")
                      let code, output =
                          run "dotnet" [ hnnDll; "export"; "--model"; modelPath; "--format"; "pytorch"; pt; "--check-values"; values ]
                      Expect.equal code 0 (sprintf "hnn export: %s" output)
                      let script = Path.Combine(repoRoot, "scripts", "check-pytorch-export.py")
                      let resaved = Path.Combine(dir, "resaved.pt")
                      let code, output = run python [ script; pt; values; resaved ]
                      Expect.equal code 0 (sprintf "the Python check: %s" output)
                      Expect.stringContains output "time derivatives" "compared the fields"
                      // The other direction: a file torch.save wrote, read by `hnn import`, gives the original field.
                      let imported = Path.Combine(dir, "imported.json")
                      let code, output =
                          run
                              "dotnet"
                              [ hnnDll; "import"; "--format"; "pytorch"; resaved; "--task"; "spring"; "--kind"; "hnn"; "--out"; imported ]
                      Expect.equal code 0 (sprintf "hnn import: %s" output)
                      let struct (back, _) = ModelFile.Load imported
                      use back = back
                      use x = states 32 2
                      use a = hnn.TimeDerivative(x, false)
                      use b = back.TimeDerivative(x, false)
                      Expect.isLessThanOrEqual (maxAbsDifference a b) 1e-6 "same dx/dt after the trip through PyTorch"
                  finally
                      Directory.Delete(dir, true)
          } ]
