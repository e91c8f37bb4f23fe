/// One full-batch training step on the mass-spring dataset (750 rows), as the trainer runs it: the model's
/// time derivative (for the HNN with its graph to the weights), the mean squared error against the targets,
/// the loss read back, the backward pass and Adam's update, inside a dispose scope.
namespace Hnn.Benchmarks

open BenchmarkDotNet.Attributes
open Hnn.Data
open Hnn.Models
open TorchSharp

/// A training step of the paper's HNN and baseline (MLP 2→200→200, tanh) on the spring's 750 training rows.
type TrainingStep() =
    let mutable x: torch.Tensor = Unchecked.defaultof<_>
    let mutable dxdt: torch.Tensor = Unchecked.defaultof<_>
    let mutable models: Map<ModelKind, DynamicsModel * torch.optim.Optimizer> = Map.empty

    /// Torch intra-op threads.
    [<ParamsSource("ThreadCounts")>]
    member val Threads = 1 with get, set

    member _.ThreadCounts = Threads.counts

    [<GlobalSetup>]
    member this.Setup() =
        Threads.apply this.Threads
        let data = SpringRecipe().Generate()
        x <- data.TrainX.ToTensor()
        dxdt <- data.TrainDx.ToTensor()
        models <-
            [ for kind in [ ModelKind.Hnn; ModelKind.Baseline ] do
                  let model = DynamicsModel.Create(ModelSettings(kind, 2), 0)
                  let adam = torch.optim.Adam(model.parameters (), lr = 1e-3, weight_decay = 1e-4)
                  kind, (model, adam :> torch.optim.Optimizer) ]
            |> Map.ofList

    [<GlobalCleanup>]
    member _.Cleanup() =
        for model, adam in Map.values models do
            adam.Dispose()
            model.Dispose()
        x.Dispose()
        dxdt.Dispose()

    member private _.Step(kind: ModelKind) =
        let model, adam = models[kind]
        use scope = torch.NewDisposeScope()
        model.train ()
        let loss = (model.TimeDerivative(x, createGraph = true) - dxdt).square().mean()
        let value = loss.item<float32>()
        adam.zero_grad ()
        loss.backward ()
        adam.step () |> ignore
        value

    /// One HNN step: forward, written-out input gradient, backward through both, Adam.
    [<Benchmark>]
    member this.Hnn() = this.Step ModelKind.Hnn

    /// One baseline step: forward, backward, Adam.
    [<Benchmark>]
    member this.Baseline() = this.Step ModelKind.Baseline
