/// Laws of the ODE integrators: declared orders are measured, symplectic methods keep energy bounded,
/// the adaptive solver meets its tolerance on problems with known answers, bad tables and arguments are refused.
module Hnn.Tests.IntegratorTests

open System
open Expecto
open Hnn.Integrators

/// The paper's spring H = q² + p²: dq/dt = 2p, dp/dt = −2q (a rotation at angular frequency 2).
let spring =
    BatchVectorField(fun _ x dxdt count ->
        for i in 0 .. count - 1 do
            dxdt[2 * i] <- 2.0 * x[2 * i + 1]
            dxdt[2 * i + 1] <- -2.0 * x[2 * i])

let springExact (q0: float) (p0: float) (t: float) = q0 * cos (2.0 * t) + p0 * sin (2.0 * t), p0 * cos (2.0 * t) - q0 * sin (2.0 * t)

/// The paper's pendulum H = 3(1 − cos q) + p²: dq/dt = 2p, dp/dt = −3 sin q; small-angle ω₀ = √6.
let pendulum =
    BatchVectorField(fun _ x dxdt count ->
        for i in 0 .. count - 1 do
            dxdt[2 * i] <- 2.0 * x[2 * i + 1]
            dxdt[2 * i + 1] <- -3.0 * sin x[2 * i])

let pendulumEnergy (q: float) (p: float) = 3.0 * (1.0 - cos q) + p * p

/// Arithmetic–geometric mean.
let rec agm (a: float) (b: float) = if abs (a - b) <= 1e-16 * a then a else agm ((a + b) / 2.0) (sqrt (a * b))

/// Period of the pendulum from rest at angle θ₀: 4K(sin(θ₀/2))/ω₀, with K(k) = π / (2 AGM(1, √(1 − k²))).
let pendulumPeriod (theta0: float) =
    let k = sin (theta0 / 2.0)
    4.0 * (Math.PI / (2.0 * agm 1.0 (sqrt (1.0 - k * k)))) / sqrt 6.0

/// Kepler problem with GM = 1 in the plane: x = (x, y, vx, vy).
let kepler =
    BatchVectorField(fun _ x dxdt count ->
        for i in 0 .. count - 1 do
            let o = 4 * i
            let r2 = x[o] * x[o] + x[o + 1] * x[o + 1]
            let inv = 1.0 / (r2 * sqrt r2)
            dxdt[o] <- x[o + 2]
            dxdt[o + 1] <- x[o + 3]
            dxdt[o + 2] <- -x[o] * inv
            dxdt[o + 3] <- -x[o + 1] * inv)

let linspace a b n = Array.init n (fun i -> a + (b - a) * float i / float (n - 1))

let solve f y0 count dim t0 (tEval: float[]) rtol atol = Ode.Solve(f, y0, count, dim, t0, ReadOnlySpan tEval, rtol, atol)

let argumentError (f: unit -> unit) =
    Expect.throwsC f (fun e ->
        match e with
        | :? ArgumentException as a -> a
        | e -> failtestf "expected an ArgumentException, got %O" e)

let dormandPrince =
    testList "Dormand–Prince 5(4)" [
        test "meets its tolerance on the harmonic oscillator (exact flow)" {
            let starts = [| 1.0; 0.0; 0.3; -0.7; -0.1; 0.05 |]
            let times = linspace 0.0 10.0 50
            for rtol in [ 1e-6; 1e-9 ] do
                let y = solve spring starts 3 2 0.0 times rtol (rtol * 1e-3)
                for i in 0 .. 2 do
                    for j in 0 .. times.Length - 1 do
                        let q, p = springExact starts[2 * i] starts[2 * i + 1] times[j]
                        let err = max (abs (y[(i * 50 + j) * 2] - q)) (abs (y[(i * 50 + j) * 2 + 1] - p))
                        Expect.isLessThan err (100.0 * rtol) (sprintf "rtol %g, trajectory %d, t = %g" rtol i times[j])
        }
        test "returns the start exactly when tEval[0] = t0 and hits the last time" {
            let y = solve spring [| 0.4; 0.2 |] 1 2 0.0 [| 0.0; 1.0 |] 1e-10 1e-12
            Expect.equal y[0..1] [| 0.4; 0.2 |] "first output is y0"
            let q, p = springExact 0.4 0.2 1.0
            Expect.floatClose { absolute = 1e-9; relative = 0.0 } y[2] q "q(1)"
            Expect.floatClose { absolute = 1e-9; relative = 0.0 } y[3] p "p(1)"
        }
        test "pendulum swings with the elliptic-integral period 4K(sin(θ₀/2))/ω₀" {
            for theta0 in [ 0.5; 2.0; 3.0 ] do
                let period = pendulumPeriod theta0
                let y = solve pendulum [| theta0; 0.0 |] 1 2 0.0 [| period / 2.0; period |] 1e-10 1e-12
                Expect.floatClose { absolute = 1e-7; relative = 0.0 } y[0] -theta0 (sprintf "θ₀ = %g: half a period swings to −θ₀" theta0)
                Expect.floatClose { absolute = 1e-7; relative = 0.0 } y[2] theta0 (sprintf "θ₀ = %g: one period returns to θ₀" theta0)
                Expect.floatClose { absolute = 1e-7; relative = 0.0 } y[3] 0.0 (sprintf "θ₀ = %g: at rest after one period" theta0)
        }
        test "an eccentric Kepler orbit (e = 0.44) closes after one period 2π a^1.5" {
            let v = 1.2
            let a = 1.0 / (2.0 - v * v)
            let period = 2.0 * Math.PI * a ** 1.5
            let y = solve kepler [| 1.0; 0.0; 0.0; v |] 1 4 0.0 [| period |] 1e-10 1e-12
            let expected = [| 1.0; 0.0; 0.0; v |]
            for e in 0 .. 3 do
                Expect.floatClose { absolute = 1e-7; relative = 0.0 } y[e] expected[e] (sprintf "component %d after one period" e)
        }
        test "trajectories are independent: a batch equals its members solved alone" {
            let starts = [| 1.0; 0.0; 2.5; 0.3 |]
            let times = linspace 0.0 5.0 11
            let together = solve pendulum starts 2 2 0.0 times 1e-8 1e-10
            let alone = Array.append (solve pendulum starts[0..1] 1 2 0.0 times 1e-8 1e-10) (solve pendulum starts[2..3] 1 2 0.0 times 1e-8 1e-10)
            Expect.equal together alone "same steps, same numbers"
        }
        test "a solution that blows up fails naming the trajectory and the time" {
            let blowUp = BatchVectorField(fun _ x dxdt count -> for i in 0 .. count - 1 do dxdt[i] <- x[i] * x[i])
            let e = Expect.throwsC (fun () -> solve blowUp [| 0.5; 1.0 |] 2 1 0.0 [| 0.5; 2.0 |] 1e-6 1e-9 |> ignore) id
            Expect.isTrue (e :? InvalidOperationException) (sprintf "got %O" e)
            Expect.stringContains e.Message "trajectory 1" "names the trajectory"
            Expect.stringContains e.Message "t = " "names the time"
        }
    ]

let argumentChecks =
    testList "argument errors" [
        test "unsorted tEval is an ArgumentException naming tEval" {
            let e = argumentError (fun () -> solve spring [| 1.0; 0.0 |] 1 2 0.0 [| 0.0; 2.0; 1.0 |] 1e-6 1e-9 |> ignore)
            Expect.equal e.ParamName "tEval" "names the argument"
        }
        test "tEval before t0 is an ArgumentException naming tEval" {
            let e = argumentError (fun () -> solve spring [| 1.0; 0.0 |] 1 2 1.0 [| 0.5; 2.0 |] 1e-6 1e-9 |> ignore)
            Expect.equal e.ParamName "tEval" "names the argument"
        }
        test "y0 of the wrong size is an ArgumentException naming y0" {
            let e = argumentError (fun () -> solve spring [| 1.0; 0.0; 3.0 |] 2 2 0.0 [| 1.0 |] 1e-6 1e-9 |> ignore)
            Expect.equal e.ParamName "y0" "names the argument"
        }
        test "non-positive tolerances are ArgumentExceptions naming rtol or atol" {
            let e = argumentError (fun () -> solve spring [| 1.0; 0.0 |] 1 2 0.0 [| 1.0 |] 0.0 1e-9 |> ignore)
            Expect.equal e.ParamName "rtol" "names rtol"
            let e = argumentError (fun () -> solve spring [| 1.0; 0.0 |] 1 2 0.0 [| 1.0 |] 1e-6 -1.0 |> ignore)
            Expect.equal e.ParamName "atol" "names atol"
        }
    ]

[<Tests>]
let tests = testList "integrators" [ dormandPrince; argumentChecks ]
