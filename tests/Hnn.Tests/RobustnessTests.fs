/// Never lose a run: checkpoints resume bit-identically, divergence stops cleanly, every loader refuses bad
/// input with its own error, and a killed CLI run resumes to the same weights.
module Hnn.Tests.RobustnessTests

open System
open System.Diagnostics
open System.IO
open System.Security.Cryptography
open System.Text
open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn
open Hnn.Data
open Hnn.Models
open Hnn.Results
open Hnn.Training

let private spring = lazy (SpringRecipe().Generate())


/// Every parameter's float32 values, in registration order.
let private weights (model: DynamicsModel) = [ for p in model.parameters () -> p.data<float32>().ToArray() ]

let private expectSameWeights (a: DynamicsModel) (b: DynamicsModel) message =
    let wa, wb = weights a, weights b
    Expect.equal wa.Length wb.Length "same parameter count"
    for x, y in List.zip wa wb do
        Expect.sequenceEqual x y message

/// Minibatches, so the generator state matters; no per-step test loss, to stay fast.
let private settings steps = TrainSettings(Steps = steps, BatchSize = 64, Seed = 3, TestEvery = 5)

let private model () = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2, HiddenDim = 32), 3)

let private control path every resume = TrainingControl(path, every, resume, "spring")

/// Trains a fresh model with `settings`, checkpointing to `path`, and cancels it after step 13: the trainer must stop
/// with TrainingInterruptedException.
let private cancelAt13 (settings: TrainSettings) path =
    use cts = new Threading.CancellationTokenSource()
    let stopAt13 =
        { new IProgress<TrainingProgress> with
            member _.Report p =
                if p.Step = 13 then
                    cts.Cancel() }
    use first = model ()
    let e =
        Expect.throwsC
            (fun () ->
                Trainer.Train(first, spring.Value, settings, stopAt13, TrainingControl(path, 0, false, "spring", cts.Token)) |> ignore)
            id
    Expect.isTrue (e :? TrainingInterruptedException) (sprintf "interrupted, got %s" (e.GetType().Name))

// ---------------------------------------------------------------- mutations for the fuzz tests

/// One edit of a file's bytes; positions are fractions (per million) of the current length.
type Mutation =
    | Flip of at: int * bit: int
    | Insert of at: int * value: byte
    | Delete of at: int * count: int
    | Truncate of at: int
    | Overwrite of at: int * value: byte

let private mutationGen =
    let at = Gen.choose (0, 999_999)
    Gen.oneof
        [ Gen.map2 (fun a b -> Flip(a, b)) at (Gen.choose (0, 7))
          Gen.map2 (fun a v -> Insert(a, byte v)) at (Gen.choose (0, 255))
          Gen.map2 (fun a n -> Delete(a, n)) at (Gen.choose (1, 16))
          Gen.map Truncate at
          Gen.map2 (fun a v -> Overwrite(a, byte v)) at (Gen.elements [ 0; 9; 10; 32; 34; 44; 45; 46; 48; 57; 101; 123; 125; 255 ]) ]

let private mutationsArb = Arb.fromGen (Gen.nonEmptyListOf mutationGen |> Gen.map (List.truncate 4))

let private apply (bytes: byte[]) (mutations: Mutation list) =
    let place (at: int) (length: int) = int (int64 at * int64 length / 1_000_000L)
    (bytes, mutations)
    ||> List.fold (fun b m ->
        match m with
        | Flip(a, bit) when b.Length > 0 ->
            let c = Array.copy b
            let i = place a b.Length
            c[i] <- c[i] ^^^ (1uy <<< bit)
            c
        | Insert(a, v) ->
            let i = place a (b.Length + 1)
            Array.concat [ b[.. i - 1]; [| v |]; b[i..] ]
        | Delete(a, n) when b.Length > 0 ->
            let i = place a b.Length
            Array.append b[.. i - 1] b[min b.Length (i + n) ..]
        | Truncate a -> b[.. place a b.Length - 1]
        | Overwrite(a, v) when b.Length > 0 ->
            let c = Array.copy b
            c[place a b.Length] <- v
            c
        | _ -> b)

/// Replaces a trailing SHA-256 of the preceding bytes, so mutations reach past the checksum.
let private rehash (bytes: byte[]) =
    if bytes.Length < 32 then
        bytes
    else
        Array.append bytes[.. bytes.Length - 33] (SHA256.HashData(ReadOnlySpan(bytes, 0, bytes.Length - 32)))

/// The documented errors of the loaders: anything else escaping one is a bug.
let private handled (load: unit -> unit) =
    try
        load ()
    with
    | :? DataFileException
    | :? ModelFileException
    | :? CheckpointException
    | :? ResultsFileException
    | :? InvalidDataException -> ()
    | e -> failtestf "unhandled %s: %s" (e.GetType().FullName) e.Message

let private fuzzConfig cases = { propertyConfig with maxTest = cases }

let private fuzz cases name (load: Mutation list -> unit) =
    testPropertyWithConfig (fuzzConfig cases) name (Prop.forAll mutationsArb (fun ms -> handled (fun () -> load ms)))

/// A checkpoint of a short real run, written once for the fuzz tests.
let private checkpointBytes =
    lazy
        (let dir = temporaryFolder "robust"
         let path = Path.Combine(dir, "c.ckpt")
         use m = model ()
         Trainer.Train(m, spring.Value, settings 3, null, control path 0 false) |> ignore
         File.ReadAllBytes path)

let private fuzzTests =
    let dir = lazy (temporaryFolder "robust")
    let lipson = lazy (File.ReadAllBytes LipsonData.DefaultPath)
    let results =
        lazy
            (let run = ResultsFile.RunInfo("2026-01-01T00:00:00Z", 0, 10, 1, 1.0, "test")
             let folder = Path.Combine(dir.Value, "results-source")
             ResultsFile.Merge(
                 folder,
                 [ ResultsFile.Cell("spring", "hnn", "train_loss", LossEstimate(1.0, 0.1))
                   ResultsFile.Cell("spring", "baseline", "test_loss", LossEstimate(2.0, 0.2)) ],
                 run
             )
             |> File.ReadAllBytes)
    let dataset =
        lazy
            (let path = Path.Combine(dir.Value, "source.dataset")
             DatasetCache.Write(path, SpringRecipe(), spring.Value)
             File.ReadAllBytes path)
    let modelFiles =
        lazy
            (let path = Path.Combine(dir.Value, "source", "m.json")
             use m = model ()
             ModelFile.Save(m, "spring", settings 3, path) |> ignore
             File.ReadAllBytes path, File.ReadAllBytes(nonNull (Path.ChangeExtension(path, ".weights"))))
    let write (name: string) (bytes: byte[]) =
        let path = Path.Combine(dir.Value, Guid.NewGuid().ToString("N") + "-" + name)
        File.WriteAllBytes(path, bytes)
        path
    testList
        "fuzz"
        [ fuzz 2000 "LipsonData.Parse refuses mutated real-pendulum text with a DataFileException or parses it" (fun ms ->
              LipsonData.Parse(Encoding.UTF8.GetString(apply lipson.Value ms), "fuzz.txt") |> ignore)
          fuzz 300 "LipsonData.Load refuses mutated real-pendulum files (bytes, invalid UTF-8) or parses them" (fun ms ->
              let path = write "pend.txt" (apply lipson.Value ms)
              LipsonData.Load path |> ignore
              File.Delete path)
          fuzz 1000 "DatasetCache.Read refuses mutated dataset files, checksum intact or not" (fun ms ->
              let mutated = apply dataset.Value ms
              for bytes in [ mutated; rehash mutated ] do
                  let path = write "d.dataset" bytes
                  DatasetCache.Read(path, SpringRecipe()) |> ignore
                  File.Delete path)
          fuzz 1000 "Checkpoint.Parse refuses mutated checkpoints, checksum intact or not, and restores only what fits" (fun ms ->
              let mutated = apply checkpointBytes.Value ms
              handled (fun () -> Checkpoint.Parse(mutated, "fuzz.ckpt") |> ignore)
              let c = Checkpoint.Parse(rehash mutated, "fuzz.ckpt")
              use m = DynamicsModel.Create(c.Header.Model)
              c.RestoreWeights m
              use adam = TorchSharp.torch.optim.Adam(m.parameters ())
              c.RestoreOptimizerAndGenerator adam)
          fuzz 500 "ModelFile.Load refuses mutated descriptions and weights (re-checksummed too) or loads a valid model" (fun ms ->
              let json, weightBytes = modelFiles.Value
              let folder = Path.Combine(dir.Value, Guid.NewGuid().ToString("N"))
              Directory.CreateDirectory folder |> ignore
              let path = Path.Combine(folder, "m.json")
              let tryLoad () =
                  handled (fun () ->
                      let struct (m, _) = ModelFile.Load path
                      m.Dispose())
              // The description mutated, the weights intact.
              File.WriteAllBytes(path, apply json ms)
              File.WriteAllBytes(Path.Combine(folder, "m.weights"), weightBytes)
              tryLoad ()
              // The weights mutated and the checksum updated to match: torch must reject them, not crash.
              let mutated = apply weightBytes ms
              let sha = Convert.ToHexStringLower(SHA256.HashData mutated)
              File.WriteAllBytes(Path.Combine(folder, "m.weights"), mutated)
              let text = Encoding.UTF8.GetString json
              let old = text.Substring(text.IndexOf "\"weights_sha256\"")
              File.WriteAllText(path, text.Replace(old, sprintf "\"weights_sha256\": \"%s\"\n}" sha))
              tryLoad ()
              Directory.Delete(folder, true))
          fuzz 1500 "ResultsFile.Read and Merge refuse mutated results.json with a ResultsFileException or accept it" (fun ms ->
              let folder = Path.Combine(dir.Value, Guid.NewGuid().ToString("N"))
              Directory.CreateDirectory folder |> ignore
              let path = Path.Combine(folder, ResultsFile.FileName)
              File.WriteAllBytes(path, apply results.Value ms)
              handled (fun () -> ResultsFile.Read path |> ignore)
              ResultsFile.Merge(
                  folder,
                  [ ResultsFile.Cell("pendulum", "hnn", "test_loss", LossEstimate(3.0, 0.3)) ],
                  ResultsFile.RunInfo("d", 0, 1, 1, 0.0, "fuzz")
              )
              |> ignore
              Directory.Delete(folder, true))
          test "random bytes are refused by every loader with its documented error" {
              let rng = Random 7
              for length in [ 0; 1; 7; 8; 31; 32; 64; 1000 ] do
                  for _ in 1..20 do
                      let bytes = Array.zeroCreate<byte> length
                      rng.NextBytes bytes
                      let path = write "random" bytes
                      handled (fun () -> Checkpoint.Load path |> ignore)
                      handled (fun () -> DatasetCache.Read(path, SpringRecipe()) |> ignore)
                      handled (fun () -> LipsonData.Load path |> ignore)
                      handled (fun () -> ResultsFile.Read path |> ignore)
                      handled (fun () -> let struct (m, _) = ModelFile.Load path in m.Dispose())
              for missing in [ Path.Combine(dir.Value, "none"); dir.Value ] do
                  handled (fun () -> Checkpoint.Load missing |> ignore)
                  handled (fun () -> ResultsFile.Read missing |> ignore)
                  handled (fun () -> let struct (m, _) = ModelFile.Load missing in m.Dispose())
          } ]

// ---------------------------------------------------------------- the CLI as a child process

/// Starts the CLI with extra environment variables; its output (both streams) is collected, and `paused` completes
/// when it prints the test hook's "paused at" line (see Interruption.pauseAt).
/// The child starts through `env --default-signal=INT,TERM`: a process started in the background of a
/// non-interactive shell (as CI may start this suite) inherits SIGINT ignored, and .NET keeps an ignored SIGINT
/// ignored, so without the reset a Ctrl-C test would wait for a signal its child never sees.
let private startHnnWith (environment: (string * string) list) (args: string list) =
    let info =
        ProcessStartInfo(
            "env",
            [ "--default-signal=INT,TERM"; "dotnet"; hnnDll ] @ args,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        )
    for name, value in environment do
        info.Environment[name] <- value
    let p =
        match Process.Start info with
        | null -> failtest "could not start dotnet"
        | p -> p
    let out = StringBuilder()
    let paused = Threading.Tasks.TaskCompletionSource()
    let collect (e: DataReceivedEventArgs) =
        match e.Data with
        | null -> ()
        | line ->
            lock out (fun () -> out.AppendLine line |> ignore)
            if line.StartsWith "paused at " then
                paused.TrySetResult() |> ignore
    p.OutputDataReceived.Add collect
    p.ErrorDataReceived.Add collect
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    p, out, paused

let private startHnn args = startHnnWith [] args

/// Waits for the process to end (a bound of 5 minutes only keeps a broken build from hanging the suite).
let private finish (p: Process, out: StringBuilder, _) =
    if not (p.WaitForExit 300_000) then
        p.Kill true
        p.WaitForExit()
        failtestf "hnn did not finish within 5 minutes; its output so far:\n%s" (lock out (fun () -> out.ToString()))
    p.WaitForExit()
    p.ExitCode, lock out (fun () -> out.ToString())

let private runHnn args = finish (startHnn args)

/// Starts the CLI held at `point` by the test hook and returns once it is held there: the run is at a known step,
/// whatever the machine's speed. Fails if the run ends first.
let private startPaused (point: string) (args: string list) =
    let (p, out, paused) as run = startHnnWith [ Interruption.pauseVariable, point ] args
    let exited = p.WaitForExitAsync()
    let first = Threading.Tasks.Task.WhenAny(paused.Task, exited)
    if not (first.Wait(TimeSpan.FromMinutes 5.0)) then
        p.Kill true
        failtest (sprintf "hnn did not reach %s within 5 minutes" point)
    if not paused.Task.IsCompleted then
        p.WaitForExit()
        failtestf "hnn ended (exit %d) before pausing at %s:\n%s" p.ExitCode point (lock out (fun () -> out.ToString()))
    run

let private signal (name: string) ((p: Process), _, _) =
    use kill = Process.Start("kill", [ "-" + name; string p.Id ])
    kill.WaitForExit()

let private resultsText (out: string) = File.ReadAllText (RunFolder out).Results

/// A run stopped in one phase: the arguments of the run, where the hook holds it, the signal, what it must say,
/// and what its folder must show after the stop and after `--resume`.
type private Stop =
    { Name: string
      Args: string -> string list
      Point: string
      Signal: string
      Says: string
      AfterStop: string -> unit
      AfterResume: string -> unit }

/// Holds a run at `stop.Point`, signals it, expects exit 130 (INT) or 143 (TERM), the phase named, the run marked
/// interrupted in results.json; then `--resume` runs it to the end.
let private stopAndResume (stop: Stop) =
    let out = temporaryFolder "robust"
    let args = stop.Args out
    let run = startPaused stop.Point args
    signal stop.Signal run
    let code, text = finish run
    let expected = if stop.Signal = "TERM" then 143 else 130
    Expect.equal code expected (sprintf "SIG%s exits with %d:\n%s" stop.Signal expected text)
    Expect.stringContains text stop.Says "says where it stopped"
    Expect.stringContains (resultsText out) "\"status\": \"interrupted\"" "marked interrupted"
    stop.AfterStop out
    let code, text = runHnn (args @ [ "--resume" ])
    Expect.equal code 0 (sprintf "resumed to the end:\n%s" text)
    stop.AfterResume out
    Directory.Delete(out, true)

let private train (model: string) (steps: int) (out: string) =
    [ "train"; "--task"; "spring"; "--model"; model; "--steps"; string steps; "--threads"; "1"; "--out"; out ]

let private evaluated out = Expect.stringContains (resultsText out) "energy_mse" "the resumed run evaluated the model"

let private stops =
    [ { Name = "a run stopped by SIGTERM after its data are made exits 143, marked interrupted, and resumes to the end"
        Args = train "hnn" 40
        Point = "data"
        Signal = "TERM"
        Says = "stopped during data generation"
        AfterStop = fun out -> Expect.isFalse (Directory.Exists (RunFolder out).Models) "nothing trained"
        AfterResume = evaluated }
      { Name = "a run stopped by Ctrl-C during evaluation keeps its trained model, marks the run interrupted and resumes"
        Args = train "baseline" 40
        Point = "evaluate"
        Signal = "INT"
        Says = "stopped during evaluation"
        AfterStop = fun out -> Expect.isTrue (File.Exists((RunFolder out).Model("spring", "baseline"))) "the trained model was saved"
        AfterResume = evaluated }
      { Name = "a run stopped by Ctrl-C while writing its reports marks the run interrupted and resumes to the reports"
        Args = fun out -> [ "run"; "--tasks"; "spring"; "--models"; "baseline"; "--steps"; "30"; "--threads"; "1"; "--out"; out ]
        Point = "report"
        Signal = "INT"
        Says = "stopped during report writing"
        AfterStop = ignore
        AfterResume = fun out -> Expect.isTrue (File.Exists (RunFolder out).ReportIndex) "the reports were written" }
      { Name = "the pixel pendulum stops between training steps on SIGTERM, exits 143 and resumes"
        Args = fun out -> [ "run"; "--tasks"; "pixel-pendulum"; "--models"; "hnn"; "--steps"; "8"; "--threads"; "1"; "--out"; out ]
        Point = "pixel-train:3"
        Signal = "TERM"
        Says = "training stopped after step 3"
        AfterStop = ignore
        AfterResume = fun out -> Expect.stringContains (resultsText out) "pixel-pendulum" "the resumed run recorded the task" } ]

let private cliTests =
    testList
        "cli"
        [ test "a CLI run stopped by Ctrl-C, then killed, then resumed ends with the weights of an uninterrupted run" {
              let out = temporaryFolder "robust"
              let args =
                  [ "train"
                    "--task"
                    "spring"
                    "--model"
                    "hnn"
                    "--steps"
                    "300"
                    "--batch-size"
                    "64"
                    "--seed"
                    "5"
                    "--threads"
                    "1"
                    "--checkpoint-every"
                    "25"
                    "--no-eval"
                    "--out"
                    out ]
              let checkpoint = (RunFolder out).Checkpoint("spring", "hnn")
              // 1. SIGINT while held at step 100: a clean stop that checkpoints step 100, exit code 130.
              let first = startPaused "train:100" args
              signal "INT" first
              let code, text = finish first
              Expect.equal code 130 (sprintf "Ctrl-C exits with 130:\n%s" text)
              Expect.stringContains text "continue with --resume" "says how to continue"
              Expect.stringContains (resultsText out) "\"status\": \"interrupted\"" "the run is marked interrupted"
              Expect.equal (Checkpoint.Load checkpoint).Header.Step 100 "checkpointed at the step it was stopped after"
              // 2. A new run into the same folder is refused; --resume continues it, and SIGKILL loses at most the steps since the last checkpoint.
              let code, text = runHnn args
              Expect.equal code 2 "a fresh run may not reuse the folder"
              Expect.stringContains text "--force" "suggests --force"
              let second = startPaused "train:210" (args @ [ "--resume" ])
              let (p, _, _) = second
              p.Kill()
              finish second |> ignore
              Expect.equal (Checkpoint.Load checkpoint).Header.Step 200 "killed at step 210: the last checkpoint (step 200) is kept"
              // 3. Resumed again, it completes.
              let code, text = runHnn (args @ [ "--resume" ])
              Expect.equal code 0 (sprintf "the resumed run completes:\n%s" text)
              let struct (fromCli, _) = ModelFile.Load((RunFolder out).Model("spring", "hnn"))
              use fromCli = fromCli
              // The same run, uninterrupted, by the same program.
              let straight = temporaryFolder "robust"
              let code, text = runHnn (args[.. args.Length - 2] @ [ straight ])
              Expect.equal code 0 (sprintf "the straight run completes:\n%s" text)
              let struct (uninterrupted, _) = ModelFile.Load((RunFolder straight).Model("spring", "hnn"))
              use uninterrupted = uninterrupted
              expectSameWeights fromCli uninterrupted "interrupted twice and resumed = uninterrupted, bit for bit"
              Expect.equal
                  (File.ReadAllBytes((RunFolder out).Weights("spring", "hnn")))
                  (File.ReadAllBytes((RunFolder straight).Weights("spring", "hnn")))
                  "identical weights files"
              // And by the library in this process, on one thread like the CLI's runs.
              let options =
                  { Experiment.defaults with
                      Steps = Some 300
                      Seed = 5
                      Threads = Some 1
                      Evaluate = false
                      OutDir = temporaryFolder "robust"
                      BatchSize = Some 64
                      Log = ignore }
              let inProcess = Experiment.train options Tasks.spring (Tasks.spring.Data 5) ModelKind.Hnn
              use _ = inProcess.Model
              expectSameWeights inProcess.Model uninterrupted "the CLI and the library in another process agree bit for bit"
              for d in [ out; straight; options.OutDir ] do
                  Directory.Delete(d, true)
          }
          // One test per phase a run can be stopped in: held at the phase by the test hook, signalled, then resumed.
          for phase in stops do
              test phase.Name { stopAndResume phase }
          test "a pixel-pendulum CLI run stopped by Ctrl-C, then killed, then resumed ends with the weights of an uninterrupted run" {
              let out = temporaryFolder "robust"
              // The paper's frames (cached after the first run), few small steps, no latent rollouts: seconds per run.
              let args =
                  [ "run"
                    "--tasks"
                    "pixel-pendulum"
                    "--models"
                    "hnn"
                    "--steps"
                    "30"
                    "--batch-size"
                    "16"
                    "--threads"
                    "1"
                    "--checkpoint-every"
                    "10"
                    "--no-eval"
                    "--out"
                    out ]
              let key = Tasks.pixelPendulum.Key
              let run = RunFolder out
              let checkpoint = run.Checkpoint(key, "hnn")
              // 1. SIGINT while held after step 12: a clean stop that checkpoints step 12, exit code 130.
              let first = startPaused "pixel-train:12" args
              signal "INT" first
              let code, text = finish first
              Expect.equal code 130 (sprintf "Ctrl-C exits with 130:\n%s" text)
              Expect.stringContains text "continue with --resume" "says how to continue"
              Expect.stringContains (File.ReadAllText run.Results) "\"status\": \"interrupted\"" "the run is marked interrupted"
              Expect.equal (Checkpoint.Load checkpoint).Header.Step 12 "checkpointed at the step it was stopped after"
              // 2. --resume, killed while held after step 25: the last checkpoint (step 20) is kept.
              let second = startPaused "pixel-train:25" (args @ [ "--resume" ])
              let (p, _, _) = second
              p.Kill()
              finish second |> ignore
              Expect.equal (Checkpoint.Load checkpoint).Header.Step 20 "killed at step 25: the last checkpoint (step 20) is kept"
              // 3. Resumed again, it completes and records the task like any other.
              let code, text = runHnn (args @ [ "--resume" ])
              Expect.equal code 0 (sprintf "the resumed run completes:\n%s" text)
              for file in [ run.Model(key, "hnn"); run.Artifacts(key, "hnn"); run.Report key ] do
                  Expect.isTrue (File.Exists file) (sprintf "%s exists" file)
              Expect.stringContains (File.ReadAllText run.Results) "pixel-pendulum" "the resumed run recorded the task"
              // The same run, uninterrupted.
              let straight = temporaryFolder "robust"
              let code, text = runHnn (args[.. args.Length - 2] @ [ straight ])
              Expect.equal code 0 (sprintf "the straight run completes:\n%s" text)
              Expect.equal
                  (File.ReadAllBytes(run.Weights(key, "hnn")))
                  (File.ReadAllBytes((RunFolder straight).Weights(key, "hnn")))
                  "interrupted twice and resumed = uninterrupted, bit for bit"
              for d in [ out; straight ] do
                  Directory.Delete(d, true)
          }
          test "options the pixel pendulum cannot honour are refused before any work, naming the option" {
              let out = temporaryFolder "robust"
              let baseArgs = [ "run"; "--tasks"; "pixel-pendulum"; "--steps"; "1"; "--threads"; "1"; "--out"; Path.Combine(out, "r") ]
              for extra, word in
                  [ [ "--supervision"; "integrator" ], "--supervision"
                    [ "--integrator"; "leapfrog" ], "--integrator"
                    [ "--substeps"; "2" ], "--substeps"
                    [ "--models"; "dissipative-hnn" ], "--models" ] do
                  let code, text = runHnn (baseArgs @ extra)
                  Expect.equal code 2 (sprintf "%A exits with 2:\n%s" extra text)
                  Expect.stringContains text word (sprintf "%A names the option" extra)
                  Expect.isFalse (text.Contains "step ") (sprintf "%A: no training step was taken" extra)
              Expect.isFalse (Directory.Exists (RunFolder(Path.Combine(out, "r"))).Models) "nothing was trained"
              Directory.Delete(out, true)
          }
          test "an output folder that cannot be written is refused before any data are made" {
              let code, text =
                  runHnn
                      [ "train"; "--task"; "spring"; "--model"; "hnn"; "--steps"; "5"; "--threads"; "1"; "--out"; "/proc/hnn-cannot-write" ]
              Expect.equal code 2 (sprintf "exit code 2:\n%s" text)
              Expect.stringContains text "--out '/proc/hnn-cannot-write' cannot be written" "names the argument and the problem"
              Expect.isFalse (text.Contains "step ") "no training step was taken"
          }
          test "bad command lines get a one-line error naming the argument and exit code 2" {
              let out = temporaryFolder "robust"
              let baseArgs =
                  [ "train"
                    "--task"
                    "spring"
                    "--model"
                    "hnn"
                    "--threads"
                    "1"
                    "--steps"
                    "1"
                    "--no-eval"
                    "--out"
                    Path.Combine(out, "r") ]
              for extra, word in
                  [ [ "--lr"; "0" ], "--lr"
                    [ "--lr"; "-1e-3" ], "--lr"
                    [ "--lr"; "nan" ], "--lr"
                    [ "--lr"; "infinity" ], "--lr"
                    [ "--batch-size"; "0" ], "--batch-size"
                    [ "--batch-size"; "-5" ], "--batch-size"
                    [ "--weight-decay"; "-1" ], "--weight-decay"
                    [ "--lr-decay"; "0.5" ], "--lr-decay"
                    [ "--lr-decay"; "infinity" ], "--lr-decay"
                    [ "--clip-grad-norm"; "0" ], "--clip-grad-norm"
                    [ "--checkpoint-every"; "-1" ], "--checkpoint-every"
                    [ "--resume" ], "--resume" ] do
                  let code, text = runHnn (baseArgs @ extra)
                  Expect.equal code 2 (sprintf "%A exits with 2:\n%s" extra text)
                  Expect.stringContains text word (sprintf "%A names the argument" extra)
                  Expect.isFalse (text.Contains "   at ") "no stack trace"
          } ]

// ---------------------------------------------------------------- in-process laws

[<Tests>]
let tests =
    testList
        "robust"
        [ test "40 steps straight equal 20 steps, a checkpoint and 20 resumed steps, bit for bit" {
              let dir = temporaryFolder "robust"
              let path = Path.Combine(dir, "run.ckpt")
              use straight = model ()
              let a = Trainer.Train(straight, spring.Value, settings 40)
              use half = model ()
              Trainer.Train(half, spring.Value, settings 20, null, control path 10 false) |> ignore
              Expect.equal (Checkpoint.Load path).Header.Step 20 "the final checkpoint is at step 20"
              use resumed = model ()
              // Move torch's generator on: the resumed run must not depend on it.
              TorchSharp.torch.randn(100L).Dispose()
              let b = Trainer.Train(resumed, spring.Value, settings 40, null, control path 10 true)
              expectSameWeights straight resumed "identical weights"
              Expect.sequenceEqual b.TrainLoss a.TrainLoss "identical loss curve, the first 20 steps carried in the checkpoint"
              Expect.equal b.FinalTest a.FinalTest "identical final test loss"
          }
          test "a run cancelled between steps checkpoints its last step and resumes to the uninterrupted result" {
              let dir = temporaryFolder "robust"
              let path = Path.Combine(dir, "run.ckpt")
              use straight = model ()
              Trainer.Train(straight, spring.Value, settings 30) |> ignore
              cancelAt13 (settings 30) path
              Expect.equal (Checkpoint.Load path).Header.Step 13 "checkpointed at the last finished step"
              use second = model ()
              Trainer.Train(second, spring.Value, settings 30, null, control path 0 true) |> ignore
              expectSameWeights straight second "identical weights"
          }
          test "under a decaying learning rate a cancelled run resumes to the uninterrupted result; another step count is refused" {
              let decaying steps = TrainSettings(Steps = steps, BatchSize = 64, Seed = 3, TestEvery = 5, LearningRateDecay = 50.0)
              let dir = temporaryFolder "robust"
              let path = Path.Combine(dir, "run.ckpt")
              use straight = model ()
              Trainer.Train(straight, spring.Value, decaying 30) |> ignore
              cancelAt13 (decaying 30) path
              // The schedule is a function of the step and the step count: continuing it for 40 steps would not be
              // the run that was started, so that is refused, naming the reason; 30 steps continue it exactly.
              use longer = model ()
              let e = Expect.throwsC (fun () -> Trainer.Train(longer, spring.Value, decaying 40, null, control path 0 true) |> ignore) id
              Expect.isTrue (e :? CheckpointException) (sprintf "refused as a checkpoint of another run, got %s" (e.GetType().Name))
              Expect.stringContains e.Message "schedule depends on the step count" "says why"
              use second = model ()
              Trainer.Train(second, spring.Value, decaying 30, null, control path 0 true) |> ignore
              expectSameWeights straight second "identical weights"
              use constant = model ()
              Trainer.Train(constant, spring.Value, settings 30) |> ignore
              Expect.notEqual (weights constant) (weights straight) "and the decay changed the run"
              Directory.Delete(dir, true)
          }
          test "the same seed and thread count give bit-identical weights and losses" {
              let run () =
                  let m = model ()
                  let r = Trainer.Train(m, spring.Value, TrainSettings(Steps = 25, BatchSize = 32, Seed = 9, TestEvery = 1))
                  m, r
              let m1, r1 = run ()
              let m2, r2 = run ()
              use _ = m1
              use _ = m2
              expectSameWeights m1 m2 "identical weights"
              Expect.sequenceEqual r1.TrainLoss r2.TrainLoss "identical train losses"
              Expect.sequenceEqual r1.TestLoss r2.TestLoss "identical test losses"
          }
          test "a learning rate of 1e30 stops with the step and quantity named, the last good checkpoint kept" {
              let dir = temporaryFolder "robust"
              let path = Path.Combine(dir, "run.ckpt")
              // With tanh the weights saturate: at 1e9 the loss of these small nets grows to ~1e21 but stays finite;
              // at 1e30 the baseline's output overflows float32 within a few steps.
              use m = DynamicsModel.Create(ModelSettings(ModelKind.Baseline, 2, HiddenDim = 32), 3)
              let e =
                  Expect.throwsC
                      (fun () ->
                          Trainer.Train(
                              m,
                              spring.Value,
                              TrainSettings(Steps = 200, LearningRate = 1e30, TestEvery = 0),
                              null,
                              control path 1 false
                          )
                          |> ignore)
                      (fun e -> e :?> TrainingDivergedException)
              Expect.stringContains e.Message (sprintf "step %d" e.Step) "names the step"
              Expect.isTrue (e.Message.Contains "loss" || e.Message.Contains "gradient") "names the quantity"
              let kept = Checkpoint.Load path
              Expect.equal kept.Header.Step (e.Step - 1) "the checkpoint is the step before the divergence"
              Expect.all kept.Header.TrainLoss Single.IsFinite "the kept state is finite"
              Expect.stringContains e.Message path "names the kept checkpoint"
          }
          test "a poisoned dataset (one NaN) stops at step 0 and writes no checkpoint" {
              let d = spring.Value
              let values = Array.copy d.TrainX.Values
              values[17] <- nan
              let poisoned = Dataset(d.Name, StateMatrix(values, d.TrainX.Rows, d.TrainX.Columns), d.TrainDx, d.TestX, d.TestDx)
              let dir = temporaryFolder "robust"
              let path = Path.Combine(dir, "run.ckpt")
              use m = model ()
              let e =
                  Expect.throwsC
                      (fun () -> Trainer.Train(m, poisoned, TrainSettings(Steps = 10, TestEvery = 0), null, control path 1 false) |> ignore)
                      (fun e -> e :?> TrainingDivergedException)
              Expect.equal e.Step 0 "step 0"
              Expect.stringContains e.Message "train loss is NaN" "names the quantity"
              Expect.isFalse (File.Exists path) "no checkpoint of a diverged state"
          }
          test "gradient clipping keeps a huge learning rate's first steps bounded and is off by default" {
              use clipped = DynamicsModel.Create(ModelSettings(ModelKind.Baseline, 2, HiddenDim = 32), 3)
              let r = Trainer.Train(clipped, spring.Value, TrainSettings(Steps = 5, ClipGradNorm = Nullable 1.0, TestEvery = 0))
              Expect.all r.TrainLoss Single.IsFinite "finite with clipping"
              Expect.isFalse (TrainSettings().ClipGradNorm.HasValue) "off by default"
              Expect.throwsT<ArgumentException> (fun () -> TrainSettings(ClipGradNorm = Nullable 0.0).Validate() |> ignore) "zero refused"
          }
          test "a checkpoint of another run, a corrupt one and one from the future are refused with the file named" {
              let dir = temporaryFolder "robust"
              let path = Path.Combine(dir, "run.ckpt")
              use m = model ()
              Trainer.Train(m, spring.Value, settings 3, null, control path 0 false) |> ignore
              let refuse (s: TrainSettings) (c: TrainingControl) word =
                  use fresh = model ()
                  let e =
                      Expect.throwsC (fun () -> Trainer.Train(fresh, spring.Value, s, null, c) |> ignore) (fun e ->
                          e :?> CheckpointException)
                  Expect.stringContains e.Message path "names the file"
                  Expect.stringContains e.Message word (sprintf "names the problem: %s" e.Message)
              refuse (TrainSettings(Steps = 3, BatchSize = 64, Seed = 4, TestEvery = 5)) (control path 0 true) "other training settings"
              refuse (settings 3) (TrainingControl(path, 0, true, "pendulum")) "task"
              refuse (settings 2) (control path 0 true) "beyond"
              let bytes = File.ReadAllBytes path
              File.WriteAllBytes(path, bytes[.. bytes.Length / 2])
              refuse (settings 3) (control path 0 true) "checksum"
              let future = Array.copy bytes
              future[8] <- 2uy
              File.WriteAllBytes(path, future)
              refuse (settings 3) (control path 0 true) "version 2"
              File.WriteAllBytes(path, Encoding.UTF8.GetBytes "{\"format\": \"hnn-model\"}")
              refuse (settings 3) (control path 0 true) "bad magic"
          }
          test "a model file describing more weights than its weights file holds is refused before allocating" {
              let dir = temporaryFolder "robust"
              let path = Path.Combine(dir, "m.json")
              use m = model ()
              ModelFile.Save(m, "spring", settings 3, path) |> ignore
              File.WriteAllText(path, File.ReadAllText(path).Replace("\"hidden_dim\": 32", "\"hidden_dim\": 2000000000"))
              let e = Expect.throwsC (fun () -> ModelFile.Load path |> ignore) (fun e -> e :?> ModelFileException)
              Expect.stringContains e.Message "too small" "names the problem"
              File.WriteAllText(path, File.ReadAllText(path).Replace("\"weights\": \"m.weights\"", "\"weights\": \"../m.weights\""))
              let e = Expect.throwsC (fun () -> ModelFile.Load path |> ignore) (fun e -> e :?> ModelFileException)
              Expect.stringContains e.Message "file name" "a path is refused"
          }
          test "an output folder with another run's results is named; an unfinished run is marked in results.json" {
              let dir = temporaryFolder "robust"
              Expect.isNull (ResultsFile.Occupant dir) "an empty folder is free"
              let run = ResultsFile.RunInfo("2026-01-01T00:00:00Z", 0, 10, 1, 1.0, "test")
              ResultsFile.Merge(dir, [ ResultsFile.Cell("spring", "hnn", "train_loss", LossEstimate(1.0, 0.1)) ], run) |> ignore
              Expect.equal (ResultsFile.Occupant dir) "results.json" "results.json named"
              ResultsFile.MarkUnfinished(dir, ResultsFile.RunInfo("d", 0, 10, 1, 1.0, "test", ResultsFile.RunStatus.Failed, "diverged"))
              |> ignore
              let text = File.ReadAllText(Path.Combine(dir, ResultsFile.FileName))
              Expect.stringContains text "\"status\": \"failed\"" "status recorded"
              Expect.stringContains text "\"reason\": \"diverged\"" "reason recorded"
              Expect.equal (ResultsFile.Read(Path.Combine(dir, ResultsFile.FileName))).Count 1 "cells kept"
              File.WriteAllText(Path.Combine(dir, ResultsFile.FileName), "{\"tasks\": [1, 2]}")
              Expect.throwsT<ResultsFileException>
                  (fun () -> ResultsFile.Merge(dir, [ ResultsFile.Cell("a", "b", "c", LossEstimate(1.0, 0.0)) ], run) |> ignore)
                  "a results.json of the wrong shape is not overwritten"
          }
          fuzzTests
          cliTests ]
