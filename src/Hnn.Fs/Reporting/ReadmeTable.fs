/// The README's results table, written from a results.json (not typed): per paper task our baseline's and HNN's
/// train / test loss, the paper's HNN's, our energy MSEs, and our HNN's energy MSE over the paper's. The table sits
/// in README.md between two marker comments; `update` rewrites what is between them and nothing else.
module Hnn.ReadmeTable

open System
open Hnn.Results

/// The rows: task key, its label in the README (with the footnote the README gives it), and whether our energy MSE
/// is in the paper's units (the pixel pendulum's latent-space protocol is not).
let rows =
    [ "spring", "mass-spring", true
      "pendulum", "ideal pendulum ¹", true
      "real-pendulum", "real pendulum ²", true
      "two-body", "two-body", true
      "three-body", "three-body ³", true
      "pixel-pendulum", "pixel pendulum ⁴", false ]

/// The comment line before the table.
let startMarker =
    "<!-- results table: written by `dotnet fsi build.fsx readme` from docs/results/results.json (see docs/results/README.md); edit those, not this -->"

/// The comment line after the table.
let endMarker = "<!-- end of the results table -->"

/// The table's Markdown lines for these cells; "—" where a value is missing.
let table (cells: ResultsFile.Cell seq) =
    let cells = Seq.toList cells
    let ours task model metric =
        cells |> List.tryFind (fun c -> c.Task = task && c.Model = model && c.Metric = metric) |> Option.map _.Value.Mean
    let paper task model metric = Paper.tryFind task model metric |> Option.map _.Mean
    let num = Option.map (Format.sci 2) >> Option.defaultValue "—"
    let losses (find: string -> string -> string -> float option) task model =
        sprintf "%s / %s" (num (find task model "train_loss")) (num (find task model "test_loss"))
    let row (task, label, comparable) =
        let ratio =
            match ours task "hnn" "energy_mse", paper task "hnn" "energy_mse" with
            | Some o, Some p when comparable -> Format.decimals 2 (o / p)
            | _ -> "—"
        sprintf
            "| %s | %s | %s | %s | %s | %s | %s |"
            label
            (losses ours task "baseline")
            (losses ours task "hnn")
            (losses paper task "hnn")
            (num (ours task "baseline" "energy_mse"))
            (num (ours task "hnn" "energy_mse"))
            ratio
    [ "| task | loss, train / test: baseline | HNN | paper's HNN | energy MSE: baseline | HNN | HNN / paper |"
      "|---|---|---|---|---|---|---|" ]
    @ List.map row rows

/// The lines between the markers of `readme` (its text), or an error saying which marker is missing.
let current (readme: string) =
    let lines = readme.Split '\n' |> Array.map (fun l -> l.TrimEnd '\r')
    match Array.tryFindIndex ((=) startMarker) lines, Array.tryFindIndex ((=) endMarker) lines with
    | Some s, Some e when s < e -> Ok(lines[s + 1 .. e - 1] |> List.ofArray)
    | None, _ -> Error(sprintf "no line '%s'" startMarker)
    | _ -> Error(sprintf "no line '%s' after the start marker" endMarker)

/// `readme` (its text) with the lines between the markers replaced by `table cells`.
let update (readme: string) (cells: ResultsFile.Cell seq) =
    match current readme with
    | Error e -> Error e
    | Ok old ->
        let block (lines: string list) = String.Join("\n", startMarker :: lines @ [ endMarker ])
        Ok(readme.Replace(block old, block (table cells)))

/// Rewrites the table in the README at `readmePath` from `resultsPath` (a results.json); returns whether it changed.
/// Throws ArgumentException naming the file when the README lacks the markers, ResultsFileException for a bad results file.
let write (readmePath: string) (resultsPath: string) =
    let readme = IO.File.ReadAllText readmePath
    match update readme (ResultsFile.Read resultsPath) with
    | Error e -> invalidArg (nameof readmePath) (sprintf "%s: %s" readmePath e)
    | Ok text when text = readme -> false
    | Ok text ->
        IO.AtomicFile.WriteAllText(readmePath, text)
        true
