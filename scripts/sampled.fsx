#!/usr/bin/env -S dotnet fsi
// A Hamiltonian neural network without backpropagation (Rahma, Datar & Dietrich 2024): sample one hidden layer, solve
// the output layer by least squares, and compare with our Adam-trained HNN on the same data, side by side at one
// thread: fit time against training time, test loss, relative field error on the test states, energy MSE.
// Tasks: the paper's mass-spring and ideal pendulum (noise σ 0.1), and Hénon–Heiles from scripts/compose.fsx's recipe
// (50 trajectories × 30 points on [0, 3], starts at radius 0.1–0.5), noise-free (Rahma et al.'s setting) and with
// σ 0.05. Needs a build first: `dotnet fsi build.fsx build`. Takes a few minutes (the Adam runs).
#load "hnn.fsx"

open System
open Hnn
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Models.Sampled
open Hnn.Training
open TorchSharp

torch.set_num_threads 1

/// Hénon–Heiles as scripts/compose.fsx samples it, with the trajectories' ids kept so the fit can hold out whole ones.
let henonHeiles noise =
    let h = Hamiltonians.henonHeiles 1.0
    let recipe = { Pipeline.recipe with Trajectories = 50; Points = 30; TimeSpan = 3.0; Starts = Pipeline.Radius(0.1, 0.5); NoiseStd = noise }
    let d = (Pipeline.sample recipe h).Dataset
    let train = Timeline.Regular(25, Sampling.Linspace(0.0, 3.0, 30))
    Dataset(d.Name, d.TrainX, d.TrainDx, d.TestX, d.TestDx, train), Pipeline.energyProtocol { Pipeline.protocol with Starts = Pipeline.Radius(0.1, 0.5) } h

let tasks =
    [ "mass-spring", SpringRecipe().Generate(), EnergyProtocol.Spring()
      "ideal pendulum", PendulumRecipe().Generate(), EnergyProtocol.Pendulum()
      let hh, protocol = henonHeiles 0.0 in "Hénon–Heiles, noise-free", hh, protocol
      let hh, protocol = henonHeiles 0.05 in "Hénon–Heiles, σ 0.05", hh, protocol ]

/// Σ|f − ẋ|² / Σ|ẋ|² on the test split (float32 states for the Adam HNN, as it was trained).
let relativeFieldMse (model: DynamicsModel) (data: Dataset) =
    use _ = torch.NewDisposeScope()
    let dtype = if model :? SampledHnn then torch.ScalarType.Float64 else torch.ScalarType.Float32
    let f = model.TimeDerivative(data.TestX.ToTensor dtype, false).``to``(torch.ScalarType.Float64)
    let y = data.TestDx.ToTensor torch.ScalarType.Float64
    ((f - y).square().sum() / y.square().sum()).item<float>()

let median (xs: float list) = (List.sort xs)[xs.Length / 2]

printfn "%-26s %-22s %9s %9s %11s %11s %11s" "task" "model" "seconds" "speed-up" "test loss" "rel. field" "energy MSE"
for name, data, protocol in tasks do
    let reference = TrajectoryEvaluation.ReferencePaths protocol
    use hnn = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, data.Dimension), 0)
    let trained = Trainer.Train(hnn, data, TrainSettings(Steps = 2000, WeightDecay = 1e-4, TestEvery = 0, Threads = 1))
    let row label seconds (model: DynamicsModel) =
        let test = Trainer.FinalLoss(model, data.TestX, data.TestDx).Mean
        let energy = (TrajectoryEvaluation.Evaluate(protocol, model, reference)).EnergyMse.Mean
        printfn "%-26s %-22s %9.3f %9.0f %11.3e %11.3e %11.3e" name label seconds (trained.Seconds / seconds) test (relativeFieldMse model data) energy
    row "Adam HNN (2000 steps)" trained.Seconds hnn
    for label, settings in
        [ "sampled, default", SampledSettings()   // auto (ELM vs A-SWIM on the validation split), width 400
          "sampled, ELM 800", SampledSettings(Sampler = LayerSampler.Elm, Width = 800)
          "sampled, ELM 200", SampledSettings(Sampler = LayerSampler.Elm, Width = 200)
          "sampled, A-SWIM 800", SampledSettings(Sampler = LayerSampler.ASwim, Width = 800) ] do
        // Three fits of the same seed (identical models): the median time.
        let fits = [ for _ in 1..3 -> SampledFit.Fit(data, settings, 0) ]
        let seconds = median [ for f in fits -> f.Report.Seconds ]
        row label seconds fits[0].Model
        printfn "%-26s   %O" "" fits[0].Report
        for f in fits do f.Model.Dispose()
