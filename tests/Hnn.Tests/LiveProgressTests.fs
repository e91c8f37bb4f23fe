/// The command line's live progress (src/Hnn.Cli/LiveProgress.fs) drawn into a string: a console that declares
/// itself an ANSI terminal without colours writes every frame, and the frame drawn last, after the body returns, holds
/// the steps fed to the board, so nothing here depends on the refresh thread's clock.
module Hnn.Tests.LiveProgressTests

open System
open System.IO
open System.Text.RegularExpressions
open Expecto
open Spectre.Console
open Hnn
open Hnn.Cli

/// A terminal of `width` columns, ANSI without colours (the bar's remaining part drawn as spaces), writing to `writer`.
let private terminal (writer: StringWriter) (width: int) =
    let console =
        AnsiConsole.Create(
            AnsiConsoleSettings(
                Ansi = AnsiSupport.Yes,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.Yes,
                Out = AnsiConsoleOutput(writer)
            )
        )
    console.Profile.Width <- width
    console

/// The text of a terminal's output without its control sequences (cursor moves, erasing).
let private visible (output: string) = Regex.Replace(output, "\u001b\\[[0-9;?]*[A-Za-z]", "")

let private step task model step total train test ms : StepProgress =
    { TaskKey = task
      ModelKey = model
      Step = step
      TotalSteps = total
      TrainLoss = train
      TestLoss = test
      MillisecondsPerStep = ms }

[<Tests>]
let tests =
    testList
        "live progress"
        [ testCase "a bar per model shows its step, losses, rate and ETA, and the job's bar its steps, rate and ETA"
          <| fun () ->
              use writer = new StringWriter()
              let plan: LiveProgress.Planned list =
                  [ { Task = "spring"; Model = "baseline"; Steps = 400 }; { Task = "spring"; Model = "hnn"; Steps = 400 } ]
              let console = terminal writer 160
              LiveProgress.runOn console (fun line -> console.WriteLine line) plan (fun report ->
                  report (step "spring" "baseline" 0 400 0.5 0.6 nan)
                  report (step "spring" "baseline" 400 400 0.0371 0.0367 100.0)
                  report (step "spring" "hnn" 0 400 0.7 0.0456 nan)
                  // No test loss at this step: the bar keeps the last one.
                  report (step "spring" "hnn" 200 400 0.0123 nan 250.0))
              let text = visible (writer.ToString())
              // The finished model leaves a line in the plain output's format.
              Expect.stringContains
                  text
                  "  spring        baseline step   400/400  train 3.7100e-02  test 3.6700e-02  100.0 ms/step"
                  "finished line"
              let frames = text.Split('\n') |> Array.map _.TrimEnd()
              let last prefix = frames |> Array.findBack (fun l -> l.TrimStart().StartsWith(prefix: string))
              let hnn = last "spring hnn"
              // Half of a 30-column bar drawn, the rest blank.
              Expect.stringContains hnn (String('━', 15) + String(' ', 15)) "half a bar"
              for part in [ "200/400"; "train 1.23e-02  test 4.56e-02"; "250.0 ms/step"; "eta 00:50" ] do
                  Expect.stringContains hnn part (sprintf "model bar shows '%s'" part)
              // The job: 600 of 800 steps at (100·400 + 250·200) / 600 = 150 ms/step, 200 steps left → 30 s.
              let job = last "all "
              for part in [ "all 1/2 models"; "600/800"; "150.0 ms/step"; "eta 00:30" ] do
                  Expect.stringContains job part (sprintf "job bar shows '%s'" part)

          ]
