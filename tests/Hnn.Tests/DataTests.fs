/// Facts of the data recipes (sizes, splits, ranges, noise, conserved quantities of the generated orbits),
/// the strict parser of the real-pendulum file, the energy protocols and the dataset cache.
module Hnn.Tests.DataTests

open System
open System.IO
open Expecto
open Hnn.Data
open Hnn.Systems

let row (m: StateMatrix) i = m.Row(i).ToArray()

let energy (system: IHamiltonianSystem) (x: float[]) = system.Energy(ReadOnlySpan x)

/// All rows of train and test, in generation order for the train-first recipes.
let allRows (d: Dataset) = d.TrainX.Concat(d.TestX)

/// Largest |H(x_i) − H(x_0)| / max(1, |H(x_0)|) over each consecutive block of `points` rows.
let worstEnergyDrift (system: IHamiltonianSystem) (x: StateMatrix) (points: int) =
    [ for k in 0 .. x.Rows / points - 1 do
          let h0 = energy system (row x (k * points))
          for i in 1 .. points - 1 -> abs (energy system (row x (k * points + i)) - h0) / max 1.0 (abs h0) ]
    |> List.max

let std (xs: float[]) =
    let m = Array.average xs
    sqrt (Array.averageBy (fun x -> (x - m) ** 2.0) xs)

let tempDir () =
    let dir = Path.Combine(Path.GetTempPath(), "hnn-tests-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory dir |> ignore
    dir

let springAndPendulum =
    testList
        "spring and pendulum recipes"
        [ test "spring: 50 trajectories × 30 points split half/half give 750 train and 750 test rows" {
              let d = SpringRecipe().Generate()
              Expect.equal (d.TrainX.Rows, d.TestX.Rows, d.TrainDx.Rows, d.TestDx.Rows, d.Dimension) (750, 750, 750, 750, 2) "sizes"
          }
          test "pendulum: 50 trajectories × 45 points split half/half give 1125 train and 1125 test rows" {
              let d = PendulumRecipe().Generate()
              Expect.equal (d.TrainX.Rows, d.TestX.Rows, d.TrainDx.Rows, d.TestDx.Rows, d.Dimension) (1125, 1125, 1125, 1125, 2) "sizes"
          }
          test "pendulum: every trajectory starts at a radius in [1.3, 2.3]" {
              let x = allRows (PendulumRecipe(NoiseStd = 0.0).Generate())
              for k in 0..49 do
                  let s = row x (45 * k)
                  let r = sqrt (s[0] * s[0] + s[1] * s[1])
                  Expect.isTrue (r >= 1.3 && r <= 2.3) $"trajectory {k} starts at radius {r}"
          }
          test "pendulum: the input noise has standard deviation σ = 0.1 and the targets carry none" {
              let noisy = PendulumRecipe().Generate()
              let clean = PendulumRecipe(NoiseStd = 0.0).Generate()
              let diff = Array.map2 (-) (allRows noisy).Values (allRows clean).Values
              Expect.floatClose { absolute = 0.004; relative = 0.0 } (std diff) 0.1 "std of noisy − clean"
              Expect.floatClose { absolute = 0.006; relative = 0.0 } (Array.average diff) 0.0 "mean of noisy − clean"
              Expect.equal noisy.TrainDx.Values clean.TrainDx.Values "targets are the same with and without noise"
          }
          test "pendulum: targets are the exact dynamics dq/dt = 2p, dp/dt = −3 sin q at the clean states" {
              let d = PendulumRecipe(NoiseStd = 0.0).Generate()
              for i in 0 .. d.TrainX.Rows - 1 do
                  let x = row d.TrainX i
                  Expect.equal (row d.TrainDx i) [| 2.0 * x[1]; -3.0 * sin x[0] |] $"row {i}"
          }
          test "pendulum: the clean trajectories conserve H = 3(1 − cos q) + p² (integration and field agree)" {
              let x = allRows (PendulumRecipe(NoiseStd = 0.0).Generate())
              Expect.isLessThan (worstEnergyDrift Pendulum.Ideal x 45) 1e-8 "relative energy drift along each trajectory"
          }
          test "pendulum: the same seed gives the same data, another seed other data" {
              let a = PendulumRecipe(Trajectories = 4).Generate()
              Expect.equal (PendulumRecipe(Trajectories = 4).Generate().TrainX.Values) a.TrainX.Values "same seed"
              Expect.notEqual (PendulumRecipe(Trajectories = 4, Seed = 1).Generate().TrainX.Values) a.TrainX.Values "seed 1"
          } ]

let orbits =
    testList
        "orbit recipes"
        [ test "two-body: 1000 orbits × 50 points, first 20 % test, give 40 000 train and 10 000 test rows of dimension 8" {
              let d = TwoBodyRecipe().Generate()
              Expect.equal (d.TrainX.Rows, d.TestX.Rows, d.TrainDx.Rows, d.TestDx.Rows, d.Dimension) (40000, 10000, 40000, 10000, 8) "sizes"
              let first = Array.zeroCreate 8
              OrbitStarts.TwoBody(Sampling(0), Span first)
              Expect.equal (row d.TestX 0) first "the test set starts with the first orbit's start"
          }
          test "two-body: body 1 starts in [0.5, 1.5]², body 2 at its negative, moving opposite" {
              let d = TwoBodyRecipe(Orbits = 100).Generate()
              let x = d.TestX.Concat(d.TrainX)
              for k in 0..99 do
                  let s = row x (50 * k)
                  Expect.isTrue (s[0] >= 0.5 && s[0] <= 1.5 && s[2] >= 0.5 && s[2] <= 1.5) $"orbit {k}: body 1 at ({s[0]}, {s[2]})"
                  Expect.equal (s[1], s[3], s[5], s[7]) (-s[0], -s[2], -s[4], -s[6]) $"orbit {k}: body 2 mirrors body 1"
          }
          test "two-body: total momentum stays zero along every orbit" {
              let d = TwoBodyRecipe(Orbits = 100).Generate()
              let x = d.TestX.Concat(d.TrainX)
              for i in 0 .. x.Rows - 1 do
                  let struct (px, py) = NBody.TwoBody.TotalMomentum(x.Row i)
                  Expect.isLessThan (abs px + abs py) 1e-12 $"row {i}"
          }
          test "two-body: energy is conserved along each generated orbit and targets are the exact field" {
              let d = TwoBodyRecipe(Orbits = 100).Generate()
              let x = d.TestX.Concat(d.TrainX)
              Expect.isLessThan (worstEnergyDrift NBody.TwoBody x 50) 1e-6 "relative energy drift"
              let dx = Array.zeroCreate 8
              NBody.TwoBody.TimeDerivative(d.TrainX.Row 7, Span dx)
              Expect.equal (row d.TrainDx 7) dx "target of row 7"
          }
          test "two-body: with no velocity noise every orbit is circular (constant separation)" {
              let d = TwoBodyRecipe(Orbits = 20, VelocityNoise = 0.0).Generate()
              let x = d.TestX.Concat(d.TrainX)
              for k in 0..19 do
                  let sep i = let s = row x (50 * k + i) in sqrt ((s[0] - s[1]) ** 2.0 + (s[2] - s[3]) ** 2.0)
                  for i in 1..49 do
                      Expect.floatClose { absolute = 1e-6; relative = 1e-6 } (sep i) (sep 0) $"orbit {k}, point {i}"
          }
          test "three-body: 5000 orbits × 20 points, first 20 % test, give 80 000 train and 20 000 test rows of dimension 12" {
              let r = ThreeBodyRecipe()
              Expect.equal (r.Orbits, r.Points, r.TimeSpan, r.TestFraction) (5000, 20, 5.0, 0.2) "the paper's defaults"
              let d = ThreeBodyRecipe(Orbits = 500).Generate()
              Expect.equal (d.TrainX.Rows, d.TestX.Rows, d.Dimension) (8000, 2000, 12) "500 orbits: 8000 / 2000"
          }
          test "three-body: bodies start on a circle of radius in [0.9, 1.2], 120° apart, centre of mass at the origin" {
              let d = ThreeBodyRecipe(Orbits = 100).Generate()
              let x = d.TestX.Concat(d.TrainX)
              for k in 0..99 do
                  let s = row x (20 * k)
                  let radii = [ for b in 0..2 -> sqrt (s[b] ** 2.0 + s[3 + b] ** 2.0) ]
                  Expect.isTrue (radii.Head >= 0.9 && radii.Head <= 1.2) $"orbit {k}: radius {radii.Head}"
                  for r in radii do
                      Expect.floatClose Accuracy.veryHigh r radii.Head "equal radii"
                  Expect.isLessThan (abs (s[0] + s[1] + s[2]) + abs (s[3] + s[4] + s[5])) 1e-12 "centre of mass at the origin"
          }
          test "three-body: energy is conserved along each generated orbit" {
              let d = ThreeBodyRecipe(Orbits = 200).Generate()
              let x = d.TestX.Concat(d.TrainX)
              Expect.isLessThan (worstEnergyDrift NBody.ThreeBody x 20) 1e-5 "relative energy drift"
          } ]

let protocols =
    testList
        "energy protocols"
        [ test "spring and pendulum: 15 starts with every coordinate in ±[0.2, 1], t ∈ [0, 20] at 100 points" {
              for p in [ EnergyProtocol.Spring(); EnergyProtocol.Pendulum() ] do
                  Expect.equal (p.InitialStates.Rows, p.InitialStates.Columns) (15, 2) p.Name
                  for v in p.InitialStates.Values do
                      Expect.isTrue (abs v >= 0.2 && abs v <= 1.0) $"{p.Name}: coordinate {v}"
                  Expect.equal (p.Times.Length, p.Times[0], p.Times[99]) (100, 0.0, 20.0) "times"
              Expect.equal (EnergyProtocol.Pendulum().System.Name) "pendulum" "the ideal pendulum"
          }
          test "two-body and three-body: 15 orbits, orbit k is the first start of seed k" {
              let two = EnergyProtocol.TwoBody()
              let three = EnergyProtocol.ThreeBody()
              Expect.equal
                  (two.InitialStates.Rows, two.InitialStates.Columns, two.Times.Length, two.Times[499])
                  (15, 8, 500, 25.0)
                  "two-body"
              Expect.equal
                  (three.InitialStates.Rows, three.InitialStates.Columns, three.Times.Length, three.Times[499])
                  (15, 12, 500, 3.0)
                  "three-body"
              for k in 0..14 do
                  let first = Array.zeroCreate 8
                  OrbitStarts.TwoBody(Sampling(k), Span first)
                  Expect.equal (row two.InitialStates k) first $"two-body orbit {k}"
                  let d = TwoBodyRecipe(Orbits = 1, Seed = k).Generate()
                  Expect.equal (row d.TestX 0) first $"is the start of the seed-{k} recipe"
          }
          test "real pendulum: starts at the first test state and runs over the test times" {
              let p = EnergyProtocol.RealPendulum(RealPendulumRecipe())
              let d = RealPendulumRecipe().Generate()
              Expect.equal (row p.InitialStates 0) (row d.TestX 0) "first test state"
              Expect.equal p.Times.Length d.TestX.Rows "one time per test row"
              Expect.equal p.System.Name "real-pendulum" "H = 2.4(1 − cos q) + p²"
              Expect.isSome (Option.ofObj p.Measured) "the measured test trajectory is attached"
          } ]

let realPendulum =
    testList
        "real pendulum"
        [ test "the vendored file is found beside Hnn.Core and matches its recorded sha256" {
              Expect.isTrue (File.Exists LipsonData.DefaultPath) LipsonData.DefaultPath
              let data = LipsonData.LoadDefault()
              Expect.equal data.Rows 556 "556 rows"
              Expect.equal data.Time[0] 5.0 "t from 5.0 s"
              Expect.floatClose Accuracy.high (data.Time[1] - data.Time[0]) (1.0 / 6.0) "Δt = 1/6 s"
              Expect.floatClose
                  Accuracy.high
                  data.Time[555]
                  99.5
                  "the last row at 99.5 s: some samples are missing, so Δt is not always 1/6"
          }
          test "555 usable rows split as test = rows [444, 555), train = the 444 others" {
              let d = RealPendulumRecipe().Generate()
              Expect.equal (d.TrainX.Rows, d.TestX.Rows, d.TrainDx.Rows, d.TestDx.Rows) (444, 111, 444, 111) "sizes"
              let data = LipsonData.LoadDefault()
              Expect.equal (row d.TestX 0) [| data.Angle[444]; data.AngularVelocity[444] |] "test starts at row 444"
              Expect.equal (row d.TestX 110) [| data.Angle[554]; data.AngularVelocity[554] |] "the last row (555) is dropped"
          }
          test "targets are forward differences (x[i+1] − x[i]) / (t[i+1] − t[i])" {
              let d = RealPendulumRecipe().Generate()
              let data = LipsonData.LoadDefault()
              for i in [ 0; 100; 443 ] do
                  let dt = data.Time[i + 1] - data.Time[i]
                  Expect.equal
                      (row d.TrainDx i)
                      [| (data.Angle[i + 1] - data.Angle[i]) / dt; (data.AngularVelocity[i + 1] - data.AngularVelocity[i]) / dt |]
                      $"row {i}"
          }
          test "the split keeps a middle test span when the fractions say so: train = rows before and after it" {
              let d = RealPendulumRecipe(TestStart = 0.5, TestFraction = 0.2).Generate()
              Expect.equal (d.TrainX.Rows, d.TestX.Rows) (555 - 111, 111) "sizes"
              let data = LipsonData.LoadDefault()
              Expect.equal (row d.TestX 0) [| data.Angle[277]; data.AngularVelocity[277] |] "test starts at ⌊0.5·555⌋ = 277"
              Expect.equal (row d.TrainX 277) [| data.Angle[388]; data.AngularVelocity[388] |] "train resumes after the test span"
          }
          test "the test trajectory holds the test rows and their times" {
              let t = RealPendulumRecipe().TestTrajectory()
              Expect.equal t.Times.Length 111 "111 times"
              let data = LipsonData.LoadDefault()
              Expect.equal t.Times data.Time[444..554] "times of rows 444..554"
              Expect.equal (row t.States 0) [| data.Angle[444]; data.AngularVelocity[444] |] "state of row 444"
          }
          test "an altered copy loaded with the recorded sha256 is refused, naming the file and the hash" {
              let dir = tempDir ()
              let path = Path.Combine(dir, "real_pend_h_1.txt")
              let bytes = File.ReadAllBytes LipsonData.DefaultPath
              bytes[100] <- if bytes[100] = byte '1' then byte '2' else byte '1'
              File.WriteAllBytes(path, bytes)
              let e = Expect.throwsC (fun () -> LipsonData.Load(path, LipsonData.DefaultSha256) |> ignore) id
              Expect.isTrue (e :? DataFileException) "a DataFileException"
              Expect.stringContains e.Message path "names the file"
              Expect.stringContains e.Message "sha256" "says the hash differs"
              Expect.equal (LipsonData.Load(path).Rows) 556 "without an expected hash it still parses"
              Directory.Delete(dir, true)
          } ]

let goodRow (t: float) = $"  0.0  {t:R}  1.0  -0.5 "

/// Writes `text` to a temporary file named `name`, parses it, and returns the DataFileException it must raise.
let parseError (name: string) (text: string) =
    let dir = tempDir ()
    let path = Path.Combine(dir, name)
    File.WriteAllText(path, text)
    try
        try
            LipsonData.Load(path) |> ignore
            failtestf "%s parsed without error" name
            Unchecked.defaultof<DataFileException>
        with :? DataFileException as e ->
            e
    finally
        Directory.Delete(dir, true)

let parser =
    let lines (rows: string list) = String.Join("\r\n", "%o v" :: rows) + "\r\n"
    let expectAt (e: DataFileException) (name: string) (line: int) (fragment: string) =
        Expect.stringContains e.Message $"{name}:{line}:" "names the file and the 1-based line"
        Expect.equal e.Line (Nullable line) "line"
        Expect.stringContains e.Message fragment "states the problem"
    testList
        "real-pendulum parser"
        [ test "a well-formed file with CRLF line ends parses" {
              let d = LipsonData.Parse(lines [ goodRow 5.0; goodRow 5.5; goodRow 6.0 ], "ok.txt")
              Expect.equal d.Time [| 5.0; 5.5; 6.0 |] "times"
              Expect.equal d.AngularVelocity [| -0.5; -0.5; -0.5 |] "v"
          }
          test "a row with 3 numbers is refused: wrong column count" {
              let e = parseError "three.txt" (lines [ goodRow 5.0; "  0.0  5.5  1.0"; goodRow 6.0 ])
              expectAt e "three.txt" 3 "expected 4 columns"
          }
          test "a row with 5 numbers is refused: wrong column count" {
              let e = parseError "five.txt" (lines [ goodRow 5.0; goodRow 5.5; "0 6 1 2 3" ])
              expectAt e "five.txt" 4 "found 5"
          }
          test "a non-numeric cell is refused, naming its column" {
              let e = parseError "word.txt" (lines [ goodRow 5.0; "  0.0  5.5  abc  -0.5" ])
              expectAt e "word.txt" 3 "column 3 (o) is not a number: 'abc'"
          }
          test "a decimal comma is refused (invariant culture)" {
              let e = parseError "comma.txt" (lines [ goodRow 5.0; "  0.0  5.5  1,5  -0.5" ])
              expectAt e "comma.txt" 3 "column 3 (o)"
          }
          test "NaN and infinite values are refused" {
              expectAt (parseError "nan.txt" (lines [ goodRow 5.0; "  0.0  5.5  1.0  NaN" ])) "nan.txt" 3 "column 4 (v) is NaN"
              expectAt (parseError "inf.txt" (lines [ "  0.0  Infinity  1.0  0.0"; goodRow 5.5 ])) "inf.txt" 2 "column 2 (t) is Infinity"
              expectAt (parseError "big.txt" (lines [ goodRow 5.0; "  0.0  5.5  1e999  0.0" ])) "big.txt" 3 "NaN or infinite"
          }
          test "a time that does not increase is refused" {
              let e = parseError "time.txt" (lines [ goodRow 5.0; goodRow 5.5; goodRow 5.5 ])
              expectAt e "time.txt" 4 "time 5.5 does not increase"
          }
          test "a wrong header is refused on line 1" {
              let e = parseError "header.txt" (String.Join("\n", [ "%t o v"; goodRow 5.0; goodRow 5.5 ]))
              expectAt e "header.txt" 1 "expected the header line '%o v'"
          }
          test "an empty file, a header-only file and a file of one row are refused as truncated" {
              for name, text in [ "empty.txt", ""; "header.txt", "%o v\r\n"; "one.txt", lines [ goodRow 5.0 ] ] do
                  let e = parseError name text
                  Expect.stringContains e.Message name "names the file"
                  Expect.stringContains e.Message "truncated" $"{name}: says truncated"
          }
          test "a file cut in the middle of its last row is refused" {
              let text = lines [ goodRow 5.0; goodRow 5.5 ] + "  0.0  6.0  1.0"
              expectAt (parseError "cut.txt" text) "cut.txt" 4 "expected 4 columns"
          }
          test "a blank line inside the data is refused; trailing blank lines are not" {
              expectAt (parseError "blank.txt" (lines [ goodRow 5.0; ""; goodRow 5.5 ])) "blank.txt" 3 "blank line"
              Expect.equal (LipsonData.Parse(lines [ goodRow 5.0; goodRow 5.5 ] + "\r\n\r\n", "t").Rows) 2 "trailing blank lines"
          }
          test "a missing file is refused, naming it" {
              let e = Expect.throwsC (fun () -> LipsonData.Load("/nonexistent/real.txt") |> ignore) id
              Expect.stringContains e.Message "/nonexistent/real.txt: no such file" "names the file"
          } ]

let cache =
    let small = PendulumRecipe(Trajectories = 4, Points = 10)
    let counting () =
        let calls = ref 0
        calls,
        (fun (r: PendulumRecipe) ->
            calls.Value <- calls.Value + 1
            r.Generate())
    testList
        "dataset cache"
        [ test "a miss generates and stores; a hit returns identical data without generating" {
              let dir = tempDir ()
              let calls, generate = counting ()
              let first = DatasetCache.GetOrCreate(dir, small, generate)
              let second = DatasetCache.GetOrCreate(dir, small, generate)
              Expect.equal calls.Value 1 "generated once"
              Expect.isTrue (File.Exists(DatasetCache.PathFor(dir, small))) "file written"
              Expect.equal second.Name first.Name "name"
              for a, b in
                  [ first.TrainX, second.TrainX; first.TrainDx, second.TrainDx; first.TestX, second.TestX; first.TestDx, second.TestDx ] do
                  Expect.equal (b.Rows, b.Columns) (a.Rows, a.Columns) "shape"
                  Expect.equal b.Values a.Values "values, bit for bit"
              Directory.Delete(dir, true)
          }
          test "a changed recipe never reuses the old file" {
              let dir = tempDir ()
              let calls, generate = counting ()
              DatasetCache.GetOrCreate(dir, small, generate) |> ignore
              let other = PendulumRecipe(Trajectories = 4, Points = 10, Seed = 1)
              Expect.notEqual (DatasetCache.KeyOf other) (DatasetCache.KeyOf small) "different keys"
              let d = DatasetCache.GetOrCreate(dir, other, generate)
              Expect.equal calls.Value 2 "generated again"
              Expect.equal d.TrainX.Values (other.Generate().TrainX.Values) "the new recipe's data"
              Directory.Delete(dir, true)
          }
          test "a corrupted byte, a truncated file and another recipe's file are detected, deleted and rebuilt" {
              let dir = tempDir ()
              let path = DatasetCache.PathFor(dir, small)
              let calls, generate = counting ()
              let expected = DatasetCache.GetOrCreate(dir, small, generate)
              let damage (name: string) (change: unit -> unit) (fragment: string) =
                  change ()
                  let log = Collections.Generic.List<string>()
                  let before = calls.Value
                  let d = DatasetCache.GetOrCreate(dir, small, generate, Action<string>(fun l -> log.Add l))
                  Expect.equal calls.Value (before + 1) $"{name}: rebuilt"
                  Expect.equal d.TrainX.Values expected.TrainX.Values $"{name}: right data"
                  Expect.exists log (fun l -> l.Contains fragment && l.Contains path) $"{name}: logged '{fragment}' with the path: %A{log}"
                  Expect.equal (DatasetCache.Read(path, small).TrainX.Values) expected.TrainX.Values $"{name}: a good file is back"
                  Expect.equal (Directory.GetFiles dir) [| path |] $"{name}: the atomic write leaves no temporary file"
              damage
                  "flipped byte"
                  (fun () ->
                      let b = File.ReadAllBytes path
                      b[b.Length / 2] <- b[b.Length / 2] ^^^ 1uy
                      File.WriteAllBytes(path, b))
                  "checksum mismatch"
              damage
                  "truncated"
                  (fun () ->
                      let b = File.ReadAllBytes path
                      File.WriteAllBytes(path, b[.. b.Length - 100]))
                  "checksum mismatch"
              damage "empty" (fun () -> File.WriteAllBytes(path, [||])) "bad magic"
              damage
                  "other recipe"
                  (fun () ->
                      let other = PendulumRecipe(Trajectories = 4, Points = 10, Seed = 5)
                      DatasetCache.Write(path, other, other.Generate()))
                  "another recipe"
              Directory.Delete(dir, true)
          }
          test "reading a damaged file directly raises DataFileException naming it" {
              let dir = tempDir ()
              let path = Path.Combine(dir, "x.dataset")
              File.WriteAllText(path, "not a dataset")
              let e = Expect.throwsC (fun () -> DatasetCache.Read(path, small) |> ignore) id
              Expect.isTrue (e :? DataFileException) "type"
              Expect.stringContains e.Message path "names the file"
              Directory.Delete(dir, true)
          } ]

[<Tests>]
let tests = testList "data" [ springAndPendulum; orbits; protocols; realPendulum; parser; cache ]
