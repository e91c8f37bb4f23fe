/// Bring-your-own-data laws: a CSV written from a system loads back to the same numbers and trains; derivatives
/// missing from the file are estimated by second-order finite differences; every malformed file is refused with
/// an error naming the file, the line and the column.
module Hnn.Tests.CsvTests

open System
open System.IO
open Expecto
open Hnn
open Hnn.Data

let private withTempFolder (f: string -> unit) =
    let folder = Path.Combine(Path.GetTempPath(), "hnn-csv-" + string (Guid.NewGuid()))
    Directory.CreateDirectory folder |> ignore
    try
        f folder
    finally
        Directory.Delete(folder, true)

let private pendulum = Hamiltonians.pendulum 3.0 1.0 0.5

let private table () = Trajectories.ofSystem pendulum [| 0.5; 0.0; -1.0; 0.3; 0.2; -0.4 |] (Sampling.Linspace(0.0, 1.0, 21))

/// The error a text raises, parsed as if from `source`.
let private errorOf (text: string) =
    try
        Trajectories.parse Trajectories.layout "data/run.csv" text |> ignore
        failtest "expected a DataFileException"
    with :? DataFileException as e ->
        e

let private expectError (text: string) (line: int) (fragments: string list) =
    let e = errorOf text
    Expect.equal e.File "data/run.csv" "names the file"
    Expect.equal e.Line (Nullable line) "names the line"
    Expect.stringStarts e.Message (sprintf "data/run.csv:%d: " line) "file:line: first"
    for f in fragments do
        Expect.stringContains e.Message f "names the column and problem"

let tests =
    testList
        "csv"
        [ test "a table written as CSV loads back with the same numbers, coordinates and ids" {
              withTempFolder (fun folder ->
                  let path = Path.Combine(folder, "pendulum.csv")
                  let original = table ()
                  Trajectories.write path original
                  let loaded = Trajectories.load path
                  Expect.equal loaded.Coordinates original.Coordinates "coordinates"
                  Expect.equal (loaded.Trajectories |> List.map _.Id) [ "1"; "2"; "3" ] "ids"
                  for a, b in List.zip loaded.Trajectories original.Trajectories do
                      Expect.equal a.Times b.Times "times exact"
                      Expect.equal a.States b.States "states exact"
                      Expect.equal a.Derivatives b.Derivatives "derivatives exact"
                  let data = Trajectories.toDataset 0.34 loaded
                  Expect.equal (data.TrainX.Rows, data.TestX.Rows) (42, 21) "last trajectory is the test set"
                  let given =
                      Array.concat [ yield! original.Trajectories[0].Derivatives.Value; yield! original.Trajectories[1].Derivatives.Value ]
                  Expect.equal data.TrainDx.Values given "given derivatives are used")
          }
          test "without derivative columns, derivatives come from finite differences of second order" {
              let original = table ()
              let stripped = { original with Trajectories = original.Trajectories |> List.map (fun t -> { t with Derivatives = None }) }
              withTempFolder (fun folder ->
                  let path = Path.Combine(folder, "bare.csv")
                  Trajectories.write path stripped
                  let header = File.ReadLines path |> Seq.head
                  Expect.isFalse (header.Contains "dθ") "no derivative columns"
                  let loaded = Trajectories.load path
                  for a, exact in List.zip loaded.Trajectories original.Trajectories do
                      let estimated = Trajectories.derivatives a
                      let worst =
                          Array.map2 (Array.map2 (fun x y -> abs (x - y))) estimated exact.Derivatives.Value |> Array.concat |> Array.max
                      // h = 0.05: central differences are O(h²), the one-sided ends too (with a larger constant).
                      Expect.isLessThan worst 0.02 "close to the exact field")
          }
          test "a CSV file trains on the run path like sampled data, evaluated on its held-out trajectories" {
              withTempFolder (fun folder ->
                  let path = Path.Combine(folder, "pendulum.csv")
                  Trajectories.write path (table ())
                  let options =
                      { Experiment.defaults with Steps = Some 5; Threads = Some 1; OutDir = Path.Combine(folder, "run"); Log = ignore }
                  let run = TaskSources.ofCsv path 0.34 |> Pipeline.runWith [ Models.ModelKind.Hnn ] options
                  let hnn = run.Models.Head
                  use _ = hnn.Trained.Model
                  Expect.isTrue (Double.IsFinite hnn.Trained.Result.FinalTest.Mean) "trained"
                  Expect.isTrue (Double.IsFinite hnn.HeldOut.Value.RolloutMse.Mean) "rolled out on the held-out trajectory")
          }
          test "a missing column is refused on the header line, naming the column and the header" {
              expectError "t,trajectory\n0,1\n1,1\n" 1 [ "no coordinate columns" ]
              expectError "time,trajectory,q,p\n0,1,0.1,0.2\n1,1,0.2,0.3\n" 1 [ "missing column 't'"; "time, trajectory, q, p" ]
              let e =
                  try
                      Trajectories.parse
                          { Trajectories.layout with Coordinates = Some [ "q"; "p" ] }
                          "data/run.csv"
                          "t,trajectory,q\n0,1,0.1\n"
                      |> ignore
                      failtest "expected an error"
                  with :? DataFileException as e ->
                      e
              Expect.stringContains e.Message "data/run.csv:1: missing column 'p'" "coordinate named in the layout"
          }
          test "a non-numeric cell is refused naming its line and column" {
              expectError "t,trajectory,q,p\n0,1,0.1,0.2\n0.1,1,zero,0.3\n" 3 [ "column 3 (q)"; "not a number: 'zero'" ]
              expectError "# comment\nt,trajectory,q,p\n0,1,0.1,0.2\n0.1,1,0.3,NaN\n" 4 [ "column 4 (p)"; "not finite" ]
          }
          test "times printed with six decimals, uneven sampling and gaps are accepted as they are" {
              // 1/6.5 printed with six decimals: steps 0.153846, 0.153847, … differ in their last digit.
              let rounded = [ for k in 0..12 -> sprintf "%.6f,a,%g,%g" (float k / 6.5) (cos (float k / 6.5)) (-(sin (float k / 6.5))) ]
              let uneven = [ "0,b,1,0"; "0.05,b,0.99,-0.05"; "0.2,b,0.98,-0.2"; "0.25,b,0.97,-0.25"; "0.6,b,0.8,-0.56" ]
              let gap = [ "0,c,1,0"; "0.1,c,0.99,-0.1"; "0.2,c,0.98,-0.2"; "1.5,c,0.07,-1.0"; "1.6,c,-0.03,-1.0" ]
              let text = String.concat "\n" ("t,trajectory,q,p" :: rounded @ uneven @ gap) + "\n"
              let loaded = Trajectories.parse Trajectories.layout "data/run.csv" text
              Expect.equal (loaded.Trajectories |> List.map (fun t -> t.Id, t.Times.Length)) [ "a", 13; "b", 5; "c", 5 ] "every row kept"
              Expect.equal loaded.Trajectories[1].Times [| 0.0; 0.05; 0.2; 0.25; 0.6 |] "the file's own times"
              let data = Trajectories.toDataset 0.34 loaded
              let timeline = data.TrainTimeline |> nonNull
              Expect.equal timeline.Times[13..] loaded.Trajectories[1].Times "the timeline keeps the uneven times"
              Expect.equal (timeline.Pairs().Dt |> Array.last) (0.6 - 0.25) "integrator supervision steps over the file's intervals"
          }
          test "second-order differences on an uneven grid differentiate a quadratic exactly" {
              let times = [| 0.0; 0.05; 0.2; 0.25; 0.6; 0.61; 1.4 |]
              let x (t: float) = [| 1.0 + 2.0 * t - 3.0 * t * t; 0.5 * t * t |]
              let trajectory: Trajectories.Trajectory = { Id = "q"; Times = times; States = Array.map x times; Derivatives = None }
              let estimated = Trajectories.finiteDifferences trajectory
              let exact = times |> Array.map (fun t -> [| 2.0 - 6.0 * t; t |])
              let worst = Array.map2 (Array.map2 (fun a b -> abs (a - b))) estimated exact |> Array.concat |> Array.max
              Expect.isLessThan worst 1e-12 "exact for a parabola, at the ends too"
          }
          test "non-increasing times are refused at the row that goes back, with file:line" {
              expectError "t,trajectory,q,p\n0,a,0.1,0.2\n0.1,a,0.2,0.3\n0.1,a,0.3,0.4\n" 4 [ "column 1 (t)"; "does not increase" ]
              expectError
                  "t,trajectory,q,p\n0,a,0.1,0.2\n0.2,a,0.2,0.3\n0.15,a,0.3,0.4\n"
                  4
                  [ "time 0.15 does not increase"; "previous row: 0.2" ]
          }
          test "too few points: a single-row trajectory is refused at its row, naming the trajectory column" {
              expectError
                  "t,trajectory,q,p\n0,a,0.1,0.2\n0.1,a,0.2,0.3\n0,b,0.3,0.4\n0,c,0.3,0.4\n0.1,c,0.3,0.4\n"
                  4
                  [ "column 2 (trajectory)"; "trajectory 'b' has a single row" ]
          }
          test "other malformed files: a short row, a trajectory split in two, partial derivative columns, no rows" {
              expectError "t,trajectory,q,p\n0,a,0.1\n" 2 [ "expected 4 cells"; "found 3" ]
              expectError
                  "t,trajectory,q,p\n0,a,0.1,0.2\n0.1,a,0.2,0.3\n0,b,0.3,0.4\n0.1,b,0.3,0.4\n0.2,a,0.3,0.4\n"
                  6
                  [ "column 2 (trajectory)"; "trajectory 'a' (first row on line 2) continues" ]
              expectError "t,trajectory,q,p,dq\n0,a,0.1,0.2,1\n0.1,a,0.2,0.3,1\n" 1 [ "missing dp" ]
              expectError "t,trajectory,q,p\n" 1 [ "header only" ]
          }
          test "a missing file is refused naming the file" {
              Expect.throwsC (fun () -> Trajectories.load "/nonexistent/run.csv" |> ignore) (fun e ->
                  Expect.stringContains e.Message "/nonexistent/run.csv: no such file" "message")
          } ]

[<Tests>]
let csvTests = testList "compose" [ tests ]
