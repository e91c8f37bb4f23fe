/// Where a run may be stopped between its phases (data, training, evaluation, reports), and the hook that lets a
/// test hold a run at a known point until it is signalled, so no test has to race a run's clock.
module Hnn.Interruption

open System
open System.Threading

/// A run stopped through its cancellation token outside a training loop (a training loop throws the core's
/// TrainingInterruptedException, after writing its checkpoint).
type RunInterruptedException(phase: string) =
    inherit OperationCanceledException(sprintf "stopped during %s" phase)
    /// What the run was doing: "data generation", "evaluation", "report writing", …
    member _.Phase = phase

/// Stops the run (RunInterruptedException) if its token was cancelled.
let check (token: CancellationToken) (phase: string) =
    if token.IsCancellationRequested then
        raise (RunInterruptedException phase)

/// The environment variable of the test hook: a point where the run pauses once, e.g. "data", "train:150",
/// "evaluate", "report", "pixel-train:20".
[<Literal>]
let pauseVariable = "HNN_TEST_PAUSE"

let mutable private paused = 0

/// If HNN_TEST_PAUSE names this point, prints "paused at POINT" on standard error and blocks until the token is
/// cancelled (Ctrl-C or SIGTERM in the CLI), once per process; otherwise returns at once.
let pauseAt (token: CancellationToken) (point: string) =
    match Environment.GetEnvironmentVariable pauseVariable with
    | p when p = point && token.CanBeCanceled && Interlocked.Exchange(&paused, 1) = 0 ->
        eprintfn "paused at %s (%s): waiting for a signal" point pauseVariable
        token.WaitHandle.WaitOne() |> ignore
    | _ -> ()
