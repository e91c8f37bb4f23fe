/// Live progress on a terminal (Spectre.Console): a bar per model with its step, train and test loss, ms/step and ETA,
/// and a bar for the whole job. Off a terminal (any of standard input, output or error redirected, as in CI and in
/// the tests) nothing changes: the run prints its periodic progress lines.
module Hnn.Cli.LiveProgress

open System
open System.Collections.Generic
open System.IO
open System.Text
open Spectre.Console
open Spectre.Console.Rendering
open Hnn

/// A model the job will train: its task's key, its model's key and its steps.
type Planned = { Task: string; Model: string; Steps: int }

/// The models of each task, with their steps under these options (none for a sampled model: it is fitted in one
/// solve, not trained).
let plan (options: Experiment.Options) (models: (Tasks.Task * Models.ModelKind list) list) =
    [ for t, kinds in models do
          for k in kinds ->
              { Task = t.Key
                Model = Tasks.modelKey k
                Steps = if Models.ModelSettings.IsSampled k then 0 else Experiment.steps options t k } ]

/// What a bar shows beside itself (kept in its `ProgressTask.Tag`).
type Row = { Name: string; Counts: string; Losses: string; Rate: string; Eta: string }

/// "mm:ss", or "h:mm:ss" from an hour on.
let private clock (t: TimeSpan) = if t.TotalHours >= 1.0 then t.ToString @"h\:mm\:ss" else t.ToString @"mm\:ss"

let private rate (msPerStep: float) = if Double.IsFinite msPerStep then sprintf "%.1f ms/step" msPerStep else ""

let private eta (msPerStep: float) (remaining: int) =
    if Double.IsFinite msPerStep then
        "eta " + clock (TimeSpan.FromMilliseconds(msPerStep * float remaining))
    else
        ""

/// A column of text read from the bar's row.
type private RowColumn(text: Row -> string, justify: Justify) =
    inherit ProgressColumn()
    override _.NoWrap = true
    override _.Render(_, task, _) =
        match task.Tag with
        | :? Row as row -> Text(text row, Justification = justify)
        | _ -> Text ""
        :> IRenderable

/// The columns of every bar: name, bar, step/total, losses, rate, ETA.
let columns () : ProgressColumn[] =
    [| RowColumn(_.Name, Justify.Left)
       ProgressBarColumn(Width = 30)
       RowColumn(_.Counts, Justify.Right)
       RowColumn(_.Losses, Justify.Left)
       RowColumn(_.Rate, Justify.Right)
       RowColumn(_.Eta, Justify.Left) |]

/// Where one model's training is.
type private ModelState =
    {
        Bar: ProgressTask
        /// The first step this process saw (a resumed run starts past 0).
        Start: int
        Step: int
        Total: int
        MsPerStep: float
        /// The last evaluated test loss (most steps of the orbit tasks have none).
        TestLoss: float
    }

/// The bars of a job: one per model, added at its first step and hidden once it is done (a line with its final
/// numbers goes to `say`, above the bars), and one for the whole job (steps of all planned models, ETA at the job's
/// mean rate so far).
type Board(context: ProgressContext, say: string -> unit, plan: Planned list) =
    let gate = obj ()
    let models = Dictionary<string * string, ModelState>()
    let planned = plan |> List.map (fun m -> (m.Task, m.Model), m.Steps) |> dict
    let job = context.AddTask("job", maxValue = float (max 1 (plan |> List.sumBy _.Steps)))
    do job.HideWhenCompleted <- false

    let updateJob () =
        let unplanned = models |> Seq.filter (fun m -> not (planned.ContainsKey m.Key)) |> Seq.sumBy _.Value.Total
        let total = max 1 ((plan |> List.sumBy _.Steps) + unplanned)
        let states = List.ofSeq models.Values
        let done_ = states |> List.sumBy _.Step
        let timed = states |> List.filter (fun m -> m.Step > m.Start && Double.IsFinite m.MsPerStep)
        let steps = timed |> List.sumBy (fun m -> m.Step - m.Start)
        let ms =
            if steps = 0 then
                nan
            else
                (timed |> List.sumBy (fun m -> m.MsPerStep * float (m.Step - m.Start))) / float steps
        let finished = states |> List.filter (fun m -> m.Step >= m.Total) |> List.length
        let count = planned.Count + (models.Keys |> Seq.filter (planned.ContainsKey >> not) |> Seq.length)
        job.MaxValue <- float total
        job.Value <- float done_
        job.Tag <-
            { Name = sprintf "all %d/%d models" finished count
              Counts = sprintf "%d/%d" done_ total
              Losses = ""
              Rate = rate ms
              Eta = eta ms (total - done_) }

    do updateJob ()

    /// Shows one training step.
    member _.Report(p: StepProgress) =
        lock gate (fun () ->
            let key = p.TaskKey, p.ModelKey
            let state =
                match models.TryGetValue key with
                | true, s -> s
                | false, _ ->
                    let bar = context.AddTask(sprintf "%s %s" p.TaskKey p.ModelKey, maxValue = float (max 1 p.TotalSteps))
                    { Bar = bar; Start = p.Step; Step = p.Step; Total = p.TotalSteps; MsPerStep = nan; TestLoss = nan }
            let state =
                { state with
                    Step = p.Step
                    Total = p.TotalSteps
                    MsPerStep = p.MillisecondsPerStep
                    TestLoss = if Double.IsNaN p.TestLoss then state.TestLoss else p.TestLoss }
            models[key] <- state
            state.Bar.Tag <-
                { Name = sprintf "%s %s" p.TaskKey p.ModelKey
                  Counts = sprintf "%d/%d" p.Step p.TotalSteps
                  Losses = sprintf "train %s  test %s" (Format.sci 2 p.TrainLoss) (Format.sci 2 state.TestLoss)
                  Rate = rate p.MillisecondsPerStep
                  Eta = eta p.MillisecondsPerStep (p.TotalSteps - p.Step) }
            state.Bar.Value <- float p.Step
            updateJob ()
            if p.Step >= p.TotalSteps then
                state.Bar.StopTask()
                say (
                    sprintf
                        "  %-13s %-8s step %5d/%d  train %s  test %s  %s"
                        p.TaskKey
                        p.ModelKey
                        p.Step
                        p.TotalSteps
                        (Format.sci 4 p.TrainLoss)
                        (Format.sci 4 state.TestLoss)
                        (rate p.MillisecondsPerStep)
                ))

/// Writes lines above the bars from a thread of its own, in order. Whatever prints while the bars are drawn hands
/// its lines here rather than to the console: .NET writes to a terminal under a lock on Console.Out, which a
/// printing thread holds while it writes, and Spectre writes under its own render lock; a printing thread that waited
/// for Spectre's lock while Spectre waited for Console.Out would never move again.
type private LinePump(console: IAnsiConsole) =
    let lines = new System.Collections.Concurrent.BlockingCollection<string>()
    let worker =
        Threading.Thread(
            (fun () ->
                for line in lines.GetConsumingEnumerable() do
                    console.WriteLine line),
            IsBackground = true
        )
    do worker.Start()
    /// Queues a line.
    member _.Post(line: string) = lines.Add line
    interface IDisposable with
        /// Writes the lines still queued, then stops.
        member _.Dispose() =
            lines.CompleteAdding()
            worker.Join()
            lines.Dispose()

/// A writer that posts whole lines (to a LinePump), so that what the run prints while the bars are drawn appears
/// above them instead of through them.
type private LineForwarder(post: string -> unit) =
    inherit TextWriter()
    let line = StringBuilder()
    let gate = obj ()
    override _.Encoding = Encoding.UTF8
    override _.Write(c: char) =
        lock gate (fun () ->
            if c = '\n' then
                post (line.ToString().TrimEnd '\r')
                line.Clear() |> ignore
            else
                line.Append c |> ignore)
    override this.Write(s: string | null) =
        match s with
        | null -> ()
        | s ->
            lock gate (fun () ->
                for c in s do
                    this.Write c)
    override this.Flush() =
        lock gate (fun () ->
            if line.Length > 0 then
                post (line.ToString())
                line.Clear() |> ignore)

/// Whether live bars can be drawn: standard input, output and error are a terminal that understands ANSI codes.
let available () =
    let capabilities = AnsiConsole.Profile.Capabilities
    capabilities.Interactive && capabilities.Ansi

/// Runs `body` with bars for the planned models drawn on `console`, handing it the function that feeds them; a
/// finished model's line goes to `say`. The bars are cleared at the end (the lines written meanwhile stay).
let runOn (console: IAnsiConsole) (say: string -> unit) (plan: Planned list) (body: (StepProgress -> unit) -> 'a) : 'a =
    let progress = Progress(console, AutoClear = true, HideCompleted = true).Columns(columns ())
    progress.Start(Func<ProgressContext, 'a>(fun context -> body (Board(context, say, plan)).Report))

/// Gives the console the terminal's size. Left to itself, Spectre asks for it while it holds its render lock, and .NET
/// answers under a lock on Console.Out: the writer `run` installs, which a printing thread holds while it waits for
/// Spectre's render lock — a deadlock. Asked here, from the training thread, no other lock is held.
let private fitTo (console: IAnsiConsole) =
    try
        console.Profile.Width <- max 20 Console.WindowWidth
        console.Profile.Height <- max 5 Console.WindowHeight
    with :? IOException ->
        ()

/// Runs `body` with live bars for the planned models on a terminal (`available ()`), otherwise with None: the run
/// then prints its periodic lines as without a display. What the body prints on standard output or error while the
/// bars are drawn goes above them.
let run (plan: Planned list) (body: (StepProgress -> unit) option -> 'a) : 'a =
    if not (available ()) then
        body None
    else
        let console = AnsiConsole.Console
        let out, error = Console.Out, Console.Error
        // A second Ctrl-C ends the process at once: give the terminal its cursor back.
        use _cursor =
            AppDomain.CurrentDomain.ProcessExit.Subscribe(fun _ ->
                out.Write "\u001b[?25h"
                out.Flush())
        fitTo console
        let resized = Diagnostics.Stopwatch.StartNew()
        let pump = new LinePump(console)
        runOn console pump.Post plan (fun report ->
            use forward = new LineForwarder(pump.Post)
            Console.SetOut forward
            Console.SetError forward
            // A resized terminal is seen at the next step, at most twice a second.
            let show (p: StepProgress) =
                if resized.ElapsedMilliseconds > 500L then
                    fitTo console
                    resized.Restart()
                report p
            try
                body (Some show)
            finally
                forward.Flush()
                Console.SetOut out
                Console.SetError error
                // The queued lines go out above the bars, before they are cleared.
                (pump :> IDisposable).Dispose())
