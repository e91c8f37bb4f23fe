/// The README's tables are written by a command, not typed: the one in the file is what the command writes.
module Hnn.Tests.ReadmeTests

open System.IO
open Expecto
open Hnn
open Hnn.Results

[<Tests>]
let tests =
    testList
        "readme"
        [ test "README.md's results table is what `dotnet fsi build.fsx readme` writes from docs/results/results.json" {
              let readme = File.ReadAllText(Path.Combine(repoRoot, "README.md"))
              let cells = ResultsFile.Read(Path.Combine(repoRoot, "docs", "results", ResultsFile.FileName))
              let shown =
                  match ReadmeTable.current readme with
                  | Ok lines -> lines
                  | Error e -> failtestf "README.md: %s" e
              Expect.sequenceEqual shown (ReadmeTable.table cells) "the table between the markers (run `dotnet fsi build.fsx readme`)"
          }
          test "rewriting the README's table changes only the lines between the markers" {
              let readme =
                  String.concat "\n" [ "# Title"; "before"; ReadmeTable.startMarker; "| stale |"; ReadmeTable.endMarker; "after"; "" ]
              let cell metric model mean = ResultsFile.Cell("spring", model, metric, Training.LossEstimate(mean, 0.0))
              let cells = [ cell "energy_mse" "hnn" 3.8416e-04; cell "train_loss" "hnn" 0.037 ]
              match ReadmeTable.update readme cells with
              | Error e -> failtest e
              | Ok text ->
                  let lines = text.Split '\n'
                  Expect.equal lines[..2] [| "# Title"; "before"; ReadmeTable.startMarker |] "the lines before kept"
                  Expect.equal lines[lines.Length - 3 ..] [| ReadmeTable.endMarker; "after"; "" |] "the lines after kept"
                  let spring = lines |> Array.find (fun l -> l.StartsWith "| mass-spring |")
                  Expect.stringContains spring "| 3.70e-02 / — |" "our HNN's train loss, and — for the missing test loss"
                  Expect.stringEnds spring "| 1.00 |" "our HNN's energy MSE over the paper's"
                  Expect.isFalse (text.Contains "| stale |") "the old table is gone"
              Expect.isError (ReadmeTable.update "no markers" cells) "a README without the markers is refused"
          } ]
