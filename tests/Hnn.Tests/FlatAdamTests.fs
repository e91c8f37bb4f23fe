/// Adam over one flat parameter buffer: the parameters and gradients are views of it, and training with it gives the
/// per-parameter Adam's weights bit for bit, with the same checkpoints in both directions.
module Hnn.Tests.FlatAdamTests

open System
open System.IO
open Expecto
open Hnn.Data
open Hnn.Models
open Hnn.Training
open TorchSharp

let private spring = lazy (SpringRecipe().Generate())


/// Every parameter's float32 values, in registration order.
let private weights (model: DynamicsModel) = [ for p in model.parameters () -> p.detach().flatten().data<float32>().ToArray() ]

let private model kind = DynamicsModel.Create(ModelSettings(kind, 2, HiddenDim = 48), 7)

/// Minibatches (the generator state matters) and weight decay (the decayed gradient is Adam's input).
let private settings steps clip =
    TrainSettings(Steps = steps, BatchSize = 64, Seed = 7, TestEvery = 0, WeightDecay = 1e-4, ClipGradNorm = Option.toNullable clip)

let private train kind steps clip (control: TrainingControl) =
    let m = model kind
    Trainer.Train(m, spring.Value, settings steps clip, null, control) |> ignore
    m

[<Tests>]
let tests =
    testList
        "flat Adam"
        [ test
              "the parameters and gradients become views of the flat buffer, and zeroing, the largest gradient and clipping act on all of them" {
              use m = model ModelKind.Hnn
              let ps = m.parameters () |> Array.ofSeq
              let before = weights m
              use adam = new FlatAdam(ps, 1e-3, 0.0)
              Expect.equal (weights m) before "the values are kept"
              Expect.equal adam.Values.shape[0] (ps |> Array.sumBy (fun p -> p.numel ())) "one float32 per parameter value"
              // Writing the buffer writes the weights; a backward pass fills the gradient buffer.
              use _ = torch.no_grad ()
              adam.Values.zero_ () |> ignore
              for p in ps do
                  Expect.isTrue (p.abs().max().item<float32>() = 0.0f) "the parameter is a view of the buffer"
              adam.Values.copy_ (torch.tensor (Array.concat before)) |> ignore
              Expect.equal (weights m) before "and reads back from it"
              use _grad = torch.enable_grad ()
              use x = spring.Value.TrainX.ToTensor()
              use dx = spring.Value.TrainDx.ToTensor()
              use loss = (m.TimeDerivative(x, true) - dx).abs().mean()
              loss.backward ()
              let largest = ps |> Array.map (fun p -> (nonNull p.grad).abs().max().item<float32>()) |> Array.max
              Expect.isTrue (largest > 0.0f) "the backward pass reached the buffer"
              Expect.equal (adam.LargestGradient()) (float largest) "the largest |gradient| over the buffer is the parameters'"
              let norms = ps |> Array.map (fun p -> float ((nonNull p.grad).norm().item<float32>()))
              let norm = adam.ClipGradientNorm(1e-3)
              Expect.isTrue (close 1e-9 1e-5 norm (sqrt (Array.sumBy (fun n -> n * n) norms))) (sprintf "the global norm %g" norm)
              let clipped =
                  ps |> Array.map (fun p -> float ((nonNull p.grad).norm().item<float32>())) |> Array.sumBy (fun n -> n * n) |> sqrt
              Expect.isTrue (close 1e-9 1e-4 clipped 1e-3) (sprintf "clipped to 1e-3: %g" clipped)
              adam.zero_grad ()
              for p in ps do
                  Expect.isTrue ((nonNull p.grad).abs().max().item<float32>() = 0.0f) "every gradient zeroed"
          }

          test
              "training with Adam over one flat buffer gives the per-parameter Adam's weights bit for bit (three models, with and without clipping)" {
              for kind in [ ModelKind.Baseline; ModelKind.Hnn; ModelKind.DissipativeHnn ] do
                  for clip in [ None; Some 0.05 ] do
                      use flat = train kind 150 clip (TrainingControl(FlatParameters = true))
                      use perParameter = train kind 150 clip (TrainingControl(FlatParameters = false))
                      for a, b in List.zip (weights flat) (weights perParameter) do
                          Expect.sequenceEqual a b (sprintf "%A, clipping %A: bit-identical weights after 150 steps" kind clip)
          }

          test "a checkpoint of either optimiser resumes under the other to the uninterrupted run's weights" {
              for first, second in [ false, true; true, false ] do
                  let dir = temporaryFolder "flat-adam"
                  let path = Path.Combine(dir, "run.ckpt")
                  (train ModelKind.Hnn 60 None (TrainingControl(path, 20, false, "spring", FlatParameters = first))).Dispose()
                  use resumed = train ModelKind.Hnn 120 None (TrainingControl(path, 20, true, "spring", FlatParameters = second))
                  use straight = train ModelKind.Hnn 120 None (TrainingControl(FlatParameters = second))
                  for a, b in List.zip (weights resumed) (weights straight) do
                      Expect.sequenceEqual a b (sprintf "flat %b then flat %b: resumed = uninterrupted" first second)
                  Directory.Delete(dir, true)
          } ]
