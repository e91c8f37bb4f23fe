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

The spring task's data (H = q² + p², 25 noisy trajectories for training), a baseline and an HNN, 300 steps each:
*)
open Hnn
open Hnn.Integrators

let spring = Tasks.spring
let system = spring.System.Value
let domain = spring.Domain.Value
let trained = Pipeline.trainOn { Pipeline.training with Steps = 300; Threads = Some 1 } None (spring.Data 0)
printfn "domain: %s; HNN test loss %s, baseline %s" domain.Name
    (Report.sci 3 trained.Hnn.Result.FinalTest.Mean) (Report.sci 3 trained.Baseline.Result.FinalTest.Mean)
(*** include-output ***)

(**
## Check the checks first

The true flow and a symplectic integrator (leapfrog) must keep every law; RK4, accurate to fourth order but not
symplectic, breaks symplecticity and volume preservation (Liouville) by more than round-off. 20 states per law and a
fixed seed, so this page is reproducible (the command line draws 100 states and a fresh seed, and prints it):
*)
let settings = { Physics.defaults with Cases = 20; Replay = Some(2024UL, 7UL) }
let check subject laws = Physics.checkWith settings subject laws

let columns =
    [ "true spring", check (Physics.trueSystem domain system) Physics.systemLaws
      "leapfrog", check (Physics.integrator domain system Leapfrog.Tableau) Physics.integratorLaws
      "RK4", check (Physics.integrator domain system Rk4.Tableau) Physics.integratorLaws ]
printfn "%s" (Physics.formatTable columns)
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
    [ "HNN", check (Physics.model domain (Some system) "HNN" trained.Hnn.Model) Physics.modelLaws
      "baseline", check (Physics.model domain (Some system) "baseline" trained.Baseline.Model) Physics.modelLaws ]
printfn "%s" (Physics.formatTable models)
(*** include-output ***)

(**
A report in full: the measured quantity against its tolerance, the counterexample FsCheck shrank toward the domain's
anchor, and how to replay it:
*)
let baselineReports = snd models[1]
baselineReports |> List.find (fun r -> r.Law = "symplecticity") |> Physics.formatReport |> printfn "%s"
(*** include-output ***)

(**
From the command line the same checks run on saved models: `hnn check --model results/models/spring-hnn.json
--model results/models/spring-baseline.json [--laws energy symplecticity]` prints the table and each report, and
exits with 1 if a law fails.
*)
