/// `hnn export` and `hnn import`: model weights to and from PyTorch state dicts in the reference layout
/// (`Hnn.Models.PyTorchWeights`).
module Hnn.Cli.ExportCommands

open System
open System.IO
open System.Text.Json
open Argu
open Hnn
open Hnn.Cli.Arguments
open Hnn.Models
open TorchSharp

/// Sample states for `--check-values`: this many, each coordinate uniform in [−range, range], from a fixed seed.
let private sampleCount, sampleRange, sampleSeed = 16, 2.0, 0

/// The reference constructor's arguments, as the check script reads them.
type Reference =
    { input_dim: int
      hidden_dim: int
      output_dim: int
      nonlinearity: string
      baseline: bool
      field_type: string
      assume_canonical_coords: bool
      constructor: string }

/// What `--check-values` writes: the states, and the model's MLP outputs and time derivatives on them (float32 values).
type CheckValues =
    { format: string
      model: string
      weights: string
      reference: Reference
      states: float[][]
      network_outputs: float[][]
      time_derivatives: float[][] }

let private rows (t: torch.Tensor) =
    use d = t.detach().cpu().to_type(torch.ScalarType.Float64)
    let columns = int d.shape[1]
    let flat = d.data<float>().ToArray()
    Array.init (int d.shape[0]) (fun i -> flat[i * columns .. i * columns + columns - 1])

/// The states (float32 values, so both sides start from the same numbers) and the model's outputs on them.
let private checkValues (model: DynamicsModel) (modelPath: string) (weightsPath: string) =
    let settings = model.Settings
    let random = Random sampleSeed
    let states =
        Array.init sampleCount (fun _ ->
            Array.init settings.InputDim (fun _ -> float (float32 ((random.NextDouble() * 2.0 - 1.0) * sampleRange))))
    use scope = torch.NewDisposeScope()
    let x = torch.tensor(Array.concat states |> Array.map float32).reshape(int64 sampleCount, int64 settings.InputDim)
    let outputs =
        match model with
        | :? HamiltonianNet as hnn -> hnn.Potentials x
        | _ -> model.TimeDerivative(x, false)
    let derivative = model.TimeDerivative(x, false)
    let field = if settings.Kind = ModelKind.DissipativeHnn then FieldType.Both else settings.Field
    { format = "hnn-pytorch-check"
      model = Path.GetFullPath modelPath
      weights = Path.GetFullPath weightsPath
      reference =
        { input_dim = settings.InputDim
          hidden_dim = settings.HiddenDim
          output_dim = (if settings.Kind = ModelKind.Baseline then settings.InputDim else 2)
          nonlinearity = settings.Nonlinearity.Name()
          baseline = (settings.Kind = ModelKind.Baseline)
          field_type = field.ToString().ToLowerInvariant()
          assume_canonical_coords = settings.CanonicalCoordinates
          constructor = PyTorchWeights.ReferenceConstructor settings }
      states = states
      network_outputs = rows outputs
      time_derivatives = rows derivative }

/// A missing folder for a file to be written: one line naming the argument, before any work.
let private folderOf (argument: string) (path: string) =
    let folder = Path.GetDirectoryName(Path.GetFullPath path)
    if not (Directory.Exists folder) then
        raise (ArgumentException(sprintf "%s '%s': folder '%s' does not exist" argument path folder))

/// Runs a command body; a weights file that cannot be read or written is a user error (one line, exit code 2).
let private guard (body: unit -> int) =
    try
        body ()
    with
    | :? PyTorchWeightsException as e when e.NoCounterpart ->
        eprintfn "error: %s; export a model trained without --momentum-symmetric" e.Message
        2
    | :? PyTorchWeightsException as e ->
        eprintfn "error: %s" e.Message
        2

/// `hnn export --model M.json --format pytorch OUT.pt [--check-values V.json]`.
let export (args: ParseResults<ExportArgs>) =
    let modelPath = args.GetResult ExportArgs.Model
    let output = args.GetResult ExportArgs.Output
    let check = args.TryGetResult ExportArgs.Check_Values
    folderOf "output" output
    check |> Option.iter (folderOf "--check-values")
    guard (fun () ->
        Torch.init ()
        let struct (model, description) = ModelFile.Load modelPath
        use model = model
        match args.GetResult ExportArgs.Format with
        | WeightsFormat.Pytorch -> PyTorchWeights.Export(model, output)
        let layout = PyTorchWeights.ReadLayout output
        printfn
            "wrote %s: the %s model of task %s as a PyTorch state dict (%s)"
            output
            (Tasks.modelKey model.Settings.Kind)
            description.Task
            (String.Join(", ", layout))
        printfn
            "load it in Python: model = %s; model.load_state_dict(torch.load('%s'))"
            (PyTorchWeights.ReferenceConstructor model.Settings)
            (Path.GetFileName output)
        match check with
        | Some file ->
            let values = checkValues model modelPath output
            Hnn.IO.AtomicFile.WriteAllText(file, JsonSerializer.Serialize(values, JsonSerializerOptions(WriteIndented = true)))
            printfn "wrote %s: %d states with this model's outputs, for scripts/check-pytorch-export.py" file values.states.Length
        | None -> ()
        0)

/// The kinds the reference implementation has: its HNN, its baseline, and its HNN with field_type 'both'.
let private importKind (key: string) =
    match modelKind "--kind" key with
    | ModelKind.Hnn
    | ModelKind.Baseline
    | ModelKind.DissipativeHnn as kind -> kind
    | ModelKind.SampledHnn
    | ModelKind.SampledDissipativeHnn ->
        raise (
            ArgumentException
                "--kind: a sampled model has no counterpart in the reference implementation; import hnn, baseline or dissipative-hnn weights"
        )
    | _ ->
        raise (
            ArgumentException(
                sprintf "--kind %s: the reference implementation has no such model; import hnn, baseline or dissipative-hnn weights" key
            )
        )

/// `hnn import --format pytorch IN.pt --task T --kind hnn|baseline|dissipative-hnn --out M.json [--nonlinearity N] [--force]`.
let import (args: ParseResults<ImportArgs>) =
    let input = args.GetResult ImportArgs.Input
    let out = args.GetResult ImportArgs.Out
    let task =
        match Tasks.tryFind (args.GetResult ImportArgs.Task) with
        | Ok t -> t
        | Error e -> raise (ArgumentException e)
    let nonlinearity = args.TryGetResult ImportArgs.Nonlinearity |> Option.map Nonlinearities.Parse |> Option.defaultValue Nonlinearity.Tanh
    let kind = importKind (args.GetResult ImportArgs.Kind)
    if not (File.Exists input) then
        raise (ArgumentException(sprintf "input '%s': no such file" input))
    if not (out.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) then
        raise (ArgumentException(sprintf "--out '%s': a model file ends in .json (its weights go beside it, .weights)" out))
    if File.Exists out && not (args.Contains ImportArgs.Force) then
        raise (ArgumentException(sprintf "--out '%s' exists: choose another file or add --force" out))
    folderOf "--out" out
    guard (fun () ->
        Torch.init ()
        let settings = ModelSettings(kind, task.Dimension, Nonlinearity = nonlinearity)
        use model =
            match args.GetResult ImportArgs.Format with
            | WeightsFormat.Pytorch -> PyTorchWeights.Import(input, settings)
        // Nothing was trained here: the training record says so (0 steps); evaluate and check use only the task and the seed.
        ModelFile.Save(model, task.Key, Training.TrainSettings(Steps = 0), out) |> ignore
        printfn
            "wrote %s: %s's weights as a %s model of task %s (hidden width %d, %s)"
            out
            input
            (Tasks.modelKey kind)
            task.Key
            model.Settings.HiddenDim
            (model.Settings.Nonlinearity.Name())
        0)
