/// Sweeps: tasks × models × seeds × named settings, expanded into an ordered list of independent jobs. Each job is
/// a pure function of its task, model, seed and settings and writes its own run folder
/// `SWEEP_DIR/jobs/<task>/<model>/seed-<s>[/<settings>]`; `SWEEP_DIR/sweep.json` holds the job list, so any one
/// job can run alone (`hnn job SWEEP_DIR INDEX`), in a local worker process or as a Slurm array task.
module Hnn.Sweep

open System
open System.Globalization
open System.IO
open System.Text.Json
open System.Text.Json.Nodes
open System.Text.RegularExpressions
open System.Threading
open Hnn.IO
open Hnn.Results
open Hnn.Training

/// How a setting changes a run's options.
type Change = Experiment.Options -> Experiment.Options

/// A value a setting accepts, parsed: equal values are the same job (`1e-3` and `0.001`).
type Value =
    | Number of float
    | Count of int
    | Word of string

/// A setting a sweep can vary: its name on the command line, what it accepts, and how a value changes a run.
type Setting =
    {
        Name: string
        /// What the values must be, for error messages ("a positive finite number").
        Accepts: string
        /// The parsed value and its change of the run, or None if the text is not acceptable.
        Read: string -> (Value * Change) option
    }

let private invariant = CultureInfo.InvariantCulture

let private tryNumber (text: string) =
    match Double.TryParse(text, NumberStyles.Float, invariant) with
    | true, v -> Some v
    | _ -> None

let private tryCount (text: string) =
    match Int32.TryParse(text, NumberStyles.Integer, invariant) with
    | true, v -> Some v
    | _ -> None

let private number name accepts (ok: float -> bool) (change: float -> Change) =
    { Name = name
      Accepts = accepts
      Read = fun text -> tryNumber text |> Option.filter ok |> Option.map (fun v -> Number v, change v) }

let private count name accepts (ok: int -> bool) (change: int -> Change) =
    { Name = name
      Accepts = accepts
      Read = fun text -> tryCount text |> Option.filter ok |> Option.map (fun v -> Count v, change v) }

let private word name (words: string list) (change: string -> Change) =
    { Name = name
      Accepts = "one of " + String.concat ", " words
      Read = fun text -> if List.contains text words then Some(Word text, change text) else None }

let private positiveFinite (v: float) = v > 0.0 && Double.IsFinite v

/// Every setting a sweep can vary, with the same meaning as `hnn train`'s option of that name.
let settings: Setting list =
    [ number "lr" "a positive finite number" positiveFinite (fun v o -> { o with LearningRate = Some v })
      count "steps" "a whole number, zero or more" (fun v -> v >= 0) (fun v o -> { o with Steps = Some v })
      count "batch-size" "a whole number, at least 1" (fun v -> v >= 1) (fun v o -> { o with BatchSize = Some v })
      number "weight-decay" "a finite number, zero or more" (fun v -> v >= 0.0 && Double.IsFinite v) (fun v o ->
          { o with WeightDecay = Some v })
      number "clip-grad-norm" "a positive finite number" positiveFinite (fun v o -> { o with ClipGradNorm = Some v })
      number "lr-decay" "a finite number, 1 or more" (fun v -> v >= 1.0 && Double.IsFinite v) (fun v o ->
          { o with LearningRateDecay = Some v })
      word "supervision" [ "derivative"; "integrator" ] (fun v o ->
          { o with Supervision = (if v = "integrator" then Supervision.Integrator else Supervision.Derivative) })
      word "integrator" (List.ofSeq SupervisedStep.Names) (fun v o -> { o with Integrator = v })
      count "substeps" "a whole number, at least 1" (fun v -> v >= 1) (fun v o -> { o with Substeps = v })
      word "momentum-symmetric" [ "true"; "false" ] (fun v o -> { o with MomentumSymmetric = (v = "true") })
      count
          "width"
          (sprintf "a whole number in 1..%d" Models.Sampled.SampledSettings.MaxWidth)
          (fun v -> v >= 1 && v <= Models.Sampled.SampledSettings.MaxWidth)
          (fun v o -> { o with Sampling = o.Sampling.WithWidth v })
      word "sampler" [ "auto"; "elm"; "uniform-swim"; "a-swim" ] (fun v o ->
          { o with Sampling = o.Sampling.WithSampler(Models.Sampled.LayerSamplers.Parse v) })
      count "hidden" "a whole number, at least 1" (fun v -> v >= 1) (fun v o -> { o with Hidden = Some v })
      number "relative-ridge" "a finite number, zero or more" (fun v -> v >= 0.0 && Double.IsFinite v) (fun v o ->
          { o with RelativeRidge = Some v })
      count "layers" "a whole number, at least 1" (fun v -> v >= 1) (fun v o -> { o with Layers = Some v }) ]

/// The models a setting applies to, where not every model: the sampled models' width and sampler, the hidden width of
/// the models that have hidden layers, a Lagrangian network's relative ridge, a SympNet's depth. A sweep that varies one
/// must train one.
let private appliesTo (setting: string) : (string * (Models.ModelKind -> bool)) option =
    match setting with
    | "width"
    | "sampler" -> Some("a sampled model", Models.ModelSettings.IsSampled)
    | "hidden" -> Some("a model with hidden layers", Models.ModelSettings.HasHiddenWidth)
    | "relative-ridge" -> Some("lnn", Models.ModelSettings.HasRelativeRidge)
    | "layers" -> Some("a SympNet", Models.ModelSettings.IsStepMap)
    | _ -> None

/// One setting and the values a sweep gives it, as written (each checked).
type Axis = { Name: string; Values: string list }

/// What a sweep covers: every task × model × seed × combination of the settings' values, but the task/model pairs
/// in Except.
type Spec =
    {
        Tasks: string list
        Models: string list
        /// Task/model pairs left out of the product (e.g. a model claimed on one task only).
        Except: (string * string) list
        Seeds: int list
        Settings: Axis list
        /// Run each task's energy protocol after training.
        Evaluate: bool
        /// Each job checkpoints every this many steps (0: only at the end and when stopped).
        CheckpointEvery: int
    }

/// One job of a sweep: what it trains, and the folder (relative to the sweep's, with `/`) it writes.
type Job =
    {
        Index: int
        Task: string
        Model: string
        Seed: int
        /// Every setting of the sweep with this job's value, in the sweep's order.
        Settings: (string * string) list
        Folder: string
    }

/// The sweep's job list inside its folder.
let fileName = "sweep.json"

/// Where the local workers and Slurm's array tasks write each job's output: `logs/<index>.log`.
let logFolder = "logs"

/// The exit code of `hnn job` for a job that is running in another process (EX_TEMPFAIL: try again later).
[<Literal>]
let busyExitCode = 75

let private settingNamed (name: string) = settings |> List.tryFind (fun s -> s.Name = name)

let private knownSettings () = settings |> List.map _.Name |> String.concat ", "

/// The change a setting's value makes, or the one-line problem.
let read (name: string) (text: string) =
    match settingNamed name with
    | None -> Error(sprintf "unknown setting '%s' (known: %s)" name (knownSettings ()))
    | Some s ->
        match s.Read text with
        | Some read -> Ok read
        | None -> Error(sprintf "setting %s: '%s' is not %s" name text s.Accepts)

/// Parses `name=v1,v2,…` (as given to `--set`): a known setting and distinct acceptable values.
let parseAxis (text: string) : Result<Axis, string> =
    match text.Split('=', 2) with
    | [| name; values |] when name.Trim() <> "" ->
        let name = name.Trim()
        let values = values.Split ',' |> Array.map _.Trim() |> List.ofArray
        if values |> List.exists ((=) "") then
            Error(sprintf "--set %s: a value is empty (write %s=v1,v2,…)" text name)
        else
            let parsed = values |> List.map (fun v -> read name v |> Result.map (fun (value, _) -> v, value))
            match
                parsed
                |> List.tryPick (function
                    | Error e -> Some e
                    | Ok _ -> None)
            with
            | Some e -> Error e
            | None ->
                let pairs =
                    parsed
                    |> List.choose (function
                        | Ok p -> Some p
                        | Error _ -> None)
                match pairs |> List.groupBy snd |> List.tryFind (fun (_, same) -> same.Length > 1) with
                | Some(_, same) -> Error(sprintf "setting %s: %s are the same value" name (same |> List.map fst |> String.concat " and "))
                | None -> Ok { Name = name; Values = values }
    | _ -> Error(sprintf "--set '%s': expected name=value[,value…] with a name among %s" text (knownSettings ()))

let private duplicate (what: string) (items: 'a list) =
    items
    |> List.countBy id
    |> List.tryFind (fun (_, n) -> n > 1)
    |> Option.map (fun (x, _) -> sprintf "%s %O given more than once" what x)

/// Whether the pixel pendulum cannot honour a setting's values: it learns from frame pairs with its own objective
/// (derivative supervision, no integrator, a latent field that is not momentum-symmetric, its own widths;
/// `Experiment.check`).
let private pixelRefuses (axis: Axis) =
    match axis.Name with
    | "supervision" -> axis.Values |> List.exists ((<>) "derivative")
    | "momentum-symmetric" -> axis.Values |> List.exists ((<>) "false")
    | "integrator"
    | "substeps"
    | "hidden" -> true
    | _ -> false

/// Whether a sweep trains `model` on `task`: every model on the state tasks, the paper's baseline and HNN on the
/// pixel pendulum (its other combinations are left out of the job list).
let trains (task: string) (model: string) =
    task <> PixelPendulum.taskKey || PixelPendulum.modelKinds |> List.exists (fun k -> Tasks.modelKey k = model)

/// Checks a sweep's parts; the first problem as one line.
let spec (tasks: string list) (models: string list) (seeds: int list) (axes: Axis list) (evaluate: bool) (checkpointEvery: int) =
    let problems =
        seq {
            if tasks.IsEmpty then
                "a sweep needs at least one task"
            if models.IsEmpty then
                "a sweep needs at least one model"
            if seeds.IsEmpty then
                "a sweep needs at least one seed"
            for t in tasks do
                match Tasks.tryFind t with
                | Error e -> e
                | Ok _ -> ()
            for m in models do
                match Tasks.tryModelKind m with
                | Error e -> e
                | Ok _ -> ()
            for s in seeds do
                if s < 0 then
                    sprintf "seed %d: seeds must be zero or more" s
            yield!
                [ duplicate "task" tasks
                  duplicate "model" models
                  duplicate "seed" seeds
                  duplicate "setting" (axes |> List.map _.Name) ]
                |> List.choose id
            for a in axes do
                if a.Values.IsEmpty then
                    sprintf "setting %s has no values" a.Name
                for v in a.Values do
                    match read a.Name v with
                    | Error e -> e
                    | Ok _ -> ()
            for a in axes do
                match appliesTo a.Name with
                | Some(what, applies) when not (models |> List.exists (fun m -> Tasks.tryModelKind m |> Result.map applies = Ok true)) ->
                    sprintf "setting %s applies to %s, and the sweep trains none" a.Name what
                | _ -> ()
            if checkpointEvery < 0 then
                sprintf "--checkpoint-every must be zero or positive, got %d" checkpointEvery
            if List.contains PixelPendulum.taskKey tasks then
                for a in axes do
                    if pixelRefuses a then
                        sprintf
                            "setting %s does not apply to pixel-pendulum (it learns from frame pairs with its own objective); sweep it without that task"
                            a.Name
            if not tasks.IsEmpty && not models.IsEmpty && not (tasks |> List.exists (fun t -> models |> List.exists (trains t))) then
                sprintf
                    "no jobs: pixel-pendulum trains only %s"
                    (PixelPendulum.modelKinds |> List.map Tasks.modelKey |> String.concat " and ")
        }
    match Seq.tryHead problems with
    | Some problem -> Error problem
    | None ->
        Ok
            { Tasks = tasks
              Models = models
              Except = []
              Seeds = seeds
              Settings = axes
              Evaluate = evaluate
              CheckpointEvery = checkpointEvery }

/// Reads "TASK/MODEL" (as `--except` takes it), or the one-line problem.
let parsePair (text: string) =
    match text.Split '/' with
    | [| task; model |] when task <> "" && model <> "" -> Ok(task, model)
    | _ -> Error(sprintf "--except '%s': expected TASK/MODEL, e.g. spring/dissipative-hnn" text)

/// The spec without these task/model pairs; each pair must name one of the spec's tasks and models, and at least one
/// job must remain; the first problem as one line.
let without (pairs: (string * string) list) (spec: Spec) =
    let problems =
        seq {
            for task, model in pairs do
                if not (List.contains task spec.Tasks) then
                    sprintf "--except %s/%s: %s is not one of the sweep's tasks (%s)" task model task (String.concat " " spec.Tasks)
                if not (List.contains model spec.Models) then
                    sprintf "--except %s/%s: %s is not one of the sweep's models (%s)" task model model (String.concat " " spec.Models)
            yield! [ duplicate "--except pair" (pairs |> List.map (fun (t, m) -> t + "/" + m)) ] |> List.choose id
            let left =
                [ for t in spec.Tasks do
                      for m in spec.Models do
                          if trains t m && not (List.contains (t, m) pairs) then
                              t, m ]
            if left.IsEmpty then
                "no jobs: --except leaves out every task/model pair"
        }
    match Seq.tryHead problems with
    | Some problem -> Error problem
    | None -> Ok { spec with Except = pairs }

/// The folder name of a job's settings: the settings with more than one value, `name=value` joined by `_`
/// (empty when none varies: the seed's folder is the job's).
let slug (spec: Spec) (values: (string * string) list) =
    let varying = spec.Settings |> List.filter (fun a -> a.Values.Length > 1) |> List.map _.Name
    values
    |> List.filter (fun (n, _) -> List.contains n varying)
    |> List.map (fun (n, v) -> n + "=" + v)
    |> String.concat "_"

/// The jobs of a sweep in a stable order: tasks, then models, then seeds, then the settings' values (the first
/// setting outermost), each in the order given, leaving out the models a task does not train (`trains`) and the
/// pairs in Except. Distinct jobs have distinct folders.
let expand (spec: Spec) : Job list =
    let combinations =
        List.foldBack
            (fun (a: Axis) rest ->
                [ for v in a.Values do
                      for r in rest -> (a.Name, v) :: r ])
            spec.Settings
            [ [] ]
    [ for task in spec.Tasks do
          for model in spec.Models |> List.filter (fun m -> trains task m && not (List.contains (task, m) spec.Except)) do
              for seed in spec.Seeds do
                  for values in combinations ->
                      let seedFolder = sprintf "jobs/%s/%s/seed-%d" task model seed
                      let s = slug spec values
                      task, model, seed, values, (if s = "" then seedFolder else seedFolder + "/" + s) ]
    |> List.mapi (fun i (task, model, seed, values, folder) ->
        { Index = i; Task = task; Model = model; Seed = seed; Settings = values; Folder = folder })

/// "spring/hnn/seed-0[/lr=1e-3]": how output lines name a job.
let describe (job: Job) = job.Folder.Substring "jobs/".Length

/// A job's run folder.
let jobFolder (sweepDir: string) (job: Job) = Path.Combine(sweepDir, job.Folder.Replace('/', Path.DirectorySeparatorChar))

/// A job's log file (its worker's or array task's standard output and error).
let logPath (sweepDir: string) (job: Job) = Path.Combine(sweepDir, logFolder, sprintf "%d.log" job.Index)

// ---- sweep.json ---------------------------------------------------------------------------------------------

/// A JSON string (JsonValue.Create is annotated as possibly null for strings).
let jsonString (s: string) : JsonNode = JsonValue.Create s |> nonNull :> JsonNode

/// A JSON array of these nodes.
let jsonArray (nodes: JsonNode seq) =
    let a = JsonArray()
    for n in nodes do
        a.Add n
    a

let private stringArray (items: string seq) = jsonArray (items |> Seq.map jsonString)

let private specNode (spec: Spec) =
    let settings = JsonObject()
    for a in spec.Settings do
        settings[a.Name] <- stringArray a.Values
    let o = JsonObject()
    o["tasks"] <- stringArray spec.Tasks
    o["models"] <- stringArray spec.Models
    if not spec.Except.IsEmpty then
        o["except"] <- stringArray (spec.Except |> List.map (fun (t, m) -> t + "/" + m))
    o["seeds"] <- jsonArray (spec.Seeds |> List.map (fun s -> JsonValue.Create s :> JsonNode))
    o["settings"] <- settings
    o["evaluate"] <- JsonValue.Create spec.Evaluate
    o["checkpoint_every"] <- JsonValue.Create spec.CheckpointEvery
    o

let private jobNode (job: Job) =
    let values = JsonObject()
    for n, v in job.Settings do
        values[n] <- JsonValue.Create v
    let o = JsonObject()
    o["index"] <- JsonValue.Create job.Index
    o["task"] <- JsonValue.Create job.Task
    o["model"] <- JsonValue.Create job.Model
    o["seed"] <- JsonValue.Create job.Seed
    o["settings"] <- values
    o["folder"] <- JsonValue.Create job.Folder
    o

/// The text of sweep.json: `{"format": 1, "command", "spec": {tasks, models, [except: ["task/model"]], seeds, settings: {name: [values]},
/// evaluate, checkpoint_every}, "jobs": [{index, task, model, seed, settings: {name: value}, folder}]}`.
let toJson (command: string) (spec: Spec) =
    let root = JsonObject()
    root["format"] <- JsonValue.Create 1
    root["command"] <- JsonValue.Create command
    root["spec"] <- specNode spec
    root["jobs"] <- jsonArray (expand spec |> List.map jobNode |> Seq.cast)
    root.ToJsonString Json.Options

/// A sweep folder's sweep.json, read and checked.
type Loaded =
    {
        Spec: Spec
        Jobs: Job list
        /// The command that wrote it.
        Command: string
    }

/// Reads sweep.json: its spec, checked as on the command line, and its job list, which must be the spec's
/// expansion. Throws InvalidDataException naming the file and the problem.
let load (sweepDir: string) : Loaded =
    let path = Path.Combine(sweepDir, fileName)
    let fail (problem: string) = raise (InvalidDataException(sprintf "%s: %s" path problem))
    if not (File.Exists path) then
        fail (
            if Directory.Exists sweepDir then
                "no such file: not a sweep folder (hnn sweep writes one)"
            else
                "no such folder"
        )
    let root =
        try
            match JsonNode.Parse(File.ReadAllText path) with
            | :? JsonObject as o -> o
            | _ -> fail "not a JSON object"
        with
        | :? JsonException as e -> fail (sprintf "not valid JSON (%s)" e.Message)
        | :? IOException as e -> fail (sprintf "unreadable (%s)" e.Message)
    try
        let field (o: JsonObject) (name: string) =
            match o[name] with
            | null -> fail (sprintf "\"%s\" is missing" name)
            | n -> n
        let strings (n: JsonNode) = n.AsArray() |> Seq.map (fun x -> (nonNull x).GetValue<string>()) |> List.ofSeq
        if (field root "format").GetValue<int>() <> 1 then
            fail "unknown format (expected 1)"
        let s = (field root "spec").AsObject()
        let axes = [ for KeyValue(name, values) in (field s "settings").AsObject() -> { Name = name; Values = strings (nonNull values) } ]
        let spec =
            match
                spec
                    (strings (field s "tasks"))
                    (strings (field s "models"))
                    ((field s "seeds").AsArray() |> Seq.map (fun x -> (nonNull x).GetValue<int>()) |> List.ofSeq)
                    axes
                    ((field s "evaluate").GetValue<bool>())
                    ((field s "checkpoint_every").GetValue<int>())
            with
            | Ok spec ->
                let pairs =
                    match s["except"] with
                    | null -> []
                    | n ->
                        strings n
                        |> List.map (fun p ->
                            match parsePair p with
                            | Ok pair -> pair
                            | Error e -> fail e)
                match without pairs spec with
                | Ok spec -> spec
                | Error e -> fail e
            | Error e -> fail e
        let expected = expand spec
        let jobs = (field root "jobs").AsArray()
        if jobs.Count <> expected.Length then
            fail (sprintf "%d jobs listed, but the spec expands to %d (was the file edited?)" jobs.Count expected.Length)
        for stored, job in Seq.zip jobs expected do
            if (nonNull stored).ToJsonString() <> (jobNode job).ToJsonString() then
                fail (sprintf "job %d does not match the spec's expansion (%s; was the file edited?)" job.Index (describe job))
        { Spec = spec; Jobs = expected; Command = (field root "command").GetValue<string>() }
    with
    | :? InvalidOperationException as e -> fail (sprintf "a field has the wrong type (%s)" e.Message)
    | :? FormatException as e -> fail (sprintf "a field has the wrong type (%s)" e.Message)

/// Writes sweep.json into a new sweep folder, or checks that the folder's sweep.json has this spec (a rerun
/// continues it); another spec is refused with a one-line error (ArgumentException). Returns the jobs.
let create (sweepDir: string) (command: string) (spec: Spec) : Job list =
    let path = Path.Combine(sweepDir, fileName)
    if File.Exists sweepDir then
        raise (ArgumentException(sprintf "--out '%s' is a file, not a folder" sweepDir))
    if File.Exists path then
        let existing = load sweepDir
        if (specNode existing.Spec).ToJsonString() <> (specNode spec).ToJsonString() then
            raise (
                ArgumentException(
                    sprintf
                        "%s holds another sweep (made by: %s); rerun that command to continue it, or choose another --out"
                        path
                        existing.Command
                )
            )
        existing.Jobs
    else
        if Directory.Exists sweepDir && not (Seq.isEmpty (Directory.EnumerateFileSystemEntries sweepDir)) then
            raise (
                ArgumentException(sprintf "--out '%s' is not empty and holds no %s: choose a new folder for the sweep" sweepDir fileName)
            )
        Directory.CreateDirectory(Path.Combine(sweepDir, logFolder)) |> ignore
        AtomicFile.WriteAllText(path, toJson command spec)
        expand spec

// ---- one job --------------------------------------------------------------------------------------------------

/// Where a job stands in its folder: finished (its results.json's last run completed), resumable (a checkpoint
/// is there), or fresh.
type State =
    | Finished
    | Checkpointed
    | Fresh

/// The status of the last run recorded in a results.json ("completed", "interrupted", "failed"), if readable.
let lastRunStatus (resultsPath: string) =
    try
        match JsonNode.Parse(File.ReadAllText resultsPath) with
        | :? JsonObject as root ->
            match root["runs"] with
            | :? JsonArray as runs when runs.Count > 0 ->
                match runs[runs.Count - 1] with
                | :? JsonObject as run ->
                    match run["status"] with
                    | null -> None
                    | status -> Some(status.GetValue<string>())
                | _ -> None
            | _ -> None
        | _ -> None
    with _ ->
        None

/// How `hnn job` runs a job in its process.
type Run =
    {
        /// Torch threads (a job's result depends on it, as a run's does).
        Threads: int
        /// Stops training cleanly after the current step (with a checkpoint).
        Cancellation: CancellationToken
        /// The command recorded in the job's results.json.
        Command: string
        Log: string -> unit
    }

/// The task, model kind and options of a job: the run `hnn train` would make of the same task (the pixel pendulum
/// included), model, seed and settings, writing into the job's folder and resuming from its checkpoint if it has one.
let plan (sweepDir: string) (spec: Spec) (job: Job) (run: Run) =
    let problem e = InvalidDataException(sprintf "%s: job %d (%s): %s" (Path.Combine(sweepDir, fileName)) job.Index (describe job) e)
    let task =
        match Tasks.tryFind job.Task with
        | Ok t -> t
        | Error e -> raise (problem e)
    let kind =
        match Tasks.tryModelKind job.Model with
        | Ok k -> k
        | Error e -> raise (problem e)
    let options =
        { Experiment.defaults with
            Seed = job.Seed
            Threads = Some run.Threads
            Evaluate = spec.Evaluate
            OutDir = jobFolder sweepDir job
            CheckpointEvery = spec.CheckpointEvery
            Cancellation = run.Cancellation
            Log = run.Log }
    let options =
        job.Settings
        |> List.fold
            (fun acc (name, text) ->
                match read name text with
                | Ok(_, change) -> change acc
                | Error e -> raise (problem e))
            options
    let options = { options with Resume = File.Exists((Experiment.folder options).Checkpoint(task.Key, Tasks.modelKey kind)) }
    try
        Experiment.check options task [ kind ]
    with :? ArgumentException as e ->
        raise (problem e.Message)
    task, kind, options

/// Where a job stands (see `State`).
let state (sweepDir: string) (job: Job) =
    let folder = RunFolder(jobFolder sweepDir job)
    if lastRunStatus folder.Results = Some ResultsFile.RunStatus.Completed then Finished
    elif folder.HasCheckpoints then Checkpointed
    else Fresh

/// The run of a job whose folder this process has claimed.
let private runClaimed (sweepDir: string) (spec: Spec) (job: Job) (run: Run) : string =
    let task, kind, options = plan sweepDir spec job run
    let outDir, steps = options.OutDir, Experiment.steps options task kind
    let started = DateTime.UtcNow
    let mark status (reason: string) =
        if status = ResultsFile.RunStatus.Interrupted || ResultsFile.Occupant outDir |> isNull |> not then
            let info =
                ResultsFile.RunInfo(
                    started.ToString "o",
                    job.Seed,
                    steps,
                    run.Threads,
                    (DateTime.UtcNow - started).TotalSeconds,
                    run.Command,
                    status,
                    reason
                )
            try
                Directory.CreateDirectory outDir |> ignore
                ResultsFile.MarkUnfinished(outDir, info) |> ignore
            with
            | :? ResultsFileException
            | :? IOException
            | :? UnauthorizedAccessException as e -> run.Log(sprintf "warning: could not mark job %d as %s: %s" job.Index status e.Message)
    try
        let evaluated, path = Experiment.runAndRecord options run.Command task [ kind ]
        for e in evaluated do
            e.Trained.Model.Dispose()
        path
    with
    | :? OperationCanceledException as e ->
        mark ResultsFile.RunStatus.Interrupted e.Message
        reraise ()
    | e ->
        mark ResultsFile.RunStatus.Failed e.Message
        reraise ()

/// Runs one job in this process, resuming from its checkpoint if it has one, and records it in its folder as
/// `hnn train` does (results.json, results.md, models/, checkpoints/, artifacts/); returns results.json's path.
/// A run that stops early is marked in results.json, "interrupted" when it was stopped through its token (in any
/// phase: training, which checkpoints first, data, evaluation) and "failed" otherwise (if it wrote anything), and
/// the exception propagates. The one place a sweep calls the run path.
///
/// The job's folder is claimed first (`FolderLock`, released when this returns or the process ends): a job already
/// running elsewhere (the same sweep started twice, a scheduler's retry of a task still running) raises
/// `FolderBusyException` before anything is read or written, and a job found finished once its folder is claimed
/// (it finished elsewhere after the caller looked) is not run again: its results.json's path is returned.
let runJob (sweepDir: string) (spec: Spec) (job: Job) (run: Run) : string =
    let folder = jobFolder sweepDir job
    use _claim = FolderLock.Acquire folder
    if state sweepDir job = Finished then
        Path.Combine(folder, ResultsFile.FileName)
    else
        runClaimed sweepDir spec job run

/// A name Slurm and Kubernetes accept for the sweep: its folder's name, lower case, letters, digits and `-`.
let name (sweepDir: string) =
    let folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath sweepDir)) |> nonNull
    let cleaned = Regex.Replace(folder.ToLowerInvariant(), "[^a-z0-9-]+", "-").Trim('-')
    let full = "hnn-" + (if cleaned = "" then "sweep" else cleaned)
    full.Substring(0, min 52 full.Length).TrimEnd('-')
