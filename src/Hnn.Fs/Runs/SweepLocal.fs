/// A sweep on this machine: its jobs in N worker processes at a time, each `hnn job SWEEP_DIR INDEX --threads T`.
/// Finished jobs are skipped and checkpointed ones resume (the job decides, from its folder); a failed job is
/// reported with its exit code and one line and does not stop the others.
module Hnn.SweepLocal

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Threading
open Hnn.Sweep

/// How a job's worker process ended.
type Outcome =
    {
        Job: Job
        ExitCode: int
        Seconds: float
        /// For a failed job: the line that says why (its last `error:` line, else its last line of output).
        Problem: string option
        /// The worker's standard output and error.
        Log: string
    }

/// Whether the job's worker succeeded.
let succeeded (o: Outcome) = o.ExitCode = 0

/// The line a sweep prints when a job ends: `[done/total] finished|FAILED|STOPPED|BUSY folder (seconds)`, and for a
/// failure, a stop (exit 130, 143: resumable) or a job running in another process (75) the exit code, the reason
/// and the log file.
let line (finished: int) (total: int) (o: Outcome) =
    let width = string total |> String.length
    let count = sprintf "[%*d/%d]" width finished total
    let word =
        if o.ExitCode = 130 || o.ExitCode = 143 then "STOPPED "
        elif o.ExitCode = busyExitCode then "BUSY    "
        else "FAILED  "
    match o.Problem with
    | None when succeeded o -> sprintf "%s finished %s (%.1f s)" count (describe o.Job) o.Seconds
    | problem ->
        sprintf
            "%s %s %s: exit %d: %s (%.1f s; log %s)"
            count
            word
            (describe o.Job)
            o.ExitCode
            (defaultArg problem "no output")
            o.Seconds
            o.Log

module private Native =
    [<System.Runtime.InteropServices.DllImport("libc", SetLastError = true)>]
    extern int kill(int pid, int signal)

/// SIGTERM's number on Linux.
[<Literal>]
let private sigterm = 15

/// The arguments that run job `index` of the sweep in `sweepDir` with `threads` torch threads.
let jobArguments (sweepDir: string) (index: int) (threads: int) =
    [ "job"; Path.GetFullPath sweepDir; string index; "--threads"; string threads ]

/// Runs one job as a child process of `cli` (program and leading arguments: `dotnet hnn.dll` or the apphost),
/// its output appended to the job's log file; waits for it to exit. When `terminate` is cancelled the child gets
/// SIGTERM (it checkpoints after its current step and exits 143).
let runOne (cli: string * string list) (sweepDir: string) (threads: int) (terminate: CancellationToken) (job: Job) : Outcome =
    let program, leading = cli
    let log = logPath sweepDir job
    Directory.CreateDirectory(Path.Combine(sweepDir, logFolder)) |> ignore
    let clock = Stopwatch.StartNew()
    // Flushed line by line, so the log can be followed while the job runs.
    use writer = new StreamWriter(log, append = true, AutoFlush = true)
    writer.WriteLine(
        sprintf "== %s: %s %s" (DateTime.UtcNow.ToString "o") program (String.Join(" ", leading @ jobArguments sweepDir job.Index threads))
    )
    let lastError = ref None
    let lastLine = ref None
    let info = ProcessStartInfo(program, leading @ jobArguments sweepDir job.Index threads, UseShellExecute = false)
    info.RedirectStandardOutput <- true
    info.RedirectStandardError <- true
    let received (isError: bool) (text: string | null) =
        match text with
        | null -> ()
        | text ->
            lock writer (fun () ->
                writer.WriteLine text
                if text.Trim() <> "" then
                    lastLine.Value <- Some(text.Trim())
                if isError && text.StartsWith "error:" then
                    lastError.Value <- Some(text.Trim()))
    try
        use p = new Process(StartInfo = info)
        p.OutputDataReceived.Add(fun e -> received false e.Data)
        p.ErrorDataReceived.Add(fun e -> received true e.Data)
        p.Start() |> ignore
        use _forward = terminate.Register(fun () -> Native.kill (p.Id, sigterm) |> ignore)
        p.BeginOutputReadLine()
        p.BeginErrorReadLine()
        // Without a timeout, WaitForExit also waits for the redirected streams to reach their end.
        p.WaitForExit()
        let code = p.ExitCode
        { Job = job
          ExitCode = code
          Seconds = clock.Elapsed.TotalSeconds
          Problem = (if code = 0 then None else lock writer (fun () -> Option.orElse lastLine.Value lastError.Value))
          Log = log }
    with :? ComponentModel.Win32Exception as e ->
        { Job = job
          ExitCode = -1
          Seconds = clock.Elapsed.TotalSeconds
          Problem = Some(sprintf "could not start %s: %s" program e.Message)
          Log = log }

/// Runs `jobs` in `workers` processes at a time, in their order, and calls `report` (serialised) as each ends.
/// `cancellation` starts no further job and waits for the running ones (Ctrl-C reaches them through the process
/// group); `terminate` also sends each running one SIGTERM. Returns the outcomes in the order the jobs ended.
let run
    (cli: string * string list)
    (sweepDir: string)
    (jobs: Job list)
    (workers: int)
    (threads: int)
    (cancellation: CancellationToken)
    (terminate: CancellationToken)
    (report: Outcome -> unit)
    : Outcome list =
    if workers < 1 then
        invalidArg (nameof workers) (sprintf "at least one worker, got %d" workers)
    let queue = ConcurrentQueue<Job>(jobs)
    let outcomes = ResizeArray<Outcome>()
    let work () =
        let mutable next = true
        while next && not cancellation.IsCancellationRequested do
            match queue.TryDequeue() with
            | true, job ->
                let outcome = runOne cli sweepDir threads terminate job
                lock outcomes (fun () ->
                    outcomes.Add outcome
                    report outcome)
            | _ -> next <- false
    let threadsOfWorkers = [ for _ in 1 .. min workers (max 1 jobs.Length) -> Thread(work, IsBackground = true) ]
    for t in threadsOfWorkers do
        t.Start()
    for t in threadsOfWorkers do
        t.Join()
    List.ofSeq outcomes
