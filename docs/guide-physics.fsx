(**
---
title: Physics checks of a learned model
category: Guides (executed when the site is built)
categoryindex: 1
index: 3
---
*)
(*** condition: prepare ***)
#load "../scripts/hnn.fsx"
(**
# Physics checks of a learned model

A Hamiltonian flow conserves energy, is time-reversible (for an H even in p), symplectic and volume-preserving.
`Hnn.Physics` checks these laws with FsCheck on states drawn from a domain of phase space, against bounds that
scale with the step and the horizon; a failure comes with the shrunk counterexample and the seed that replays it.
The [physics checks page](physics-checks.html) lists the laws and their tolerances. This page
(`docs/guide-physics.fsx`) ran when the site was built: the reports below are this build's.

## Train the paper's spring briefly

The spring task (H = q² + p², noisy trajectories), its baseline and HNN trained 300 steps each on one thread on the
run path of `hnn train`, into a temporary folder (the energy protocol is left out: the checks below are the
evaluation here):
*)
open System.IO
open Hnn
open Hnn.Integrators
open Hnn.Models

let spring = Tasks.spring
let system = spring.System.Value
let domain = spring.Domain.Value
let folder = Path.Combine(Path.GetTempPath(), "hnn-docs-physics")
if Directory.Exists folder then Directory.Delete(folder, true)
let options = { Experiment.defaults with OutDir = folder; Steps = Some 300; Threads = Some 1; Evaluate = false; Log = ignore }
let run = spring |> Pipeline.runWith [ ModelKind.Baseline; ModelKind.Hnn ] options
let trained kind = (run.Models |> List.find (fun m -> m.Trained.Kind = kind)).Trained

printfn "domain: %s; test loss: HNN %s, baseline %s" domain.Name
    (Format.sci 3 (trained ModelKind.Hnn).Result.FinalTest.Mean) (Format.sci 3 (trained ModelKind.Baseline).Result.FinalTest.Mean)
(*** include-output ***)

(**
## Check the checks first

The true flow and a symplectic integrator (leapfrog) must keep every law; RK4, accurate to fourth order but not
symplectic, breaks symplecticity and volume preservation (Liouville) by more than round-off. 20 states per law and a
fixed seed, so this page is reproducible (the command line draws 100 states and a fresh seed, and prints it):
*)
let settings = { Physics.Settings.defaults with Cases = 20; Replay = Some(2024UL, 7UL) }
let check subject laws = Physics.Check.lawsWith settings subject laws

let columns =
    [ "true spring", check (Physics.Subject.trueSystem domain system) Physics.Laws.forSystems
      "leapfrog", check (Physics.Subject.integrator domain system Leapfrog.Tableau) Physics.Laws.forIntegrators
      "RK4", check (Physics.Subject.integrator domain system Rk4.Tableau) Physics.Laws.forIntegrators ]
printfn "%s" (Physics.Report.table columns)
(*** include-output ***)

(**
## Check the learned models

Energy conservation uses the HNN's own learned H (the baseline has none, so the true H serves); the true-energy
drift follows the learned flow to t = 20. The HNN's field is a Hamiltonian field by construction: it conserves its
H and is symplectic and volume-preserving to round-off, which the baseline, a plain MLP field, is not. Neither is
time-reversible: that needs an H even in p, which nothing in the paper's HNN enforces
(`hnn train --momentum-symmetric` learns one, see [physics checks](physics-checks.html)):
*)
let models =
    [ "HNN", check (Physics.Subject.model domain (Some system) "HNN" (trained ModelKind.Hnn).Model) Physics.Laws.forModels
      "baseline", check (Physics.Subject.model domain (Some system) "baseline" (trained ModelKind.Baseline).Model) Physics.Laws.forModels ]
printfn "%s" (Physics.Report.table models)
(*** include-output ***)

(**
A report in full: the measured quantity against its tolerance, the counterexample FsCheck shrank toward the domain's
anchor, and how to replay it:
*)
let baselineReports = snd models[1]
baselineReports |> List.find (fun r -> r.Law = "symplecticity") |> Physics.Report.format |> printfn "%s"
(*** include-output ***)

(**
From the command line the same checks run on the saved models: `hnn check --model RUN/models/spring-hnn.json
--model RUN/models/spring-baseline.json [--laws energy symplecticity]` prints the table and each report, and exits
with 1 if a law fails.
*)
