/// Laws of the pixel-pendulum task: Gym's physics, the anti-aliased renderer, the pair dataset and its cache, the
/// autoencoder's residual structure, the combined loss, short training, latent rollouts and the pictures.
module Hnn.Tests.PixelTests

open System
open System.IO
open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn.Models
open Hnn.Pixels
open SixLabors.ImageSharp
open TorchSharp

let private renderer = PendulumRenderer()

/// Brightness-weighted centre of a frame relative to the pivot (image centre), in pixels: x right, y down.
let private massCentre (frame: float32[]) =
    let side = renderer.Side
    let mutable sx, sy, s = 0.0, 0.0, 0.0
    for r in 0 .. side - 1 do
        for c in 0 .. side - 1 do
            let v = float frame[r * side + c]
            sx <- sx + v * (float c + 0.5 - float side / 2.0)
            sy <- sy + v * (float r + 0.5 - float side / 2.0)
            s <- s + v
    sx / s, sy / s, s

let private small = PixelPendulumRecipe(Trials = 10, FramesPerTrial = 13, Seed = 3)
let private smallData = lazy (small.Generate())


let private trainingData = lazy (PixelPendulumRecipe(Trials = 12, FramesPerTrial = 43, Seed = 1).Generate())

/// A small pixel HNN (hidden 100) after 150 steps on 12 trials, with its training record.
let private trained =
    lazy
        (let model = PixelHnn.Create(ModelKind.Hnn, 0, hiddenDim = 100)
         let settings = Hnn.Training.TrainSettings(Steps = 150, WeightDecay = 1e-5, BatchSize = 100, Threads = 1)
         model, PixelTrainer.Train(model, trainingData.Value, settings, testEvery = 50))

let physics =
    testList
        "pixel physics"
        [ test "one step is semi-implicit Euler of θ̈ = −(3g/2l) sin θ: speed first, then position with the new speed" {
              for theta, thetaDot in [ 0.3, -0.5; -2.0, 1.5; 0.0, 0.0; 3.0, 7.9 ] do
                  let struct (q, v) = GymPendulum.Step(theta, thetaDot)
                  let v' = thetaDot - 15.0 * sin theta * 0.05
                  Expect.floatClose Accuracy.veryHigh v (max -8.0 (min 8.0 v')) "θ̇ ← θ̇ + θ̈·dt (clipped)"
                  Expect.floatClose Accuracy.veryHigh q (theta + v' * 0.05) "θ ← θ + θ̇·dt with the new θ̇"
          }
          test "the angular speed is clipped to ±8" {
              let struct (_, v) = GymPendulum.Step(-1.5, 7.99)
              let struct (_, w) = GymPendulum.Step(1.5, -7.99)
              Expect.equal (v, w) (8.0, -8.0) "clipped both ways"
          }
          test
              "semi-implicit Euler keeps the energy error bounded: within 15 % (of order ω·dt ≈ 0.19) over 2000 steps and no drift from the first 100 to the last 100" {
              let energies =
                  Array.scan (fun struct (q, v) _ -> GymPendulum.Step(q, v)) (struct (0.4, 0.5)) [| 1..2000 |]
                  |> Array.map (fun struct (q, v) -> GymPendulum.Energy(q, v))
              let e0 = energies[0]
              Expect.all energies (fun e -> abs (e - e0) / e0 < 0.15) "bounded"
              let early, late = Array.average energies[..99], Array.average energies[1901..]
              Expect.isLessThan (abs (late - early) / early) 0.01 "no secular drift"
          } ]

let rendering =
    testList
        "pixel renderer"
        [ test "the same angle gives the same frame, every value is in [0, 1], and the rod's edge is anti-aliased" {
              let a = renderer.Render 0.7
              Expect.sequenceEqual a (renderer.Render 0.7) "deterministic"
              Expect.all a (fun v -> v >= 0.0f && v <= 1.0f) "values in [0, 1]"
              Expect.isGreaterThan
                  (a |> Array.filter (fun v -> v > 0.05f && v < 0.95f) |> Array.length)
                  10
                  "partly covered pixels at the edge"
              Expect.exists a (fun v -> v = 1.0f) "fully covered pixels inside the rod"
          }
          test "the total brightness is the capsule's area l·w + π(w/2)² in pixels, to the supersampling's resolution" {
              let pixel = 2.0 * renderer.HalfView / float renderer.Side
              let area = (1.0 * 0.2 + Math.PI * 0.01) / (pixel * pixel)
              // Each sample stands for 1/n of a pixel across the edge: at most half of that along the whole perimeter.
              let perimeter = (2.0 * 1.0 + 2.0 * Math.PI * 0.1) / pixel
              let resolution = perimeter / (2.0 * float renderer.Supersampling)
              for theta in [ 0.0; 0.3; 1.0; 2.5; -1.7 ] do
                  let _, _, total = massCentre (renderer.Render theta)
                  Expect.isLessThanOrEqual (abs (total - area)) resolution $"θ = {theta}: {total} vs {area}"
          }
          test "hanging (θ = 0) the rod points straight down from the image centre" {
              let x, y, _ = massCentre (renderer.Render 0.0)
              Expect.floatClose { absolute = 1e-6; relative = 0.0 } x 0.0 "centred horizontally"
              Expect.isGreaterThan y 4.0 "below the pivot"
          }
          testPropertyWithConfig
              propertyConfig
              "the bright mass centre rotates with θ: it sits at angle θ from straight down, half a rod length from the pivot"
          <| fun () ->
              let angles = Gen.choose (-3140, 3140) |> Gen.map (fun k -> float k / 1000.0) |> Arb.fromGen
              Prop.forAll angles (fun theta ->
                  let x, y, _ = massCentre (renderer.Render theta)
                  let pixels = float renderer.Side / (2.0 * renderer.HalfView)
                  let angle = atan2 x y
                  let distance = sqrt (x * x + y * y) / pixels
                  abs (angle - theta) < 0.03 && abs (distance - 0.5) < 0.03) ]

let dataset =
    testList
        "pixel dataset"
        [ test "10 trials × 13 frames give 10 samples per trial, the first 2 trials test: 80 train and 20 test pairs of 1568 numbers" {
              let d = smallData.Value
              Expect.equal (d.TrainSamples, d.TestSamples, d.PairDimension, d.TestTrials) (80, 20, 1568, 2) "sizes"
              let paper = PixelPendulumRecipe()
              Expect.equal (paper.TestTrials, (paper.FramesPerTrial - 3) * paper.Trials) (40, 20000) "paper: 40 test trials, 20 000 samples"
          }
          test "a sample is the pair of frames (s + 1, s + 2) and its next pair (s + 2, s + 3)" {
              let d = smallData.Value
              use frames = d.SplitFrames(false)
              let struct (x, next) = d.Pairs(frames, ReadOnlySpan [| 0L; 13L |])
              use x = x
              use next = next
              let rows (t: torch.Tensor) = t.data<float32>().ToArray() |> Array.chunkBySize 1568
              let trial = d.TestTrials + 1 // sample 13 is trial 1 of the train split, s = 3
              let xs, nexts = rows x, rows next
              Expect.sequenceEqual xs[1] (Array.append (d.Frame(trial, 4).ToArray()) (d.Frame(trial, 5).ToArray())) "x = frames 4, 5"
              Expect.sequenceEqual nexts[1] (Array.append (d.Frame(trial, 5).ToArray()) (d.Frame(trial, 6).ToArray())) "next = frames 5, 6"
              Expect.sequenceEqual xs[0] (d.Pair(d.TestTrials, 1)) "sample 0 of the train split: frames 1, 2 of its first trial"
          }
          test "trials start with |θ| < π/6 and |θ̇| ≤ 1, keep p = 0.25·θ̇, follow Gym's step, and show the rendered θ" {
              let d = smallData.Value
              for k in 0 .. d.Trials - 1 do
                  let struct (q0, p0) = d.Coordinate(k, 0)
                  Expect.isLessThan (abs q0) (Math.PI / 6.0) "start angle"
                  Expect.isLessThanOrEqual (abs (4.0 * p0)) 1.0 "start speed"
                  for i in 0 .. d.FramesPerTrial - 2 do
                      let struct (q, p) = d.Coordinate(k, i)
                      let struct (q', v') = GymPendulum.Step(q, 4.0 * p)
                      let struct (qn, pn) = d.Coordinate(k, i + 1)
                      Expect.floatClose Accuracy.veryHigh qn q' "θ follows the step"
                      Expect.floatClose Accuracy.veryHigh pn (0.25 * v') "p = 0.25·θ̇"
                  Expect.sequenceEqual
                      (d.Frame(k, 5).ToArray())
                      (renderer.Render(let struct (q, _) = d.Coordinate(k, 5) in q))
                      "frame = render θ"
          }
          test "the same seed gives the same data, another seed other data" {
              Expect.sequenceEqual (small.Generate().Frames) smallData.Value.Frames "same seed"
              Expect.notEqual
                  (PixelPendulumRecipe(Trials = 10, FramesPerTrial = 13, Seed = 4).Generate().Coordinates)
                  smallData.Value.Coordinates
                  "other seed"
          }
          test "simulating from a trial's state reproduces its frames and coordinates" {
              let d = smallData.Value
              let struct (q, p) = d.Coordinate(1, 2)
              let path = PendulumPath.Simulate(q, 4.0 * p, 10, renderer)
              for i in 0..10 do
                  Expect.sequenceEqual (path.Frame(i).ToArray()) (d.Frame(1, i + 2).ToArray()) $"frame {i + 2}"
          }
          test "the cache returns the same data, and rebuilds a corrupt file instead of using it" {
              let dir = temporaryFolder "pixel-tests"
              let first = PixelDatasetCache.GetOrCreate(dir, small)
              let path = PixelDatasetCache.PathFor(dir, small)
              let again = PixelDatasetCache.GetOrCreate(dir, small)
              Expect.sequenceEqual again.Frames first.Frames "frames read back"
              Expect.sequenceEqual again.Coordinates first.Coordinates "coordinates read back"
              let bytes = File.ReadAllBytes path
              bytes[bytes.Length / 2] <- bytes[bytes.Length / 2] ^^^ 1uy
              File.WriteAllBytes(path, bytes)
              let log = Collections.Generic.List<string>()
              let rebuilt = PixelDatasetCache.GetOrCreate(dir, small, Action<string> log.Add)
              Expect.exists log (fun l -> l.Contains "checksum") "the corruption is reported"
              Expect.sequenceEqual rebuilt.Frames first.Frames "rebuilt data"
              Expect.throwsT<Hnn.Data.DataFileException>
                  (fun () -> PixelDatasetCache.Read(path, PixelPendulumRecipe(Trials = 11)) |> ignore)
                  "another recipe's key is refused"
          } ]

let models =
    testList
        "pixel models"
        [ test "the autoencoder maps 1568 → 2 → 1568 and its encoder is h₁ = σ(W₁x), h₂ = h₁ + σ(W₂h₁), h₃ = h₂ + σ(W₃h₂), z = W₄h₃" {
              let model = PixelHnn.Create(ModelKind.Hnn, 5)
              use x = torch.rand (7L, 1568L)
              use z = model.Encode x
              use back = model.Decode z
              Expect.equal (z.shape, back.shape) ([| 7L; 2L |], [| 7L; 1568L |]) "shapes"
              let p = dict [ for struct (name, t) in model.Autoencoder.named_parameters () -> name, t ]
              let layer i (h: torch.Tensor) = torch.nn.functional.linear (h, p[$"encoder{i}.weight"], p[$"encoder{i}.bias"])
              let relu (t: torch.Tensor) = torch.nn.functional.relu t
              use manual =
                  let h1 = relu (layer 1 x)
                  let h2 = h1 + relu (layer 2 h1)
                  let h3 = h2 + relu (layer 3 h2)
                  layer 4 h3
              Expect.isLessThan ((manual - z).abs().max().item<float32>()) 1e-5f "residual encoder"
          }
          test "the loss per sample is autoencoder MSE + (ẇ − (w' − w))² + 0.1 · mean((z' − z − f(z))²)" {
              let model = PixelHnn.Create(ModelKind.Baseline, 6)
              model.eval ()
              use x = torch.rand (5L, 1568L)
              use next = torch.rand (5L, 1568L)
              use total = PixelLoss.Total(model, x, next, false)
              use z = model.Encode x
              use z' = model.Encode next
              use ae = (x - model.Decode z).square().mean([| 1L |])
              use cc = (z.select (1, 1L) - (z'.select (1, 0L) - z.select (1, 0L))).square()
              use dyn = (z' - z - model.LatentDerivative(z, false)).square().mean([| 1L |])
              use manual = ae + cc + 0.1 * dyn
              Expect.isLessThan ((manual - total).abs().max().item<float32>()) 1e-6f "the combined loss"
              Expect.equal total.shape [| 5L |] "one value per sample"
          }
          test "150 steps on 12 trials lower the pixel HNN's loss by more than 5×, and the split losses are finite" {
              let _, result = trained.Value
              Expect.equal result.TrainLoss.Length 151 "steps 0..150 recorded"
              Expect.isLessThan (float result.TrainLoss[150]) (0.2 * float result.TrainLoss[0]) "loss falls"
              Expect.isFalse (Double.IsNaN(float result.TestLoss[50])) "test minibatch at step 50"
              Expect.isTrue (Double.IsNaN(float result.TestLoss[51])) "not at step 51"
              Expect.isLessThan result.FinalTest.Total.Mean 0.05 "test loss"
              Expect.floatClose
                  { absolute = 1e-6; relative = 1e-3 }
                  result.FinalTrain.Total.Mean
                  (result.FinalTrain.Autoencoder + result.FinalTrain.Canonical + 0.1 * result.FinalTrain.Latent)
                  "total = sum of the terms"
          } ]

let rollouts =
    testList
        "pixel rollouts"
        [ test "a cubic canonical map recovers an exact cubic relation between codes and coordinates" {
              let rng = Random 1
              let z = Array.init 400 (fun _ -> rng.NextDouble() * 2.0 - 1.0)
              let target = Array.init 400 (fun i -> if i % 2 = 0 then 0.5 * z[i] - z[i + 1] ** 3.0 + 0.1 else z[i - 1] * z[i] + 2.0)
              let map = CanonicalMap.Fit(ReadOnlySpan z, ReadOnlySpan target)
              let struct (r2q, r2p) = map.RSquared(ReadOnlySpan z, ReadOnlySpan target)
              Expect.floatClose { absolute = 1e-8; relative = 0.0 } r2q 1.0 "θ exactly"
              Expect.floatClose { absolute = 1e-8; relative = 0.0 } r2p 1.0 "p exactly"
          }
          test "the evaluation protocol gives finite metrics, and the HNN keeps its learned energy within 5 % of its spread" {
              let model, _ = trained.Value
              let data = trainingData.Value
              let m = PixelEvaluation.Evaluate(model, data, 40)
              Expect.equal (m.Path.Count, m.Path.Steps) (data.TestTrials, 40) "one path per test trial"
              for e in [ m.EnergyMse; m.RolloutMse; m.EnergyDrift ] do
                  Expect.isFalse (Double.IsNaN e.Mean || Double.IsInfinity e.Mean) "finite"
              Expect.isNotNull m.LearnedEnergyDrift "the HNN has a learned energy"
              Expect.isLessThan (nonNull m.LearnedEnergyDrift).Mean 0.05 "the learned H is conserved along its own flow"
          }
          test "adding energy half way leaves the path before it alone and scales the code about the rest code there" {
              let model, _ = trained.Value
              let start = PixelEvaluation.Starts(model, trainingData.Value)[0..1]
              let rest = PixelEvaluation.RestCode(model, renderer)
              let plain = LatentPath.Run(model, start, 20)
              let boosted = LatentPath.Run(model, start, 20, 10, 1.5, rest)
              for i in 0..9 do
                  Expect.equal (boosted.Code(0, i)) (plain.Code(0, i)) $"step {i} unchanged"
              let struct (q, v) = plain.Code(0, 10)
              let struct (qb, vb) = boosted.Code(0, 10)
              Expect.floatClose Accuracy.veryHigh qb (rest[0] + 1.5 * (q - rest[0])) "position pushed away from rest"
              Expect.floatClose Accuracy.veryHigh vb (rest[1] + 1.5 * (v - rest[1])) "velocity pushed away from rest"
              Expect.notEqual (boosted.Code(0, 15)) (plain.Code(0, 15)) "the path differs afterwards"
          }
          test "the true pendulum with energy added half way swings wider afterwards" {
              let plain = PendulumPath.Simulate(0.3, 0.0, 80, renderer)
              let boosted = PendulumPath.Simulate(0.3, 0.0, 80, renderer, 40, 1.5)
              Expect.sequenceEqual boosted.Theta[..39] plain.Theta[..39] "the same before"
              let energy (p: PendulumPath) i = GymPendulum.Energy(p.Theta[i], p.ThetaDot[i])
              Expect.isGreaterThan (energy boosted 60 / energy plain 60) 2.0 "about 1.5² times the energy after"
          }
          test "the GIF has one frame per time and the PNG strip one row per panel; both decode" {
              let dir = temporaryFolder "pixel-tests"
              let frames k = [| for i in 0..20 -> renderer.Render(0.1 * float (i + k)) |]
              let panels: Hnn.FramePanel list =
                  [ { Label = "true"; Frames = frames 0 }
                    { Label = "baseline"; Frames = frames 1 }
                    { Label = "hnn"; Frames = frames 2 } ]
              let gif = Path.Combine(dir, "a.gif")
              let png = Path.Combine(dir, "a.png")
              Hnn.FramePictures.writeGif gif 28 4 (sprintf "t %d") panels
              Hnn.FramePictures.writePngStrip png 28 3 5 panels
              use g = Image.Load gif
              Expect.equal g.Frames.Count 21 "21 frames"
              Expect.equal
                  (g.Width, g.Height)
                  (6 + 3 * (112 + 6), 6 + 16 + 112 + 6 + 16)
                  "three 112-pixel panels with margins and label bands"
              use p = Image.Load png
              Expect.equal (p.Width, p.Height) (6 + 5 * (84 + 2) - 2 + 6, 6 + 3 * (16 + 84 + 6)) "five columns, three rows"
          } ]

[<Tests>]
let tests = testList "pixel" [ physics; rendering; dataset; models; rollouts ]
