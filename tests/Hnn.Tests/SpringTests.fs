module Hnn.Tests.SpringTests

open Expecto
open Hnn.Data
open Hnn.Systems

let private data = lazy (SpringRecipe().Generate())

[<Tests>]
let tests =
    testList
        "spring recipe"
        [ test "50 trajectories of 30 points split in order: 750 train rows, 750 test rows, 2 columns" {
              let d = data.Value
              Expect.equal (d.TrainX.Rows, d.TestX.Rows, d.TrainDx.Rows, d.TestDx.Rows) (750, 750, 750, 750) "rows"
              Expect.equal d.Dimension 2 "columns"
          }
          test "targets are the exact dynamics dq/dt = 2p, dp/dt = −2q at the clean states, noise σ = 0.1 on inputs only" {
              let d = data.Value
              let all = d.TrainX.Concat d.TestX
              let dx = d.TrainDx.Concat d.TestDx
              // For H = q² + p² the clean state is recovered from the target: q = −ṗ/2, p = q̇/2.
              let noise =
                  [| for i in 0 .. all.Rows - 1 do
                         yield all[i, 0] - (-dx[i, 1] / 2.0)
                         yield all[i, 1] - (dx[i, 0] / 2.0) |]
              let mean = Array.average noise
              let std = sqrt (Array.averageBy (fun v -> (v - mean) ** 2.0) noise)
              Expect.isLessThan (abs mean) 0.01 "noise is centred"
              Expect.floatClose { absolute = 0.006; relative = 0.0 } std 0.1 "noise std ≈ 0.1"
          }
          test "start radii lie in [0.1, 1.0] and cover the range; energy is constant along each clean trajectory" {
              let d = data.Value
              let dx = d.TrainDx.Concat d.TestDx
              let radii =
                  [| for k in 0..49 ->
                         let energies = [| for i in 0..29 -> let r = k * 30 + i in (dx[r, 0] / 2.0) ** 2.0 + (dx[r, 1] / 2.0) ** 2.0 |]
                         Expect.isLessThan (Array.max energies - Array.min energies) 1e-12 (sprintf "trajectory %d conserves H" k)
                         sqrt energies[0] |]
              Expect.isGreaterThanOrEqual (Array.min radii) 0.1 "smallest radius"
              Expect.isLessThanOrEqual (Array.max radii) 1.0 "largest radius"
              Expect.isLessThan (Array.min radii) 0.25 "small radii drawn"
              Expect.isGreaterThan (Array.max radii) 0.85 "large radii drawn"
          }
          test "the same seed gives the same data, another seed different data" {
              let a = SpringRecipe(Seed = 3).Generate()
              let b = SpringRecipe(Seed = 3).Generate()
              let c = SpringRecipe(Seed = 4).Generate()
              Expect.sequenceEqual a.TrainX.Values b.TrainX.Values "reproducible"
              Expect.notEqual a.TrainX.Values[0] c.TrainX.Values[0] "seeded"
          }
          test "the closed-form spring flow satisfies its own equations of motion (finite differences)" {
              let h = 1e-6
              let q0, p0, t = 0.4, -0.7, 1.3
              let struct (q1, p1) = MassSpring.Flow(q0, p0, t + h)
              let struct (q2, p2) = MassSpring.Flow(q0, p0, t - h)
              let struct (q, p) = MassSpring.Flow(q0, p0, t)
              Expect.floatClose Accuracy.medium ((q1 - q2) / (2.0 * h)) (2.0 * p) "dq/dt = 2p"
              Expect.floatClose Accuracy.medium ((p1 - p2) / (2.0 * h)) (-2.0 * q) "dp/dt = −2q"
          }
          test "a recipe with too few trajectories or a bad split is refused with a message naming the value" {
              Expect.throwsC (fun () -> SpringRecipe(Trajectories = 1).Generate() |> ignore) (fun e ->
                  Expect.stringContains e.Message "trajectories" "names it")
              Expect.throwsC (fun () -> SpringRecipe(TestFraction = 1.5).Generate() |> ignore) (fun e ->
                  Expect.stringContains e.Message "test fraction" "names it")
          } ]
