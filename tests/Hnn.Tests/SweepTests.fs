/// Sweeps: the job list is the Cartesian product in a stable order with disjoint folders, settings are checked
/// before any work, the merge's statistics are Student's, and the CLI runs jobs in worker processes (and on a
/// real one-node Slurm) that skip finished jobs, resume checkpointed ones and report failures.
module Hnn.Tests.SweepTests

open System
open System.Diagnostics
open System.IO
open System.Text
open System.Text.Json.Nodes
open System.Threading
open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn
open Hnn.IO
open Hnn.Results
open Hnn.Training


let private okOrFail (r: Result<'a, string>) =
    match r with
    | Ok v -> v
    | Error e -> failtestf "unexpected error: %s" e

let private axis (text: string) = Sweep.parseAxis text |> okOrFail

let private spec tasks models seeds axes = Sweep.spec tasks models seeds axes false 100 |> okOrFail

// ---------------------------------------------------------------- the CLI as a child process

let private hnn (args: string list) = runHnnToEnd args

/// A running `hnn` and its output so far (both streams).
type private Child = { Process: Process; Output: StringBuilder }

/// Starts `hnn` with the test hook set to pause at `point` (Interruption.pauseAt). It starts through
/// `env --default-signal=INT,TERM`, as in RobustnessTests: a suite started in the background of a non-interactive
/// shell inherits SIGINT ignored, and .NET keeps an ignored signal ignored.
let private startHeld (point: string) (args: string list) =
    let info =
        ProcessStartInfo(
            "env",
            [ "--default-signal=INT,TERM"; "dotnet"; hnnDll ] @ args,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        )
    info.Environment[Interruption.pauseVariable] <- point
    let p = Process.Start info |> nonNull
    let out = StringBuilder()
    let collect (e: DataReceivedEventArgs) =
        if not (isNull e.Data) then
            lock out (fun () -> out.AppendLine e.Data |> ignore)
    p.OutputDataReceived.Add collect
    p.ErrorDataReceived.Add collect
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    { Process = p; Output = out }

let private outputOf (c: Child) = lock c.Output (fun () -> c.Output.ToString())

/// Waits until `held` is true (checked every 50 ms), failing if the child ends first or after 5 minutes (a bound
/// that only keeps a broken build from hanging the suite): the child is then at a known step, however fast the machine.
let private waitUntilHeld (c: Child) (what: string) (held: unit -> bool) =
    let clock = Stopwatch.StartNew()
    while not (held ()) do
        if c.Process.HasExited then
            failtestf "hnn ended (exit %d) before %s:\n%s" c.Process.ExitCode what (outputOf c)
        if clock.Elapsed > TimeSpan.FromMinutes 5.0 then
            c.Process.Kill true
            failtestf "hnn did not reach %s within 5 minutes:\n%s" what (outputOf c)
        Thread.Sleep 50

/// Sends SIGTERM to the child (env has exec'd dotnet: the same process).
let private terminate (c: Child) =
    use kill = Process.Start("kill", [ "-TERM"; string c.Process.Id ])
    kill.WaitForExit()

/// The child's exit code and output, once it has ended (bounded by 5 minutes).
let private finish (c: Child) =
    if not (c.Process.WaitForExit 300_000) then
        c.Process.Kill true
        failtestf "hnn did not end within 5 minutes:\n%s" (outputOf c)
    c.Process.WaitForExit()
    c.Process.ExitCode, outputOf c

/// The node at `path` below `node`.
let private at (path: string list) (node: JsonNode) =
    path
    |> List.fold
        (fun (n: JsonNode) (key: string) ->
            match n[key] with
            | null -> failtestf "no \"%s\" in %s" key (n.ToJsonString())
            | child -> child)
        node

/// A number at `key` below `node`.
let private number (key: string) (node: JsonNode) = (at [ key ] node).GetValue<float>()

/// A metric of the merged results.json: its node.
let private merged (sweepDir: string) (task: string) (label: string) (metric: string) =
    JsonNode.Parse(File.ReadAllText(Path.Combine(sweepDir, ResultsFile.FileName)))
    |> nonNull
    |> at [ "tasks"; task; label; metric ]

/// A completed run's results.json in a job's folder with these cells.
let private fakeResults (folder: string) (cells: (string * string * string * float) list) =
    let run = ResultsFile.RunInfo("2026-01-01T00:00:00Z", 0, 20, 1, 1.0, "test")
    ResultsFile.Merge(folder, [ for t, m, metric, v in cells -> ResultsFile.Cell(t, m, metric, LossEstimate(v, 0.0)) ], run)
    |> ignore

// ---------------------------------------------------------------- laws of the job list

let private taskKeys = [ "spring"; "pendulum"; "damped-spring" ]
let private modelKeys = [ "baseline"; "hnn"; "dissipative-hnn" ]

/// A sweep's parts: non-empty subsets of tasks, models and seeds, and up to three settings with 1–3 values.
let private specGen =
    gen {
        let! tasks = Gen.subListOf taskKeys |> Gen.filter (List.isEmpty >> not)
        let! models = Gen.subListOf modelKeys |> Gen.filter (List.isEmpty >> not)
        let! seeds = Gen.subListOf [ 0; 1; 2; 7 ] |> Gen.filter (List.isEmpty >> not)
        let! lr = Gen.subListOf [ "1e-3"; "3e-3"; "1e-2" ]
        let! steps = Gen.subListOf [ "10"; "20" ]
        let! wd = Gen.subListOf [ "0"; "1e-4" ]
        let axes =
            [ for name, values in [ "lr", lr; "steps", steps; "weight-decay", wd ] do
                  if not values.IsEmpty then
                      axis (name + "=" + String.concat "," values) ]
        return tasks, models, seeds, axes
    }

let private config = { FsCheckConfig.defaultConfig with maxTest = 200; replay = Some(1234UL, 5679UL, None) }

let private expansionTests =
    testList
        "expansion"
        [ test "a sweep expands to tasks × models × seeds × settings, tasks outermost and the last setting innermost" {
              let s =
                  spec
                      [ "spring"; "pendulum" ]
                      [ "hnn"; "baseline" ]
                      [ 0; 1 ]
                      [ axis "lr=1e-3,3e-3"; axis "steps=20"; axis "batch-size=64,128" ]
              let jobs = Sweep.expand s
              Expect.equal jobs.Length (2 * 2 * 2 * 2 * 1 * 2) "the product of the counts"
              let expected =
                  [ for t in [ "spring"; "pendulum" ] do
                        for m in [ "hnn"; "baseline" ] do
                            for seed in [ 0; 1 ] do
                                for lr in [ "1e-3"; "3e-3" ] do
                                    for b in [ "64"; "128" ] -> t, m, seed, [ "lr", lr; "steps", "20"; "batch-size", b ] ]
              Expect.sequenceEqual [ for j in jobs -> j.Task, j.Model, j.Seed, j.Settings ] expected "nested loops in the given order"
              Expect.sequenceEqual [ for j in jobs -> j.Index ] [ 0 .. jobs.Length - 1 ] "indices count from 0"
              Expect.equal jobs[0].Folder "jobs/spring/hnn/seed-0/lr=1e-3_batch-size=64" "only varying settings name a folder"
              let single = Sweep.expand (spec [ "spring" ] [ "hnn" ] [ 3 ] [ axis "steps=20" ])
              Expect.equal [ for j in single -> j.Folder ] [ "jobs/spring/hnn/seed-3" ] "no varying setting: the seed's folder"
          }
          testPropertyWithConfig config "every combination appears once, in a stable order, with folders of which none holds another"
          <| Prop.forAll (Arb.fromGen specGen) (fun (tasks, models, seeds, axes) ->
              let s = spec tasks models seeds axes
              let jobs = Sweep.expand s
              let combinations = axes |> List.fold (fun n a -> n * a.Values.Length) 1
              let keys = [ for j in jobs -> j.Task, j.Model, j.Seed, j.Settings ]
              let rank (j: Sweep.Job) =
                  [ List.findIndex ((=) j.Task) tasks
                    List.findIndex ((=) j.Model) models
                    List.findIndex ((=) j.Seed) seeds
                    yield! List.map2 (fun (a: Sweep.Axis) (_, v) -> List.findIndex ((=) v) a.Values) axes j.Settings ]
              let folders = jobs |> List.map (fun j -> j.Folder + "/")
              jobs.Length = tasks.Length * models.Length * seeds.Length * combinations
              && List.distinct keys = keys
              && (jobs |> List.map rank) = (jobs |> List.map rank |> List.sort)
              && Sweep.expand s = jobs
              && folders |> List.forall (fun a -> folders |> List.forall (fun b -> a = b || not (b.StartsWith a))))
          testPropertyWithConfig config "--except removes exactly its task/model pairs, keeps the rest in order, and survives sweep.json"
          <| Prop.forAll
              (Arb.fromGen (
                  gen {
                      let! tasks, models, seeds, axes = specGen
                      let! pairs =
                          Gen.subListOf
                              [ for t in tasks do
                                    for m in models -> t, m ]
                      return tasks, models, seeds, axes, pairs
                  }
              ))
              (fun (tasks, models, seeds, axes, pairs) ->
                  let s = spec tasks models seeds axes
                  let key (j: Sweep.Job) = j.Task, j.Model, j.Seed, j.Settings, j.Folder
                  match Sweep.without pairs s with
                  | Error e ->
                      // Refused only when nothing would be left.
                      e.Contains "no jobs" && Sweep.expand s |> List.forall (fun j -> List.contains (j.Task, j.Model) pairs)
                  | Ok narrowed ->
                      let jobs = Sweep.expand narrowed
                      let dir = temporaryFolder "sweep-except"
                      let written = Sweep.create dir "test" narrowed
                      let loaded = Sweep.load dir
                      Directory.Delete(dir, true)
                      (jobs |> List.map key) =
                          (Sweep.expand s |> List.filter (fun j -> not (List.contains (j.Task, j.Model) pairs)) |> List.map key)
                      && (jobs |> List.map _.Index) = [ 0 .. jobs.Length - 1 ]
                      && written = jobs
                      && loaded.Jobs = jobs
                      && loaded.Spec = narrowed)
          test "--except pairs are checked: TASK/MODEL, among the sweep's tasks and models, each once, leaving a job" {
              let s = spec [ "spring"; "pendulum" ] [ "hnn"; "baseline" ] [ 0 ] []
              for text, word in [ "spring", "expected TASK/MODEL"; "spring/", "expected TASK/MODEL"; "a/b/c", "expected TASK/MODEL" ] do
                  match Sweep.parsePair text with
                  | Ok p -> failtestf "%s was read as %A" text p
                  | Error e -> Expect.stringContains e word (sprintf "%s: the error names the problem" text)
              for pairs, word in
                  [ [ "two-body", "hnn" ], "two-body is not one of the sweep's tasks"
                    [ "spring", "lnn" ], "lnn is not one of the sweep's models"
                    [ "spring", "hnn"; "spring", "hnn" ], "spring/hnn given more than once"
                    [ for t in [ "spring"; "pendulum" ] do
                          for m in [ "hnn"; "baseline" ] -> t, m ],
                    "no jobs" ] do
                  match Sweep.without pairs s with
                  | Ok _ -> failtestf "%A was accepted" pairs
                  | Error e ->
                      Expect.stringContains e word "the error names the problem"
                      Expect.isFalse (e.Contains "\n") "one line"
          }
          test "settings and sweep parts are checked before any work, each problem in one line naming it" {
              for text, word in
                  [ "lr=0", "lr"
                    "lr=abc", "lr"
                    "lr=nan", "lr"
                    "lr=1e-3,,3e-3", "empty"
                    "lr=1e-3,0.001", "same value"
                    "steps=-1", "steps"
                    "batch-size=0", "batch-size"
                    "weight-decay=-1", "weight-decay"
                    "lr-decay=0.5", "lr-decay"
                    "supervision=magic", "supervision"
                    "integrator=euler", "integrator"
                    "momentum=true", "unknown setting"
                    "hidden=0", "hidden"
                    "relative-ridge=-0.1", "relative-ridge"
                    "relative-ridge=inf", "relative-ridge"
                    "layers=0", "layers"
                    "layers=2.5", "layers"
                    "lr", "name=value"
                    "=1", "name=value" ] do
                  match Sweep.parseAxis text with
                  | Ok a -> failtestf "%s was accepted as %A" text a
                  | Error e ->
                      Expect.stringContains e word (sprintf "%s: the error names the problem" text)
                      Expect.isFalse (e.Contains "\n") "one line"
              for tasks, models, seeds, axes, word in
                  [ [ "sprung" ], [ "hnn" ], [ 0 ], [], "unknown task 'sprung'"
                    [ "pixel-pendulum" ], [ "dissipative-hnn" ], [ 0 ], [], "no jobs: pixel-pendulum trains only baseline and hnn"
                    [ "spring"; "pixel-pendulum" ],
                    [ "hnn" ],
                    [ 0 ],
                    [ axis "supervision=integrator" ],
                    "setting supervision does not apply to pixel-pendulum"
                    [ "pixel-pendulum" ],
                    [ "hnn" ],
                    [ 0 ],
                    [ axis "momentum-symmetric=false,true" ],
                    "setting momentum-symmetric does not apply to pixel-pendulum"
                    [ "pixel-pendulum" ], [ "hnn" ], [ 0 ], [ axis "hidden=50" ], "setting hidden does not apply to pixel-pendulum"
                    [ "spring" ],
                    [ "sampled-hnn"; "la-sympnet" ],
                    [ 0 ],
                    [ axis "hidden=50,100" ],
                    "setting hidden applies to a model with hidden layers"
                    [ "spring" ], [ "hnn"; "baseline" ], [ 0 ], [ axis "relative-ridge=0,0.1" ], "setting relative-ridge applies to lnn"
                    [ "spring" ], [ "hnn"; "lnn" ], [ 0 ], [ axis "layers=4,8" ], "setting layers applies to a SympNet"
                    [ "spring" ], [ "hnn" ], [ 0 ], [ axis "width=100" ], "setting width applies to a sampled model"
                    [ "spring" ], [ "hnn"; "hnn" ], [ 0 ], [], "model hnn given more than once"
                    [ "spring" ], [ "lstm" ], [ 0 ], [], "unknown model 'lstm'"
                    [ "spring" ], [ "hnn" ], [ 0; -1 ], [], "seed -1"
                    [ "spring" ], [ "hnn" ], [], [], "at least one seed"
                    [ "spring" ], [ "hnn" ], [ 0 ], [ axis "lr=1e-3"; axis "lr=2e-3" ], "setting lr given more than once" ] do
                  match Sweep.spec tasks models seeds axes true 100 with
                  | Ok _ -> failtestf "%A was accepted" (tasks, models, seeds)
                  | Error e -> Expect.stringContains e word "the error names the problem"
              // What the pixel pendulum's run path honours is accepted: its own defaults spelt out, and --no-eval.
              for axes in [ [ axis "supervision=derivative" ]; [ axis "momentum-symmetric=false" ]; [ axis "lr=1e-3,2e-3" ] ] do
                  Sweep.spec [ "pixel-pendulum" ] [ "hnn" ] [ 0 ] axes false 100 |> okOrFail |> ignore
              // A setting that some of the sweep's models take is accepted (the others keep their own).
              Sweep.spec [ "spring" ] [ "hnn"; "lnn" ] [ 0 ] [ axis "hidden=50,100"; axis "relative-ridge=0,1e-2" ] false 100
              |> okOrFail
              |> ignore
              Sweep.spec [ "spring" ] [ "hnn"; "la-sympnet" ] [ 0 ] [ axis "layers=4,20" ] false 100 |> okOrFail |> ignore
          }
          test "the pixel pendulum's jobs are its baseline and HNN: a sweep over every model leaves out its dissipative and sampled ones" {
              let every = Tasks.modelKinds |> List.map Tasks.modelKey
              let s = Sweep.spec [ "spring"; "pixel-pendulum" ] every [ 0; 1 ] [] true 100 |> okOrFail
              let jobs = Sweep.expand s
              Expect.equal
                  [ for j in jobs -> j.Task, j.Model, j.Seed ]
                  [ for t, ms in [ "spring", every; "pixel-pendulum", [ "baseline"; "hnn" ] ] do
                        for m in ms do
                            for seed in [ 0; 1 ] -> t, m, seed ]
                  "every model on spring, baseline and HNN on the pixel pendulum, in the job list's order"
              Expect.equal (jobs |> List.map _.Index) [ 0 .. jobs.Length - 1 ] "indices follow the list"
          }
          test "sweep.json round-trips, a rerun with another spec is refused, an edited job list or value is refused naming the file" {
              let dir = temporaryFolder "sweep"
              let s = spec [ "spring" ] [ "hnn" ] [ 0; 1 ] [ axis "steps=20"; axis "lr=1e-3,2e-3" ]
              let jobs = Sweep.create dir "test" s
              Expect.equal (Sweep.load dir).Jobs jobs "load reads the jobs create wrote"
              Expect.equal (Sweep.create dir "test again" s) jobs "the same spec continues the sweep"
              let other = spec [ "spring" ] [ "hnn" ] [ 0; 1; 2 ] [ axis "steps=20"; axis "lr=1e-3,2e-3" ]
              Expect.throwsT<ArgumentException> (fun () -> Sweep.create dir "other" other |> ignore) "another spec is refused"
              let path = Path.Combine(dir, Sweep.fileName)
              let text = File.ReadAllText path
              let refused (edited: string) (word: string) =
                  File.WriteAllText(path, edited)
                  try
                      Sweep.load dir |> ignore
                      failtestf "an edited sweep.json was accepted (expected: %s)" word
                  with :? InvalidDataException as e ->
                      Expect.stringContains e.Message path "names the file"
                      Expect.stringContains e.Message word "names the problem"
              refused (text.Replace("\"20\"", "\"-5\"")) "setting steps: '-5'"
              refused (text.Replace("\"seed\": 1", "\"seed\": 5")) "job 2 does not match"
              refused (text.Replace("\"format\": 1", "\"format\": 2")) "unknown format"
              refused "{ not json" "not valid JSON"
              Directory.Delete(dir, true)
          }
          test "a Slurm script is a job array over the jobs running hnn job per array task, and a Kubernetes manifest an Indexed Job" {
              let resources =
                  { SweepCluster.defaults with Partition = Some "debug"; Time = Some "0:30:00"; Mem = Some "2G"; CpusPerTask = 2 }
              let script = SweepCluster.slurmScript ("/usr/bin/dotnet", [ "/opt/hnn/hnn.dll" ]) "/data/my sweep" 4 resources
              for line in
                  [ "#!/bin/bash"
                    "#SBATCH --array=0-3"
                    "#SBATCH --cpus-per-task=2"
                    "#SBATCH --partition=debug"
                    "#SBATCH --time=0:30:00"
                    "#SBATCH --mem=2G"
                    "#SBATCH --output=/data/my sweep/logs/%a.log"
                    "exec '/usr/bin/dotnet' '/opt/hnn/hnn.dll' job '/data/my sweep' \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-1}\"" ] do
                  Expect.contains (script.Split '\n') line (sprintf "the script has %s" line)
              let k8s =
                  SweepCluster.kubernetesManifest "/data/sweep" 4 resources { Image = "hnn:1"; VolumeClaim = "claim"; Parallelism = Some 2 }
              for line in
                  [ "kind: Job"
                    "  completionMode: Indexed"
                    "  completions: 4"
                    "  parallelism: 2"
                    "          image: \"hnn:1\""
                    "          command: [\"hnn\", \"job\", \"/data/sweep\", \"$(JOB_COMPLETION_INDEX)\", \"--threads\", \"2\"]"
                    "              memory: \"2Gi\""
                    "              mountPath: \"/data/sweep\""
                    "            claimName: \"claim\"" ] do
                  Expect.contains (k8s.Split '\n') line (sprintf "the manifest has %s" line)
              for bad, word in
                  [ { resources with Time = Some "soon" }, "--time"
                    { resources with Mem = Some "2GB" }, "--mem"
                    { resources with Partition = Some "a b" }, "--partition"
                    { resources with CpusPerTask = 0 }, "--cpus-per-task" ] do
                  match SweepCluster.check bad with
                  | Ok _ -> failtestf "%A was accepted" bad
                  | Error e -> Expect.stringContains e word "names the option"
          } ]

// ---------------------------------------------------------------- merging

let private mergeTests =
    testList
        "merge"
        [ test "mean, sample standard deviation and the Student-t 95 % interval match hand-computed values" {
              // 1, 2, 3, 4: mean 2.5, s = √(5/3), t(0.975, 3) = 3.182446 (tables), half-width t·s/√4.
              let values xs = [ for seed, v in xs -> seed, LossEstimate(v, 0.01) ]
              let s = SweepMerge.summarize (values [ 0, 1.0; 1, 2.0; 2, 3.0; 3, 4.0 ])
              Expect.equal s.N 4 "n"
              Expect.floatClose Accuracy.veryHigh s.Mean 2.5 "mean"
              Expect.floatClose Accuracy.veryHigh s.Std.Value 1.2909944487358056 "sample std (n − 1)"
              Expect.floatClose Accuracy.veryHigh s.Err 0.6454972243679028 "std/√n"
              let lo, hi = s.Interval.Value
              Expect.isTrue (close 1e-6 0.0 lo 0.445739743) (sprintf "lower end %g" lo)
              Expect.isTrue (close 1e-6 0.0 hi 4.554260257) (sprintf "upper end %g" hi)
              // Two seeds, 0.5 and 0.7: s = 0.2/√2, t(0.975, 1) = 12.706205.
              let two = SweepMerge.summarize (values [ 3, 0.5; 8, 0.7 ])
              let lo, hi = two.Interval.Value
              Expect.isTrue (close 1e-6 0.0 (hi - two.Mean) 1.27062047) (sprintf "half-width %g" (hi - two.Mean))
              Expect.floatClose Accuracy.veryHigh (two.Mean - lo) (hi - two.Mean) "symmetric"
              Expect.equal two.Seeds [ 3, 0.5; 8, 0.7 ] "each seed's value"
              let one = SweepMerge.summarize (values [ 0, 0.25 ])
              Expect.equal
                  (one.N, one.Mean, one.Std, one.Interval, one.Err)
                  (1, 0.25, None, None, 0.01)
                  "one seed: no spread, the run's own error"
              for freedom, table in [ 1, 12.706205; 2, 4.302653; 4, 2.776445; 10, 2.228139; 30, 2.042272; 1000, 1.962339 ] do
                  Expect.isTrue (close 1e-6 0.0 (SweepMerge.tQuantile freedom) table) (sprintf "t(0.975, %d) = %g" freedom table)
          }
          test "merging reads each finished job, groups seeds per task, model and varying settings, and lists the rest as missing" {
              let dir = temporaryFolder "sweep"
              let jobs = Sweep.create dir "test" (spec [ "spring" ] [ "hnn"; "baseline" ] [ 0; 1; 2 ] [ axis "lr=1e-3,2e-3" ])
              let value (j: Sweep.Job) = float (j.Seed + 1) * (if j.Settings = [ "lr", "1e-3" ] then 1.0 else 10.0)
              for j in jobs do
                  let folder = Sweep.jobFolder dir j
                  match j.Model, j.Seed with
                  | "baseline", 2 -> () // never ran
                  | "baseline", 1 when j.Settings = [ "lr", "2e-3" ] ->
                      // a failed run: results written, then marked failed
                      fakeResults folder [ "spring", "baseline", "train_loss", 99.0 ]
                      ResultsFile.MarkUnfinished(
                          folder,
                          ResultsFile.RunInfo("x", 1, 20, 1, 1.0, "test", ResultsFile.RunStatus.Failed, "diverged")
                      )
                      |> ignore
                  | _ -> fakeResults folder [ "spring", j.Model, "train_loss", value j; "spring", j.Model, "test_loss", 2.0 * value j ]
              Expect.equal (Sweep.state dir jobs[0]) Sweep.Finished "a completed run is finished"
              let failed = jobs |> List.find (fun j -> j.Model = "baseline" && j.Seed = 1 && j.Settings = [ "lr", "2e-3" ])
              Expect.equal (Sweep.state dir failed) Sweep.Fresh "a failed run is not finished"
              let jobRun = RunFolder(Sweep.jobFolder dir failed)
              Directory.CreateDirectory jobRun.Checkpoints |> ignore
              File.WriteAllText(jobRun.Checkpoint("spring", "baseline"), "")
              Expect.equal (Sweep.state dir failed) Sweep.Checkpointed "a checkpoint makes it resumable"
              let m, paths = SweepMerge.write dir
              Expect.equal m.Missing.Length 3 "two never ran, one failed"
              Expect.equal
                  [ for g in m.Groups -> SweepMerge.label g ]
                  [ "hnn/lr=1e-3"; "hnn/lr=2e-3"; "baseline/lr=1e-3"; "baseline/lr=2e-3" ]
                  "groups in the sweep's order"
              let hnn = merged dir "spring" "hnn/lr=2e-3" "train_loss"
              Expect.equal (number "n" hnn) 3.0 "three seeds"
              Expect.floatClose Accuracy.veryHigh (number "mean" hnn) 20.0 "mean of 10, 20, 30"
              Expect.floatClose Accuracy.veryHigh (number "std" hnn) 10.0 "std of 10, 20, 30"
              Expect.floatClose Accuracy.veryHigh (number "err" hnn) (10.0 / sqrt 3.0) "err = std/√n"
              Expect.floatClose Accuracy.veryHigh (hnn |> at [ "seeds" ] |> number "2") 30.0 "seed 2's value"
              let baseline = merged dir "spring" "baseline/lr=2e-3" "train_loss"
              Expect.equal (number "n" baseline) 1.0 "only seed 0 finished"
              Expect.isNull baseline["ci95"] "no interval from one seed"
              // The file is a results.json that the existing reader understands.
              let cells = ResultsFile.Read(Path.Combine(dir, ResultsFile.FileName))
              Expect.equal cells.Count 8 "4 groups × 2 metrics"
              Expect.stringContains
                  (File.ReadAllText paths[1])
                  "| spring | hnn | lr=2e-3 | train_loss | 2.000e+01 | 1.000e+01 |"
                  "the markdown row"
              Expect.stringContains (File.ReadAllText paths[2]) "<td>hnn</td>" "the HTML table"
              Directory.Delete(dir, true)
          }
          test "claims restate the paper's comparisons and the dissipative HNN's against every published number as mean ± std over seeds" {
              let dir = temporaryFolder "sweep"
              let s = Sweep.spec [ "spring"; "real-pendulum-central" ] [ "hnn"; "dissipative-hnn" ] [ 0; 1 ] [] true 100 |> okOrFail
              let jobs = Sweep.create dir "test" s
              // spring HNN train loss 0.03 and 0.05 (paper 3.6933e-02); the centred dissipative HNN's test loss 5e-4 and 1e-3
              // (Sosanya & Greydanus 9.46e-04: one seed below) and energy MSE 4e-4 and 6e-4 (both below every published number).
              for j in jobs do
                  let cells =
                      match j.Task, j.Model with
                      | "spring", "hnn" -> [ "spring", "hnn", "train_loss", (if j.Seed = 0 then 0.03 else 0.05) ]
                      | "real-pendulum-central", "dissipative-hnn" ->
                          [ "real-pendulum-central", "dissipative-hnn", "test_loss", (if j.Seed = 0 then 5e-4 else 1e-3)
                            "real-pendulum-central", "dissipative-hnn", "energy_mse", (if j.Seed = 0 then 4e-4 else 6e-4) ]
                      | task, model -> [ task, model, "train_loss", 1.0 ]
                  fakeResults (Sweep.jobFolder dir j) cells
              let m = SweepMerge.merge dir
              let std = sqrt 2.0 * 0.01
              Expect.equal
                  (SweepClaims.paperRows m)
                  [ [ "spring"
                      "hnn"
                      "train_loss"
                      sprintf "%s ± %s" (Format.sci 3 0.04) (Format.sci 3 std)
                      "3.000e-02 – 5.000e-02"
                      "2"
                      "3.693e-02"
                      sprintf "%.2f" (0.04 / 3.6933e-02)
                      sprintf "%.2f – %.2f" (0.03 / 3.6933e-02) (0.05 / 3.6933e-02) ] ]
                  "one row: the only cell the paper reports (its real-pendulum-central and dissipative HNN have none)"
              let rows = SweepClaims.dissipativeRows m
              Expect.equal
                  (rows |> List.map (fun r -> r[2], r[6], r[7], r[8], r[9]))
                  [ "test_loss", "9.460e-04", "2.186e-03", "5.958e-03", "1 of 2"
                    "energy_mse", "1.070e-03", "3.856e-01", "1.448e-02", "2 of 2" ]
                  "against Sosanya & Greydanus and the paper's real-pendulum baseline and HNN, seed by seed"
              let text = (SweepClaims.markdown m).Value
              Expect.stringContains text "seeds 0, 1" "names the seeds"
              Expect.stringContains text "## Beside the paper's Table 1" "the paper's section"
              Expect.stringContains text "## The dissipative HNN on the real pendulum" "the dissipative HNN's section"
              let none = temporaryFolder "sweep"
              let only = Sweep.spec [ "damped-spring" ] [ "hnn" ] [ 0 ] [] true 100 |> okOrFail
              for j in Sweep.create none "test" only do
                  fakeResults (Sweep.jobFolder none j) [ "damped-spring", "hnn", "train_loss", 1.0 ]
              Expect.isNone (SweepClaims.markdown (SweepMerge.merge none)) "nothing published to compare with: no claims"
              for d in [ dir; none ] do
                  Directory.Delete(d, true)
          } ]

// ---------------------------------------------------------------- through the CLI

let private args (dir: string) =
    [ "sweep"; "--tasks"; "spring"; "--models"; "hnn"; "--seeds"; "0"; "1"; "--set"; "steps=20"; "--no-eval"; "--out"; dir ]

/// `hnn sweep` over spring's HNN alone, seed 0, `steps` steps, checkpoints every 10, no evaluation.
let private oneJobSweep (steps: int) (dir: string) =
    [ "sweep"
      "--tasks"
      "spring"
      "--models"
      "hnn"
      "--set"
      sprintf "steps=%d" steps
      "--no-eval"
      "--checkpoint-every"
      "10"
      "--out"
      dir ]

let private cliTests =
    testList
        "cli"
        [ test "a local 2-job sweep finishes in worker processes, a rerun skips both, and each job equals its run in this process" {
              let dir = temporaryFolder "sweep"
              let code, text = hnn (args dir @ [ "--jobs"; "2" ])
              Expect.equal code 0 (sprintf "the sweep succeeds:\n%s" text)
              Expect.stringContains
                  text
                  "2 jobs; 0 finished before (skipped), 0 to resume, 2 new; 2 workers, 1 torch thread each"
                  "the plan"
              Expect.stringContains text "finished spring/hnn/seed-0 (" "one line for seed 0"
              Expect.stringContains text "finished spring/hnn/seed-1 (" "one line for seed 1"
              let loss = merged dir "spring" "hnn" "train_loss"
              Expect.equal (number "n" loss) 2.0 "both seeds merged"
              let code, again = hnn (args dir @ [ "--jobs"; "2" ])
              Expect.equal code 0 (sprintf "the rerun succeeds:\n%s" again)
              Expect.stringContains again "2 finished before (skipped), 0 to resume, 0 new" "both skipped"
              Expect.isFalse (again.Contains "finished spring/hnn") "nothing ran"
              // A job is a pure function of task, model, seed and settings: the library, in this process, on one thread.
              let options =
                  { Experiment.defaults with
                      Steps = Some 20
                      Seed = 1
                      Threads = Some 1
                      Evaluate = false
                      OutDir = temporaryFolder "sweep"
                      Log = ignore }
              let t = Experiment.train options Tasks.spring (Tasks.spring.Data 1) Models.ModelKind.Hnn
              Experiment.save options t |> ignore
              t.Model.Dispose()
              Expect.equal
                  (File.ReadAllBytes((RunFolder(Path.Combine(dir, "jobs", "spring", "hnn", "seed-1"))).Weights("spring", "hnn")))
                  (File.ReadAllBytes((Experiment.folder options).Weights("spring", "hnn")))
                  "the job's weights are the in-process run's, bit for bit"
              for d in [ dir; options.OutDir ] do
                  Directory.Delete(d, true)
          }
          test "a failing job is reported with its exit code and reason, the other finishes, and the sweep exits non-zero" {
              let dir = temporaryFolder "sweep"
              let jobs = Sweep.create dir "test" (spec [ "spring" ] [ "hnn" ] [ 0; 1 ] [ axis "steps=20" ])
              // A file where job 1's folder must go: it cannot write its run.
              let blocked = Sweep.jobFolder dir jobs[1]
              Directory.CreateDirectory(nonNull (Path.GetDirectoryName blocked)) |> ignore
              File.WriteAllText(blocked, "in the way")
              let code, text = hnn (args dir @ [ "--jobs"; "2" ])
              Expect.equal code 1 (sprintf "a failed job fails the sweep:\n%s" text)
              Expect.stringContains text "finished spring/hnn/seed-0 (" "the other job finished"
              let failure = text.Split '\n' |> Array.tryFind (fun l -> l.Contains "FAILED   spring/hnn/seed-1: exit ")
              Expect.isSome failure (sprintf "one line for the failure:\n%s" text)
              Expect.stringContains failure.Value "error:" "with the job's error line"
              Expect.stringContains failure.Value (Path.Combine(dir, "logs", "1.log")) "and its log"
              Expect.stringContains text "1 of 2 jobs failed: spring/hnn/seed-1" "the summary"
              let m = SweepMerge.merge dir
              Expect.equal m.Missing [ jobs[1].Folder ] "the merge lists the failed job as missing"
              Directory.Delete(dir, true)
          }
          test "a job claimed by another process is not run: hnn job exits 75 and a local sweep reports it BUSY, with nothing written" {
              let dir = temporaryFolder "sweep"
              let s = Sweep.spec [ "spring" ] [ "hnn" ] [ 0 ] [ axis "steps=20" ] false 10 |> okOrFail
              let job = (Sweep.create dir "test" s).Head
              let folder = Sweep.jobFolder dir job
              // This process holds the job's lock, as a first `hnn job` would while it runs.
              let hold = FolderLock.Acquire folder
              let code, text = hnn [ "job"; dir; "0" ]
              Expect.equal code Sweep.busyExitCode (sprintf "hnn job exits 75:\n%s" text)
              Expect.stringContains text "job 0 (spring/hnn/seed-0) is already running in another process" "names the job"
              Expect.stringContains text (Path.Combine(folder, FolderLock.FileName)) "and the lock"
              let code, text = hnn (oneJobSweep 20 dir)
              Expect.equal code 1 (sprintf "the sweep does not pretend it finished:\n%s" text)
              Expect.stringContains text "BUSY     spring/hnn/seed-0: exit 75" (sprintf "one line says the job runs elsewhere:\n%s" text)
              Expect.equal
                  (Directory.GetFileSystemEntries folder |> Array.map Path.GetFileName)
                  [| FolderLock.FileName |]
                  "nothing but the lock file in the job's folder"
              hold.Dispose()
              let code, text = hnn [ "job"; dir; "0" ]
              Expect.equal code 0 (sprintf "released, the job runs:\n%s" text)
              Expect.equal (Sweep.state dir job) Sweep.Finished "and finishes"
              let results = Path.Combine(folder, ResultsFile.FileName)
              let before = File.ReadAllBytes results
              let run: Sweep.Run = { Threads = 1; Cancellation = CancellationToken.None; Command = "test"; Log = ignore }
              Expect.equal (Sweep.runJob dir s job run) results "runJob on a finished job returns its results"
              Expect.equal (File.ReadAllBytes results) before "without running it again"
              Directory.Delete(dir, true)
          }
          test "an interrupted job resumes from its checkpoint in the next sweep and ends with the weights of an uninterrupted run" {
              let dir = temporaryFolder "sweep"
              let s = Sweep.spec [ "spring" ] [ "hnn" ] [ 0 ] [ axis "steps=40" ] false 10 |> okOrFail
              let job = (Sweep.create dir "test" s).Head
              // Stop deterministically after step 10: the progress line of step 10 cancels the run.
              use stop = new CancellationTokenSource()
              let run: Sweep.Run =
                  { Threads = 1
                    Cancellation = stop.Token
                    Command = "test"
                    Log =
                      fun l ->
                          if l.Contains " 10/40" then
                              stop.Cancel() }
              Expect.throwsT<TrainingInterruptedException> (fun () -> Sweep.runJob dir s job run |> ignore) "the job stops"
              Expect.equal (Sweep.state dir job) Sweep.Checkpointed "with a checkpoint"
              let code, text = hnn (oneJobSweep 40 dir)
              Expect.equal code 0 (sprintf "the sweep resumes it:\n%s" text)
              Expect.stringContains text "0 finished before (skipped), 1 to resume, 0 new" "the plan says so"
              Expect.stringContains (File.ReadAllText(Sweep.logPath dir job)) "resuming from its checkpoint" "the job says so"
              let straight = temporaryFolder "sweep"
              Sweep.runJob straight s (Sweep.create straight "test" s).Head { run with Cancellation = CancellationToken.None; Log = ignore }
              |> ignore
              let weights d = File.ReadAllBytes((RunFolder(Sweep.jobFolder d job)).Weights("spring", "hnn"))
              Expect.equal (weights dir) (weights straight) "resumed = uninterrupted, bit for bit"
              for d in [ dir; straight ] do
                  Directory.Delete(d, true)
          }
          test
              "hnn job stopped by SIGTERM at a known step exits 143, is marked interrupted, and the next sweep resumes it to an uninterrupted run's weights" {
              let dir = temporaryFolder "sweep"
              let s = Sweep.spec [ "spring" ] [ "hnn" ] [ 0 ] [ axis "steps=40" ] false 10 |> okOrFail
              let job = (Sweep.create dir "test" s).Head
              let child = startHeld "train:20" [ "job"; dir; "0" ]
              waitUntilHeld child "the pause at step 20" (fun () -> (outputOf child).Contains "paused at train:20")
              terminate child
              let code, text = finish child
              Expect.equal code 143 (sprintf "SIGTERM exits with 143:\n%s" text)
              Expect.stringContains text "training stopped after step 20" "stopped after the step it was held at"
              let folder = Sweep.jobFolder dir job
              Expect.equal
                  (Sweep.lastRunStatus (Path.Combine(folder, ResultsFile.FileName)))
                  (Some ResultsFile.RunStatus.Interrupted)
                  "the run is marked interrupted"
              Expect.equal (Checkpoint.Load(RunFolder(folder).Checkpoint("spring", "hnn"))).Header.Step 20 "checkpointed at step 20"
              Expect.equal (Sweep.state dir job) Sweep.Checkpointed "the job is resumable"
              let code, text = hnn (oneJobSweep 40 dir)
              Expect.equal code 0 (sprintf "the sweep resumes it:\n%s" text)
              Expect.stringContains text "0 finished before (skipped), 1 to resume, 0 new" "the plan says so"
              Expect.equal
                  (Sweep.lastRunStatus (Path.Combine(folder, ResultsFile.FileName)))
                  (Some ResultsFile.RunStatus.Completed)
                  "now completed"
              let straight = temporaryFolder "sweep"
              let run: Sweep.Run = { Threads = 1; Cancellation = CancellationToken.None; Command = "test"; Log = ignore }
              Sweep.runJob straight s (Sweep.create straight "test" s).Head run |> ignore
              let weights d = File.ReadAllBytes(Path.Combine(Sweep.jobFolder d job, "models", "spring-hnn.weights"))
              Expect.equal (weights dir) (weights straight) "resumed = uninterrupted, bit for bit"
              for d in [ dir; straight ] do
                  Directory.Delete(d, true)
          }
          test
              "a local sweep stopped by SIGTERM passes it to its running worker, which checkpoints; the sweep exits 143 and its rerun finishes" {
              let dir = temporaryFolder "sweep"
              let sweepArgs = oneJobSweep 40 dir @ [ "--jobs"; "1" ]
              // The worker inherits the hook and pauses; its output goes to its log.
              let child = startHeld "train:20" sweepArgs
              let log = Path.Combine(dir, Sweep.logFolder, "0.log")
              let logSays (text: string) = File.Exists log && (File.ReadAllText log).Contains text
              waitUntilHeld child "the worker's pause at step 20" (fun () -> logSays "paused at train:20")
              terminate child
              let code, text = finish child
              Expect.equal code 143 (sprintf "the sweep exits with 143:\n%s" text)
              Expect.stringContains text "STOPPED  spring/hnn/seed-0: exit 143" "the worker stopped on the forwarded SIGTERM"
              Expect.isTrue (logSays "training stopped after step 20") "after the step it was held at"
              let code, text = hnn sweepArgs
              Expect.equal code 0 (sprintf "the rerun finishes it:\n%s" text)
              Expect.stringContains text "0 finished before (skipped), 1 to resume, 0 new" "resuming the checkpointed job"
              Directory.Delete(dir, true)
          }
          test "hnn run --jobs 2 writes the files, cells and weights hnn run --threads 1 writes, from one job per model" {
              let sequential, gathered = temporaryFolder "sweep", temporaryFolder "sweep"
              let common = [ "run"; "--tasks"; "spring"; "--models"; "baseline"; "hnn"; "--steps"; "20"; "--no-eval" ]
              let code, text = hnn (common @ [ "--threads"; "1"; "--out"; sequential ])
              Expect.equal code 0 (sprintf "hnn run succeeds:\n%s" text)
              let code, text = hnn (common @ [ "--jobs"; "2"; "--out"; gathered ])
              Expect.equal code 0 (sprintf "hnn run --jobs 2 succeeds:\n%s" text)
              Expect.stringContains
                  text
                  "2 jobs; 0 finished before (skipped), 0 to resume, 2 new; 2 workers, 1 torch thread each"
                  "a local sweep"
              let files (root: string) =
                  Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                  |> Array.map (fun f -> Path.GetRelativePath(root, f))
                  |> Array.filter (fun f -> not (f.StartsWith "sweep"))
                  |> Array.sort
              Expect.sequenceEqual (files gathered) (files sequential) "the same run folder, beside the sweep's own folder"
              let cells (root: string) =
                  ResultsFile.Read(Path.Combine(root, ResultsFile.FileName))
                  |> Seq.map (fun c -> c.Task, c.Model, c.Metric, c.Value.Mean, c.Value.Err)
                  |> Seq.sort
                  |> List.ofSeq
              Expect.equal (cells gathered) (cells sequential) "the same cells"
              for model in [ "baseline"; "hnn" ] do
                  let weights (root: string) = File.ReadAllBytes(Path.Combine(root, "models", sprintf "spring-%s.weights" model))
                  Expect.equal (weights gathered) (weights sequential) (sprintf "the %s's weights, bit for bit" model)
              let code, again = hnn (common @ [ "--jobs"; "2"; "--out"; gathered ])
              Expect.equal code 2 "a second run into the folder is refused, as for hnn run"
              Expect.stringContains again "--resume" "and says how to continue it"
              let code, again = hnn (common @ [ "--jobs"; "2"; "--resume"; "--out"; gathered ])
              Expect.equal code 0 (sprintf "--resume continues the sweep:\n%s" again)
              Expect.stringContains again "2 finished before (skipped)" "nothing left to run"
              for d in [ sequential; gathered ] do
                  Directory.Delete(d, true)
          }
          test "bad sweep and job command lines get a one-line error naming the problem and exit code 2, before anything is written" {
              let dir = temporaryFolder "sweep"
              let out = Path.Combine(dir, "s")
              for extra, word in
                  [ [ "--set"; "lr=0" ], "setting lr"
                    [ "--set"; "colour=red" ], "unknown setting 'colour'"
                    [ "--dry-run" ], "--dry-run applies to --slurm"
                    [ "--slurm"; "--k8s" ], "exclude each other"
                    [ "--slurm"; "--jobs"; "2" ], "--jobs applies to local sweeps"
                    [ "--slurm"; "--time"; "soon" ], "--time 'soon'"
                    [ "--jobs"; "0" ], "--jobs must be at least 1"
                    [ "--partition"; "p" ], "--partition applies to --slurm"
                    [ "--except"; "spring-hnn" ], "--except 'spring-hnn': expected TASK/MODEL"
                    [ "--except"; "spring/lnn" ], "lnn is not one of the sweep's models" ] do
                  let code, text = hnn ([ "sweep"; "--tasks"; "spring"; "--out"; out ] @ extra)
                  Expect.equal code 2 (sprintf "%A exits with 2:\n%s" extra text)
                  Expect.stringContains text word (sprintf "%A names the problem" extra)
                  Expect.isFalse (Directory.Exists out) "nothing written"
              Sweep.create out "test" (spec [ "spring" ] [ "hnn" ] [ 0 ] []) |> ignore
              for jobArgs, word in [ [ "job"; out; "5" ], "job index 5 is out of range"; [ "job"; dir; "0" ], "not a sweep folder" ] do
                  let code, text = hnn jobArgs
                  Expect.equal code 2 (sprintf "%A exits with 2:\n%s" jobArgs text)
                  Expect.stringContains text word (sprintf "%A names the problem" jobArgs)
              Directory.Delete(dir, true)
          } ]

// ---------------------------------------------------------------- a real Slurm

let private slurmTests =
    testList
        "slurm"
        [ test "a 4-job array submitted by hnn sweep --slurm runs on a one-node Slurm, merges, and leaves no daemon running" {
              let dir = temporaryFolder "sweep"
              let sweep = Path.Combine(dir, "sweep")
              let script = Path.Combine(repoRoot, "tests", "slurm", "local-slurm.sh")
              let clock = Stopwatch.StartNew()
              let code, text = runToEnd 600 "bash" [ script; hnnDll; sweep ]
              Expect.equal code 0 (sprintf "the Slurm run succeeds:\n%s" text)
              let daemons =
                  text.Split '\n'
                  |> Array.tryPick (fun l ->
                      if l.StartsWith "local-slurm: daemons " then
                          Some(l.Substring("local-slurm: daemons ".Length).Split ' ')
                      else
                          None)
              Expect.isSome daemons "the script names the daemons it started"
              for pid in daemons.Value do
                  Expect.isFalse (Directory.Exists(Path.Combine("/proc", pid.Trim()))) (sprintf "daemon %s was stopped" pid)
              for model in [ "hnn"; "baseline" ] do
                  for metric in [ "train_loss"; "test_loss" ] do
                      let m = merged sweep "spring" model metric
                      Expect.equal (number "n" m) 2.0 (sprintf "%s %s over both seeds" model metric)
                      Expect.isNotNull m["ci95"] "with an interval"
              Expect.stringContains (File.ReadAllText(Path.Combine(sweep, "sweep.sbatch"))) "#SBATCH --array=0-3" "one array task per job"
              printfn "slurm test: %.0f s (install, daemons, 4 jobs, merge)" clock.Elapsed.TotalSeconds
              Directory.Delete(dir, true)
          } ]

[<Tests>]
let tests = testList "sweep" [ expansionTests; mergeTests; cliTests; slurmTests ]
