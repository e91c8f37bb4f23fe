#!/usr/bin/env -S dotnet fsi
// A Hamiltonian neural network without backpropagation (Rahma, Datar & Dietrich 2024): sample one hidden layer, solve
// the output layer by least squares, and compare with our Adam-trained HNN on the same data, side by side at one
// thread — the rows of `hnn bench --only sampled` for the paper's mass-spring and ideal pendulum and for Hénon–Heiles
// (scripts/compose.fsx's recipe, with σ 0.05 and noise-free) — then three fixed samplers and widths beside the
// default (auto: ELM and A-SWIM fitted, the better on held-out trajectories kept). Needs a build first:
// `dotnet fsi build.fsx build`. Takes a few minutes (the Adam runs).
#load "hnn.fsx"
#r "../src/Hnn.Tools/bin/Release/net10.0/Hnn.Tools.dll"

open Hnn
open Hnn.Models.Sampled
open TorchSharp

torch.set_num_threads 1

for row in SampledBench.rows () |> List.take 4 do
    printfn "\n%s" row.Name
    let measured = SampledBench.measure false 3 ignore row
    for f in SampledBench.figures measured do
        printfn "  %-66s %10.3g %-2s %s" f.Name f.Value f.Unit f.Note
    let data = row.Task.Data 0
    for label, settings in
        [ "ELM, width ≤ 800", SampledSettings(Sampler = LayerSampler.Elm, Width = 800)
          "ELM, width ≤ 200", SampledSettings(Sampler = LayerSampler.Elm, Width = 200)
          "A-SWIM, width ≤ 800", SampledSettings(Sampler = LayerSampler.ASwim, Width = 800) ] do
        let fit = SampledFit.Fit(data, settings, 0)
        use _ = fit.Model
        printfn "  %-22s relative field MSE on the test states %.3e; %O" label (SampledBench.relativeFieldMse fit.Model data) fit.Report
    for m in measured.Adam :: measured.Fits do
        m.Evaluated.Trained.Model.Dispose()
