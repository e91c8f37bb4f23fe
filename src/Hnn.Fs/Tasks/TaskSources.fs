/// Tasks from the user's own data, built the same way as the paper's: from a CSV file of trajectories (a Hamiltonian
/// composed in F# is a task through Hnn.Pipeline.task); and the task of a run folder, built in or recorded there
/// (tasks/<key>.json).
module Hnn.TaskSources

open System
open System.IO
open System.Security.Cryptography
open System.Text.Json
open Hnn.Data
open Hnn.Tasks
open Hnn.Training

/// The sha256 of a file, lower-case hex.
let sha256 (path: string) =
    use stream = File.OpenRead path
    Convert.ToHexString(SHA256.HashData stream).ToLowerInvariant()

/// A task key from a file name: its letters, digits and '-', lower case (e.g. "my_data.csv" → "my-data").
let keyOfFile (path: string) =
    let name = Path.GetFileNameWithoutExtension path |> Option.ofObj |> Option.defaultValue "csv"
    let cleaned = String(name.ToLowerInvariant() |> Seq.map (fun c -> if Char.IsLetterOrDigit c then c else '-') |> Array.ofSeq)
    match cleaned.Trim '-' with
    | "" -> "csv"
    | k -> k

/// A task of trajectories from a CSV file (Hnn.Trajectories; derivatives given or by second-order differences on the
/// file's own times): the last `testFraction` of the trajectories held out; trained with the paper's small-system
/// recipe (2000 full-batch steps, weight decay 1e-4); evaluated by rolling models out on the held-out trajectories
/// (no true H: no energy metrics); physics checks draw states from the box the training states span.
/// Raises DataFileException (file:line) for a malformed file, before any work.
let ofCsv (path: string) (testFraction: float) : Task =
    let full = Path.GetFullPath path
    let table = Trajectories.load full
    let data = Trajectories.toDataset testFraction table
    let held = Trajectories.heldOut testFraction table
    let d = table.Coordinates.Length
    let column j = [| for i in 0 .. data.TrainX.Rows - 1 -> data.TrainX[i, j] |]
    let lower = Array.init d (fun j -> Array.min (column j))
    let upper = Array.init d (fun j -> Array.max (column j))
    let key = keyOfFile full
    { Key = key
      Title = sprintf "%s (CSV: %s)" key (Path.GetFileName full)
      Dimension = d
      System = None
      Data = fun _ -> data
      Training = Tasks.training 2000 1e-4 None
      Evaluation = HeldOut(fun _ -> held)
      Domain = Some(Domain.box lower upper)
      Note =
        sprintf
            "your data: %d trajectories of %s from %s; no known H, so models are compared with the %d held-out trajectories by rollout MSE (no energy metrics)."
            table.Trajectories.Length
            (String.Join(", ", table.Coordinates))
            (Path.GetFileName full)
            held.Length
      Source = Csv(full, sha256 full, testFraction) }

/// Records in the run folder what rebuilds a task that is not built in (a CSV task: its file, sha256 and test
/// fraction), so `hnn check`, `hnn evaluate` and `hnn report` work on the folder; built-in tasks need nothing.
let record (folder: RunFolder) (task: Task) =
    match task.Source with
    | Csv(path, sha, testFraction) ->
        let json =
            JsonSerializer.Serialize(
                {| key = task.Key; source = "csv"; path = path; sha256 = sha; testFraction = testFraction |},
                JsonSerializerOptions(WriteIndented = true)
            )
        IO.AtomicFile.WriteAllText(folder.TaskFile task.Key, json)
    | BuiltIn
    | Composed _
    | Pixels _ -> ()

/// The task `key` of a run folder: built in, or rebuilt from what `record` wrote (the CSV file must still have the
/// sha256 it had); None if neither. Raises InvalidDataException if the recorded file changed or is gone.
let tryResolve (folder: RunFolder) (key: string) : Task option =
    match Tasks.tryFind key with
    | Ok t -> Some t
    | Error _ ->
        let file = folder.TaskFile key
        if not (File.Exists file) then
            None
        else
            use doc = JsonDocument.Parse(File.ReadAllText file)
            let root = doc.RootElement
            let path = root.GetProperty("path").GetString() |> nonNull
            if not (File.Exists path) then
                raise (InvalidDataException(sprintf "%s: the task's data %s is gone" file path))
            if sha256 path <> (root.GetProperty("sha256").GetString() |> nonNull) then
                raise (InvalidDataException(sprintf "%s: %s changed since the run (its sha256 differs)" file path))
            Some(ofCsv path (root.GetProperty("testFraction").GetDouble()))

/// The tasks a run folder recorded with `record`.
let recorded (folder: RunFolder) : Task list =
    folder.TaskFiles |> List.choose (fun f -> tryResolve folder (Path.GetFileNameWithoutExtension f |> nonNull))
