#!/usr/bin/env -S dotnet fsi
// Composing Hamiltonians nobody shipped: write H in one line, get a task like the paper's on the same run path: data,
// a trained baseline, HNN and dissipative HNN, an evaluation, results.json, saved models and an HTML report. Two
// systems: two pendulums coupled by a spring (a product plus a coupling term), and Hénon–Heiles (written from
// scratch); then the same from a CSV file. Needs a build first: `dotnet fsi build.fsx build`.
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

open Hnn

let clock = System.Diagnostics.Stopwatch.StartNew()

// Two pendulums (g = 2, l = 1, m = 1: H = p²/2 + 2(1 − cos θ)) side by side: a direct product, state
// (θ1, θ2, p1, p2); then a horizontal spring k = 0.5 between the bobs, ½k l²(sin θ1 − sin θ2)².
let pendulum = Hamiltonians.pendulum 2.0 1.0 1.0
let coupledPendulums =
    Hamiltonian.product pendulum pendulum
    |> Hamiltonian.couple (fun q p -> 0.25 * (sin (col 0 q) - sin (col 1 q)) ** 2.0)
    |> Hamiltonian.named "pendulums + spring"

// Hénon–Heiles, H = |p|²/2 + (x² + y²)/2 + x²y − y³/3, as a physicist writes it.
let henonHeiles =
    Hamiltonian.create 2 (fun q p ->
        let x, y = col 0 q, col 1 q
        total (p ** 2.0) / 2.0 + (x ** 2.0 + y ** 2.0) / 2.0 + x ** 2.0 * y - y ** 3.0 / 3.0)
    |> Hamiltonian.named "Hénon–Heiles"

for h in [ coupledPendulums; henonHeiles ] do
    printfn
        "%-20s n = %d, coordinates %A, separable: %b → %s"
        h.Name
        h.DegreesOfFreedom
        h.Coordinates
        (Hamiltonian.isSeparable h)
        (Hamiltonian.integrator h).Name

// Data: 50 trajectories × 30 points (half for testing), starts at phase-space radius U(lo, hi), noise σ.
let data (radius: float * float) (noise: float) =
    { Pipeline.recipe with
        Trajectories = 50
        Points = 30
        TimeSpan = 3.0
        Starts = Pipeline.Radius radius
        NoiseStd = noise }

// The paper's small-system training (2000 full-batch Adam steps, weight decay 1e-4), one torch thread (the fastest
// for 750 states of 4 numbers).
let log (line: string) = printfn "[%5.0f s] %s" clock.Elapsed.TotalSeconds line
let training = Pipeline.training

// The energy protocol: 15 starts from the training distribution, t ∈ [0, 20] at 100 points.
let protocol (radius: float * float) = { Pipeline.protocol with Starts = Pipeline.Radius radius }

// Each system becomes a task like the paper's and runs the same way: baseline, HNN and dissipative HNN trained
// (checkpointed; rerun with `Resume = true` to continue), evaluated on the true flow, recorded in
// results/compose/results.json with the models and artifacts, and an HTML report each.
let options = { Experiment.defaults with OutDir = "results/compose"; Threads = Some 1; Log = log }
let runs =
    [ coupledPendulums
      |> Pipeline.task "coupled-pendulums" (data (0.5, 1.5) 0.1) (protocol (0.5, 1.5)) training
      |> Pipeline.run options
      henonHeiles
      |> Pipeline.task "henon-heiles" (data (0.1, 0.5) 0.05) (protocol (0.1, 0.5)) training
      |> Pipeline.run options ]

printfn "\n%s\n" (Pipeline.reportAll runs)
for run in runs do
    let energy kind = run.Models |> List.pick (fun e -> if e.Trained.Kind = kind then e.Metrics |> Option.map _.EnergyMse.Mean else None)
    let ratio = energy Models.ModelKind.Baseline / energy Models.ModelKind.Hnn
    printfn
        "%-20s HNN energy MSE is %s the baseline's (baseline / HNN = %.1f); report %s"
        run.Task.Title
        (if ratio > 1.0 then "below" else "NOT below")
        ratio
        run.Report

// Bring your own data: trajectories in a CSV file (t, trajectory, coordinates, optional derivatives "d" + name; times
// as printed, even or not) are a task too (`TaskSources.ofCsv file testFraction`, or `hnn train --csv FILE`), run the
// same way. Here the file is written from Hénon–Heiles without derivatives, so they are estimated by second-order
// differences; with no true H known, the models are rolled out on the held-out trajectories.
let csv = "results/compose-henon-heiles.csv"
let starts = Pipeline.drawStarts (Pipeline.Radius(0.1, 0.5)) henonHeiles.Dimension 10 1
let table = Trajectories.ofSystem henonHeiles starts (Hnn.Data.Sampling.Linspace(0.0, 3.0, 30))
Trajectories.write csv { table with Trajectories = table.Trajectories |> List.map (fun t -> { t with Derivatives = None }) }
let fromCsv = TaskSources.ofCsv csv 0.5 |> Pipeline.run options
printfn "\n%s\n\nreports: %s; total %.0f s" (Pipeline.report fromCsv) (Experiment.folder options).ReportIndex clock.Elapsed.TotalSeconds
