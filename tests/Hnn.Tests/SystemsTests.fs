/// Laws of the physical systems: each field is the symplectic gradient of its energy (checked against finite
/// differences), Newton's third law holds, batched and single-state derivatives agree, a circular orbit stays circular.
module Hnn.Tests.SystemsTests

open System
open Expecto
open Hnn.Systems
open Hnn.Integrators

/// Central finite-difference gradient of the energy, step h.
let energyGradient (system: IHamiltonianSystem) (x: float[]) =
    let h = 1e-6
    Array.init x.Length (fun k ->
        let plus = Array.copy x
        let minus = Array.copy x
        plus[k] <- plus[k] + h
        minus[k] <- minus[k] - h
        (system.Energy(ReadOnlySpan plus) - system.Energy(ReadOnlySpan minus)) / (2.0 * h))

/// dq/dt = ∂H/∂p, dp/dt = −∂H/∂q from the energy gradient, state x = (q, p).
let symplecticGradient (grad: float[]) =
    let m = grad.Length / 2
    Array.init grad.Length (fun k -> if k < m then grad[k + m] else -grad[k - m])

let derivative (system: IHamiltonianSystem) (x: float[]) =
    let dx = Array.zeroCreate x.Length
    system.TimeDerivative(ReadOnlySpan x, Span dx)
    dx

let expectFieldIsSymplecticGradient (system: IHamiltonianSystem) (states: float[] list) =
    for x in states do
        let expected = symplecticGradient (energyGradient system x)
        let actual = derivative system x
        for k in 0 .. x.Length - 1 do
            if not (close 1e-6 1e-6 actual[k] expected[k]) then
                failtestf "%s at %A: dx/dt[%d] = %.12g, finite differences of H give %.12g" system.Name x k actual[k] expected[k]

/// States of n bodies with every pair at least 0.3 apart, positions in [−2, 2]², momenta in [−1, 1]².
let bodyStates (bodies: int) (count: int) (seed: int) =
    let rng = Random(seed)
    let uniform a b = a + (b - a) * rng.NextDouble()
    let rec draw () =
        let x = Array.init (4 * bodies) (fun k -> if k < 2 * bodies then uniform -2.0 2.0 else uniform -1.0 1.0)
        let separated =
            Seq.forall
                (fun (i, j) -> hypot (x[i] - x[j]) (x[bodies + i] - x[bodies + j]) >= 0.3)
                [ for i in 0 .. bodies - 1 do
                      for j in i + 1 .. bodies - 1 -> i, j ]
        if separated then x else draw ()
    and hypot a b = sqrt (a * a + b * b)
    List.init count (fun _ -> draw ())

let pendulumTests =
    testList
        "pendulum"
        [ test "the paper's ideal pendulum is H = 3(1 − cos q) + p² and the real-pendulum analysis energy H = 2.4(1 − cos q) + p²" {
              let q, p = 0.7, -0.4
              Expect.floatClose Accuracy.veryHigh (Pendulum.Ideal.Energy(ReadOnlySpan [| q; p |])) (3.0 * (1.0 - cos q) + p * p) "ideal"
              Expect.floatClose
                  Accuracy.veryHigh
                  (Pendulum.RealAnalysis.Energy(ReadOnlySpan [| q; p |]))
                  (2.4 * (1.0 - cos q) + p * p)
                  "real"
              Expect.equal (derivative Pendulum.Ideal [| q; p |]) [| 2.0 * p; -3.0 * sin q |] "dq/dt = 2p, dp/dt = −3 sin q"
          }
          test "the field is the symplectic gradient of H (dq/dt = ∂H/∂p, dp/dt = −∂H/∂q), for any a and b" {
              let rng = Random(1)
              let states = List.init 50 (fun _ -> [| 8.0 * rng.NextDouble() - 4.0; 6.0 * rng.NextDouble() - 3.0 |])
              for system in [ Pendulum.Ideal; Pendulum.RealAnalysis; Pendulum(0.5, 1.7) ] do
                  expectFieldIsSymplecticGradient system states
          }
          test "the batched derivative equals the single-state derivative row by row" {
              let x = [| 0.1; 0.2; -1.5; 0.7; 3.0; -2.0 |]
              let dx = Array.zeroCreate 6
              Pendulum.Ideal.BatchTimeDerivative(0.0, ReadOnlySpan x, Span dx, 3)
              for i in 0..2 do
                  Expect.equal dx[2 * i .. 2 * i + 1] (derivative Pendulum.Ideal x[2 * i .. 2 * i + 1]) $"row {i}"
          }
          test "non-positive coefficients are refused" {
              Expect.throwsT<ArgumentOutOfRangeException> (fun () -> Pendulum(0.0, 1.0) |> ignore) "a = 0"
              Expect.throwsT<ArgumentOutOfRangeException> (fun () -> Pendulum(1.0, -1.0) |> ignore) "b < 0"
          } ]

let nbodyTests =
    testList
        "n-body gravity"
        [ test "coordinates are q = (x1..xn, y1..yn), p = (px1..pxn, py1..pyn): dimension 4n, dq/dt = p/m" {
              let system = NBody([| 1.0; 2.0; 4.0 |])
              Expect.equal system.Dimension 12 "4n"
              Expect.equal NBody.TwoBody.Name "two-body" "name"
              Expect.equal NBody.ThreeBody.Name "three-body" "name"
              let x = (bodyStates 3 1 7).Head
              let dx = derivative system x
              for i in 0..2 do
                  Expect.floatClose Accuracy.veryHigh dx[i] (x[6 + i] / system.Masses[i]) $"dx{i + 1}/dt"
                  Expect.floatClose Accuracy.veryHigh dx[3 + i] (x[9 + i] / system.Masses[i]) $"dy{i + 1}/dt"
          }
          test "energy is kinetic Σ|p|²/2m plus potential −Σ G m_i m_j / r_ij" {
              // two unit masses at (±1, 0), at rest, G = 1: U = −1/2; add p1 = (0, 1): K = 1/2
              let x = [| 1.0; -1.0; 0.0; 0.0; 0.0; 0.0; 1.0; 0.0 |]
              Expect.floatClose Accuracy.veryHigh (NBody.TwoBody.Energy(ReadOnlySpan x)) 0.0 "K + U = 1/2 − 1/2"
              let heavy = NBody([| 2.0; 3.0 |], 0.5)
              Expect.floatClose Accuracy.veryHigh (heavy.Energy(ReadOnlySpan x)) (1.0 / 4.0 - 0.5 * 6.0 / 2.0) "K = 1/(2·2), U = −G·6/2"
          }
          test "the field is the symplectic gradient of the energy (finite differences), 2, 3 and 4 bodies, unequal masses, G ≠ 1" {
              expectFieldIsSymplecticGradient NBody.TwoBody (bodyStates 2 30 1)
              expectFieldIsSymplecticGradient NBody.ThreeBody (bodyStates 3 30 2)
              expectFieldIsSymplecticGradient (NBody([| 0.5; 1.0; 2.0; 3.0 |], 0.7)) (bodyStates 4 30 3)
          }
          test "forces are equal and opposite: Σ dp/dt = 0" {
              let system = NBody([| 0.5; 1.0; 2.0; 3.0 |], 0.7)
              for x in bodyStates 4 30 4 do
                  let dx = derivative system x
                  Expect.isLessThan (abs (Array.sum dx[8..11])) 1e-12 "Σ dpx/dt"
                  Expect.isLessThan (abs (Array.sum dx[12..15])) 1e-12 "Σ dpy/dt"
          }
          test "the batched derivative equals the single-state derivative row by row" {
              let states = bodyStates 3 5 5
              let x = Array.concat states
              let dx = Array.zeroCreate x.Length
              NBody.ThreeBody.BatchTimeDerivative(0.0, ReadOnlySpan x, Span dx, 5)
              states |> List.iteri (fun i s -> Expect.equal dx[12 * i .. 12 * i + 11] (derivative NBody.ThreeBody s) $"row {i}")
          }
          test "a two-body circular start (v = 1/(2√r) about the centre) keeps its radius over 3 periods" {
              let r = 1.3
              let v = 1.0 / (2.0 * sqrt r)
              let x0 = [| r; -r; 0.0; 0.0; 0.0; 0.0; v; -v |]
              let period = 2.0 * Math.PI * r / v
              let times = Array.init 30 (fun i -> 3.0 * period * float (i + 1) / 30.0)
              let field = BatchVectorField(fun t x dx n -> NBody.TwoBody.BatchTimeDerivative(t, x, dx, n))
              let path = Ode.Solve(field, DormandPrince45.Tableau, x0, 1, 8, 0.0, ReadOnlySpan times, AdaptiveSettings(1e-10, 1e-10))
              for i in 0 .. times.Length - 1 do
                  let o = 8 * i
                  Expect.floatClose
                      { absolute = 1e-7; relative = 1e-7 }
                      (sqrt (path[o] ** 2.0 + path[o + 2] ** 2.0))
                      r
                      $"radius of body 1 at t = {times[i]}"
              Expect.floatClose { absolute = 1e-6; relative = 0.0 } path[8 * 29] r "back at the start after 3 periods"
          } ]

[<Tests>]
let tests = testList "systems" [ pendulumTests; nbodyTests ]
