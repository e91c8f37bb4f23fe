/// One run path for every source of a task: a paper task, a composed Hamiltonian, a CSV file and the pixel pendulum
/// leave the same shape of run folder; a CSV of a system Hnn does not ship trains from the command line to results.json,
/// a report, saved models and a passing `hnn check`.
module Hnn.Tests.RunPathTests

open System
open System.Diagnostics
open System.Globalization
open System.IO
open Expecto
open Hnn
open Hnn.Models
open Hnn.Pixels


/// The files a run folder holds for the models of one task, relative to the folder (the layout RunFolder owns).
let private expectedShape (task: string) (models: string list) =
    let run = RunFolder "."
    let relative (path: string) = Path.GetRelativePath(".", path).Replace('\\', '/')
    [ run.Results
      run.ResultsMarkdown
      run.ReportIndex
      run.Report task
      for m in models do
          run.Model(task, m)
          run.Weights(task, m)
          run.Checkpoint(task, m)
          run.Artifacts(task, m) ]
    |> List.map relative

/// H = p²/2 + q⁴/4, a quartic oscillator (not one of the repository's systems), integrated with a classical RK4 written
/// here, sampled at times printed with six decimals and unevenly spaced (every third interval 1.5× the others).
let private quarticTrajectories (count: int) (points: int) =
    let field (q: float, p: float) = p, -(q * q * q)
    let rk4 (h: float) (q, p) =
        let add (a, b) (c, d) s = a + s * c, b + s * d
        let k1 = field (q, p)
        let k2 = field (add (q, p) k1 (h / 2.0))
        let k3 = field (add (q, p) k2 (h / 2.0))
        let k4 = field (add (q, p) k3 h)
        q + h / 6.0 * (fst k1 + 2.0 * fst k2 + 2.0 * fst k3 + fst k4), p + h / 6.0 * (snd k1 + 2.0 * snd k2 + 2.0 * snd k3 + snd k4)
    let times = Array.scan (fun t k -> t + (if k % 3 = 2 then 0.15 else 0.1)) 0.0 [| 0 .. points - 2 |]
    [ for k in 0 .. count - 1 do
          let start = 0.4 + 0.6 * float k / float (max 1 (count - 1)), 0.2 * float (k % 3) - 0.2
          let mutable state, t = start, 0.0
          for i in 0 .. points - 1 do
              // Integrate from the previous time to this one in 20 substeps.
              let h = (times[i] - t) / 20.0
              for _ in 1 .. (if i = 0 then 0 else 20) do
                  state <- rk4 h state
              t <- times[i]
              yield String.Format(CultureInfo.InvariantCulture, "{0:F6},{1},{2:R},{3:R}", times[i], k + 1, fst state, snd state) ]

let private writeQuarticCsv (folder: string) =
    let path = Path.Combine(folder, "quartic_oscillator.csv")
    File.WriteAllLines(path, "t,trajectory,q,p" :: quarticTrajectories 8 25)
    path

let private runSmall (task: Tasks.Task) (kinds: ModelKind list) =
    let options = { Experiment.defaults with Steps = Some 3; Threads = Some 1; OutDir = temporaryFolder "runpath"; Log = ignore }
    let evaluated, _ = Experiment.runAndRecord options "test" task kinds
    for e in evaluated do
        e.Trained.Model.Dispose()
    Experiment.writeReports options [ task ] |> ignore
    options.OutDir

/// The files of a run folder, relative to it, but for what a task keeps of its own: tasks/ (what rebuilds a CSV task)
/// and the pixel pendulum's animations (`RunFolder.Picture`).
let private shapeOf (folder: string) =
    let pictures =
        Set.ofList
            [ for name in [ "pixel-pendulum"; "pixel-pendulum-energy" ] do
                  for ext in [ ".gif"; ".png" ] -> name + ext ]
    Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
    |> Seq.map (fun f -> Path.GetRelativePath(folder, f).Replace('\\', '/'))
    |> Seq.filter (fun f -> not (f.StartsWith "tasks/" || pictures.Contains f))
    |> Set.ofSeq

let tests =
    testSequenced
    <| testList
        "run path"
        [ test "a paper task, a composed Hamiltonian, a CSV file and the pixel pendulum leave the same shape of run folder" {
              let kinds = [ ModelKind.Baseline; ModelKind.Hnn; ModelKind.DissipativeHnn ]
              let composed =
                  let recipe = { Pipeline.recipe with Trajectories = 4; Points = 8; TimeSpan = 1.0; NoiseStd = 0.0 }
                  let protocol = { Pipeline.protocol with Count = 2; TimeSpan = 1.0; Points = 8; Rtol = 1e-6; Atol = 1e-6 }
                  Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + q ** 4.0 / 4.0)
                  |> Pipeline.task "quartic" recipe protocol (Tasks.training 3 1e-4 None)
              let csvFolder = temporaryFolder "runpath"
              let csv = TaskSources.ofCsv (writeQuarticCsv csvFolder) 0.25
              // Six trials of eight frames: 25 training pairs, rollouts over the 5 frames a trial allows.
              let pixels = Tasks.pixelPendulumFrom (PixelPendulumRecipe(Trials = 6, FramesPerTrial = 8))
              let folders =
                  [ Tasks.spring, { Tasks.spring with Evaluation = Tasks.Own }, kinds
                    composed, composed, kinds
                    csv, csv, kinds
                    pixels, pixels, PixelPendulum.modelKinds ]
                  |> List.map (fun (task, run, kinds) -> task.Key, kinds, runSmall run kinds)
              try
                  for key, kinds, folder in folders do
                      Expect.equal
                          (shapeOf folder)
                          (Set.ofList (expectedShape key (kinds |> List.map Tasks.modelKey)))
                          (sprintf "the run folder of %s" key)
                  let _, _, csvRun = folders[2]
                  Expect.isTrue (File.Exists((RunFolder csvRun).TaskFile csv.Key)) "a CSV task is recorded so the folder can rebuild it"
                  let _, _, pixelRun = folders[3]
                  let cells = Results.ResultsFile.Read (RunFolder pixelRun).Results |> Seq.map (fun c -> c.Model, c.Metric) |> Set.ofSeq
                  for metric in [ "train_loss"; "test_loss"; "energy_mse"; "rollout_mse"; "energy_drift" ] do
                      Expect.isTrue (cells.Contains("hnn", metric)) (sprintf "the pixel HNN's %s is recorded" metric)
                  Expect.isTrue (File.Exists((RunFolder pixelRun).Picture "pixel-pendulum.gif")) "the pixel pendulum's animation is drawn"
                  let page = File.ReadAllText((RunFolder pixelRun).Report pixels.Key)
                  Expect.stringContains page "pixel-pendulum.gif" "the pixel pendulum's page shows its animation"
                  Expect.stringContains page "data-chart=\"loss\"" "and its loss curves"
                  use reloaded = PixelPendulum.load ((RunFolder pixelRun).Model(pixels.Key, "hnn"))
                  Expect.equal reloaded.Kind ModelKind.Hnn "a saved pixel model loads from its description"
              finally
                  for _, _, folder in folders do
                      Directory.Delete(folder, true)
                  Directory.Delete(csvFolder, true)
          }
          test "hnn train --csv on a system Hnn does not ship gives results.json, a report, saved models and a passing hnn check" {
              let folder = temporaryFolder "runpath"
              try
                  let csv = writeQuarticCsv folder
                  let out = Path.Combine(folder, "run")
                  let code, text =
                      // An H even in p makes the HNN time-reversible by construction, so every law of `hnn check` holds.
                      runHnnToEnd
                          [ "train"
                            "--csv"
                            csv
                            "--model"
                            "hnn"
                            "--momentum-symmetric"
                            "--steps"
                            "30"
                            "--threads"
                            "1"
                            "--test-fraction"
                            "0.25"
                            "--out"
                            out ]
                  Expect.equal code 0 (sprintf "hnn train --csv succeeds:\n%s" text)
                  let run = RunFolder out
                  let key = "quartic-oscillator"
                  for file in
                      [ run.Results
                        run.ResultsMarkdown
                        run.Report key
                        run.ReportIndex
                        run.Model(key, "hnn")
                        run.Weights(key, "hnn")
                        run.TaskFile key ] do
                      Expect.isTrue (File.Exists file) (sprintf "%s exists" file)
                  let cells = Results.ResultsFile.Read run.Results |> Seq.filter (fun c -> c.Task = key) |> Seq.map _.Metric |> Set.ofSeq
                  Expect.isTrue (cells.Contains "rollout_mse") "the held-out trajectories' rollout MSE is recorded"
                  Expect.isFalse (cells.Contains "energy_mse") "no energy metrics without a true H"
                  let page = File.ReadAllText(run.Report key)
                  Expect.stringContains page "data-chart=\"learned-h\"" "the report draws the learned H along the held-out paths"
                  let code, text = runHnnToEnd [ "check"; "--model"; run.Model(key, "hnn") ]
                  Expect.equal code 0 (sprintf "hnn check passes for the HNN:\n%s" text)
              finally
                  Directory.Delete(folder, true)
          } ]

[<Tests>]
let runPathTests = tests
