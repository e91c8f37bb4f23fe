/// Task 5 of the paper, the pixel pendulum: what is its own beside the run path (Hnn.Experiment, which trains,
/// checkpoints, records and reports it like every task): its frames, its model files, its latent-rollout evaluation
/// and its animations.
module Hnn.PixelPendulum

open System
open System.IO
open System.Text.Json
open Hnn.Models
open Hnn.Pixels
open Hnn.Training

/// The key of this task in results.json and the run folder.
let taskKey = Tasks.pixelPendulum.Key

/// The model kinds this task trains (the paper's two).
let modelKinds = [ ModelKind.Baseline; ModelKind.Hnn ]

/// Frames of the animations (the data's trials give 100; longer ones are simulated).
[<Literal>]
let animationSteps = 200

/// Factor on the angular speed (true) and on the latent velocity (models) half way through the second animation.
[<Literal>]
let boostFactor = 1.5

/// Resident and peak memory of this process from /proc/self/status, e.g. "rss 812 MB, peak 840 MB".
let memory () =
    let field name =
        try
            File.ReadLines "/proc/self/status"
            |> Seq.tryFind (fun l -> l.StartsWith(name + ":"))
            |> Option.map (fun l -> float (l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0)
        with :? IOException ->
            None
    match field "VmRSS", field "VmHWM" with
    | Some rss, Some peak -> sprintf "rss %.0f MB, peak %.0f MB" rss peak
    | _ -> "memory unknown"

/// The frames of `recipe` with the run's seed, from the cache in `cacheFolder` when they are there.
let data (cacheFolder: string) (log: string -> unit) (recipe: PixelPendulumRecipe) (seed: int) =
    Torch.init ()
    let r = recipe
    let seeded =
        PixelPendulumRecipe(
            r.Trials,
            r.FramesPerTrial,
            r.MaxStartAngle,
            r.MaxStartSpeed,
            r.TestFraction,
            r.Side,
            r.HalfView,
            r.Supersampling,
            seed
        )
    PixelDatasetCache.GetOrCreate(cacheFolder, seeded, Action<string> log)

/// A pixel model's training record in the run path's terms: the loss curves and the total losses (the autoencoder,
/// canonical and latent terms of the final losses are the pixel record's alone).
let trainingResult (r: PixelTrainingResult) =
    TrainingResult(r.TrainLoss, r.TestLoss, r.FinalTrain.Total, r.FinalTest.Total, r.Seconds, r.Threads)

/// The latent-rollout protocol over the paper's 100 frames, or as many as the trials hold (frames − 3).
let evaluate (model: PixelHnn) (data: PixelDataset) =
    PixelEvaluation.Evaluate(model, data, min PixelEvaluation.RolloutSteps (data.FramesPerTrial - 3))

[<Literal>]
let private format = "hnn-pixel-model"

/// Saves a pixel model in the run folder: its weights (`RunFolder.Weights`, written atomically) and beside them its
/// description (`RunFolder.Model`: format "hnn-pixel-model", task, kind, sizes, training settings, the weights'
/// sha256), so `load` can rebuild it without the data; returns the description's path.
let save (folder: RunFolder) (task: string) (settings: TrainSettings) (model: PixelHnn) =
    let kind = Tasks.modelKey model.Kind
    let weights = folder.Weights(task, kind)
    IO.AtomicFile.Write(
        weights,
        fun stream ->
            use writer = new BinaryWriter(stream, Text.Encoding.UTF8, true)
            model.save writer |> ignore
            writer.Flush()
    )
    let description =
        {| Format = format
           Version = 1
           Task = task
           Model = kind
           PairDimension = model.Autoencoder.InputDim
           HiddenDim = model.Dynamics.Settings.HiddenDim
           LatentDim = model.Autoencoder.LatentDim
           Training = settings
           Weights = Path.GetFileName weights
           WeightsSha256 = TaskSources.sha256 weights |}
    let path = folder.Model(task, kind)
    IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(description, IO.Json.Options))
    path

/// The pixel model a `save` described at `path` (its weights beside it, checked against their sha256), in eval mode.
/// Raises ModelFileException naming the file and the problem.
let load (path: string) =
    let fail problem = raise (ModelFileException(path, problem))
    if not (File.Exists path) then
        fail "no such file"
    let root =
        try
            (JsonDocument.Parse(File.ReadAllText path)).RootElement
        with :? JsonException as e ->
            fail (sprintf "not a valid model description (%s)" e.Message)
    let field (name: string) =
        match root.TryGetProperty name with
        | true, v -> v
        | _ -> fail (sprintf "no %s" name)
    let text (name: string) =
        match (field name).ValueKind with
        | JsonValueKind.String -> (field name).GetString() |> nonNull
        | _ -> fail (sprintf "%s is not a string" name)
    if root.ValueKind <> JsonValueKind.Object || text "format" <> format then
        fail (sprintf "not an Hnn pixel model file (expected format \"%s\")" format)
    let weightsName = text "weights"
    if weightsName = "" || Some weightsName <> Option.ofObj (Path.GetFileName weightsName) then
        fail "weights must be a file name beside the model file"
    let weights = Path.Combine(Path.GetDirectoryName(Path.GetFullPath path) |> nonNull, weightsName)
    if not (File.Exists weights) then
        fail (sprintf "weights file '%s' is missing" weights)
    if TaskSources.sha256 weights <> text "weights_sha256" then
        fail (sprintf "weights file '%s' does not match its checksum (truncated or replaced)" weights)
    let kind =
        match Tasks.tryModelKind (text "model") with
        | Ok k when List.contains k modelKinds -> k
        | Ok k -> fail (sprintf "a pixel model is a baseline or an HNN, not %s" (Tasks.modelKey k))
        | Error e -> fail e
    Torch.init ()
    let model = new PixelHnn(kind, (field "pair_dimension").GetInt32(), (field "hidden_dim").GetInt32(), (field "latent_dim").GetInt32())
    try
        model.load (weights, strict = true) |> ignore
    with e ->
        model.Dispose()
        fail (sprintf "weights do not fit the described model (%s)" (e.Message.Split('\n')[0]))
    model.eval ()
    model

/// The test trial the animations show: the one whose start energy is closest to 40 % of the largest, so that its swing
/// (about 0.63 of the widest amplitude) stays inside the data's range when the second animation scales it by 1.5.
let showcaseTrial (data: PixelDataset) =
    let energy k = let struct (theta, p) = data.Coordinate(k, 2) in GymPendulum.Energy(theta, 4.0 * p)
    let trials = [ 0 .. data.TestTrials - 1 ]
    let target = 0.4 * (trials |> List.map energy |> List.max)
    trials |> List.minBy (fun k -> abs (energy k - target))

let private frames (count: int) (frame: int -> float32[]) = [| for i in 0..count -> frame i |]

/// Writes true | each model (baseline | HNN for the paper's pair) as an animated GIF and a PNG strip into the run
/// folder (`RunFolder.Picture`), plain and with energy added half way (the swing's amplitude multiplied by
/// `boostFactor`: angle and speed for the truth, the code about the rest code for the models); returns the paths.
let pictures (folder: RunFolder) (renderer: PendulumRenderer) (data: PixelDataset) (models: PixelHnn list) =
    let trial = showcaseTrial data
    let steps = animationSteps
    let struct (theta0, p0) = data.Coordinate(trial, 2)
    [ for name, boost in [ taskKey, None; taskKey + "-energy", Some(steps / 2) ] do
          let truth = PendulumPath.Simulate(theta0, 4.0 * p0, steps, renderer, Option.toNullable boost, boostFactor)
          let rollout (model: PixelHnn) =
              let start = PixelEvaluation.Starts(model, data)[2 * trial .. 2 * trial + 1]
              let rest = PixelEvaluation.RestCode(model, renderer)
              let path = LatentPath.Run(model, start, steps, Option.toNullable boost, boostFactor, rest)
              frames steps (fun i -> path.Frame(0, i).ToArray())
          let panels: FramePanel list =
              { Label = "true"; Frames = frames steps (fun i -> truth.Frame(i).ToArray()) }
              :: [ for model in models -> { Label = Tasks.modelKey model.Kind; Frames = rollout model } ]
          let caption i =
              match boost with
              | Some b when i >= b -> sprintf "t %d  amplitude x%.1f" i boostFactor
              | _ -> sprintf "t %d" i
          let gif = folder.Picture(name + ".gif")
          let png = folder.Picture(name + ".png")
          FramePictures.writeGif gif renderer.Side 6 caption panels
          FramePictures.writePngStrip png renderer.Side 4 10 panels
          yield gif
          yield png ]
