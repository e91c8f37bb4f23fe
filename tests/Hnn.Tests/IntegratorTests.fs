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

/// Dormand–Prince 5(4) at rtol/atol through the float64 entry point.
let solve f y0 count dim t0 (tEval: float[]) rtol atol =
    Ode.Solve(f, DormandPrince45.Tableau, y0, count, dim, t0, ReadOnlySpan tEval, AdaptiveSettings(rtol, atol))

let argumentError (f: unit -> unit) =
    Expect.throwsC f (fun e ->
        match e with
        | :? ArgumentException as a -> a
        | e -> failtestf "expected an ArgumentException, got %O" e)

/// Heun–Euler 2(1): an embedded pair that is not first-same-as-last, with its quadratic continuous extension
/// y + h(θk₁ + θ²/2·(k₂ − k₁)); here only to show that the adaptive solve takes any embedded pair.
let heunEuler =
    ButcherTableau(
        "Heun–Euler 2(1)",
        2,
        [| [||]; [| 1.0 |] |],
        [| 0.5; 0.5 |],
        [| 0.0; 1.0 |],
        bError = [| -0.5; 0.5 |],
        errorOrder = Nullable 1,
        reference = "Heun's method with Euler's as the embedded solution",
        denseOutput = array2D [ [ 1.0; -0.5 ]; [ 0.0; 0.5 ] ]
    )

/// The embedded pairs the adaptive solve is tested with.
let embeddedPairs = [ DormandPrince45.Tableau; BogackiShampine32.Tableau; heunEuler ]

/// An adaptive solve with a given embedded pair.
let solveWith (method: ButcherTableau) f y0 count dim t0 (tEval: float[]) rtol atol =
    Ode.Solve(f, method, y0, count, dim, t0, ReadOnlySpan tEval, AdaptiveSettings(rtol, atol))

let dormandPrince =
    testList
        "Dormand–Prince 5(4)"
        [ test "meets its tolerance on the harmonic oscillator (exact flow)" {
              let starts = [| 1.0; 0.0; 0.3; -0.7; -0.1; 0.05 |]
              let times = linspace 0.0 10.0 50
              for rtol in [ 1e-6; 1e-9 ] do
                  let y = solve spring starts 3 2 0.0 times rtol (rtol * 1e-3)
                  for i in 0..2 do
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
              for e in 0..3 do
                  Expect.floatClose { absolute = 1e-7; relative = 0.0 } y[e] expected[e] (sprintf "component %d after one period" e)
          }
          test "trajectories are independent: a batch equals its members solved alone" {
              let starts = [| 1.0; 0.0; 2.5; 0.3 |]
              let times = linspace 0.0 5.0 11
              let together = solve pendulum starts 2 2 0.0 times 1e-8 1e-10
              let alone =
                  Array.append (solve pendulum starts[0..1] 1 2 0.0 times 1e-8 1e-10) (solve pendulum starts[2..3] 1 2 0.0 times 1e-8 1e-10)
              Expect.equal together alone "same steps, same numbers"
          }
          test "a solution that blows up fails naming the trajectory and the time" {
              let blowUp =
                  BatchVectorField(fun _ x dxdt count ->
                      for i in 0 .. count - 1 do
                          dxdt[i] <- x[i] * x[i])
              let e = Expect.throwsC (fun () -> solve blowUp [| 0.5; 1.0 |] 2 1 0.0 [| 0.5; 2.0 |] 1e-6 1e-9 |> ignore) id
              Expect.isTrue (e :? InvalidOperationException) (sprintf "got %O" e)
              Expect.stringContains e.Message "trajectory 1" "names the trajectory"
              Expect.stringContains e.Message "t = " "names the time"
          } ]

let anyEmbeddedPair =
    testList
        "adaptive solve with any embedded pair"
        [ for m in embeddedPairs do
              yield
                  test (sprintf "%s meets its tolerance on the harmonic oscillator, dense output included" m.Name) {
                      let starts = [| 1.0; 0.0; 0.3; -0.7 |]
                      let times = linspace 0.0 10.0 41
                      for rtol in [ 1e-4; 1e-7 ] do
                          let y = solveWith m spring starts 2 2 0.0 times rtol (rtol * 1e-3)
                          for i in 0..1 do
                              for j in 0 .. times.Length - 1 do
                                  let q, p = springExact starts[2 * i] starts[2 * i + 1] times[j]
                                  let o = (i * times.Length + j) * 2
                                  let err = max (abs (y[o] - q)) (abs (y[o + 1] - p))
                                  Expect.isLessThan err (100.0 * rtol) (sprintf "rtol %g, trajectory %d, t = %g" rtol i times[j])
                  }
              yield
                  test (sprintf "%s: a tighter tolerance buys a smaller error on the pendulum's period" m.Name) {
                      let period = pendulumPeriod 2.0
                      let errorAt rtol = abs ((solveWith m pendulum [| 2.0; 0.0 |] 1 2 0.0 [| period |] rtol (rtol * 1e-2))[0] - 2.0)
                      Expect.isLessThan (errorAt 1e-8) (errorAt 1e-4 / 100.0) "10⁴ times the tolerance, at least 100 times the accuracy"
                  }
          yield
              test "a method without an error estimate or a dense output is refused, naming the method" {
                  for m in [ Rk4.Tableau :> IFixedStepMethod; Leapfrog.Tableau; ImplicitMidpoint.Default ] do
                      let e =
                          argumentError (fun () ->
                              Ode.Solve(spring, m, [| 1.0; 0.0 |], 1, 2, 0.0, ReadOnlySpan [| 1.0 |], AdaptiveSettings()) |> ignore)
                      Expect.equal e.ParamName "method" "names the argument"
                      Expect.stringContains e.Message m.Name "names the method"
                  let noDense =
                      ButcherTableau(
                          "no dense",
                          2,
                          [| [||]; [| 1.0 |] |],
                          [| 0.5; 0.5 |],
                          [| 0.0; 1.0 |],
                          bError = [| -0.5; 0.5 |],
                          errorOrder = Nullable 1
                      )
                  Expect.isFalse noDense.CanAdapt "an embedded pair without dense output cannot adapt"
                  argumentError (fun () -> solveWith noDense spring [| 1.0; 0.0 |] 1 2 0.0 [| 1.0 |] 1e-6 1e-9 |> ignore) |> ignore
              } ]

/// A test problem for convergence: its field and the exact state at t = 2 from (1.2, 0.3).
type OrderProblem = { Name: string; Field: BatchVectorField; Exact: Lazy<float[]> }

let pendulumProblem = { Name = "pendulum"; Field = pendulum; Exact = lazy (solve pendulum [| 1.2; 0.3 |] 1 2 0.0 [| 2.0 |] 1e-13 1e-15) }

let springProblem = { Name = "oscillator"; Field = spring; Exact = lazy (let q, p = springExact 1.2 0.3 2.0 in [| q; p |]) }

/// Final state at t = 2 from (1.2, 0.3) with n fixed steps of a method.
let finalState (method: IFixedStepMethod) (field: BatchVectorField) (n: int) =
    Ode.Solve(field, method, [| 1.2; 0.3 |], 1, 2, 0.0, ReadOnlySpan [| 2.0 |], FixedSteps(2.0 / float n))

/// Least-squares slope of log error against log step.
let measuredOrder (method: IFixedStepMethod) (problem: OrderProblem) (steps: int list) =
    let exact = problem.Exact.Force()
    let points =
        [ for n in steps ->
              let y = finalState method problem.Field n
              let err = max (abs (y[0] - exact[0])) (abs (y[1] - exact[1]))
              log (2.0 / float n), log err ]
    let mx = points |> List.averageBy fst
    let my = points |> List.averageBy snd
    (points |> List.sumBy (fun (x, y) -> (x - mx) * (y - my))) / (points |> List.sumBy (fun (x, _) -> (x - mx) ** 2))

let orderTest (method: IFixedStepMethod) problem steps =
    test (sprintf "%s converges at order %d (%s)" method.Name method.Order problem.Name) {
        let slope = measuredOrder method problem steps
        Expect.isLessThan (abs (slope - float method.Order)) 0.3 (sprintf "measured order %.3f, declared %d" slope method.Order)
    }

let convergence =
    testList
        "convergence order"
        [ orderTest Rk4.Tableau pendulumProblem [ 10; 20; 40; 80 ]
          orderTest Leapfrog.Tableau pendulumProblem [ 20; 40; 80; 160 ]
          orderTest Yoshida4.Tableau pendulumProblem [ 10; 20; 40; 80 ]
          orderTest ImplicitMidpoint.Default pendulumProblem [ 20; 40; 80; 160 ]
          orderTest DormandPrince45.Tableau springProblem [ 10; 20; 40; 80 ]
          orderTest BogackiShampine32.Tableau pendulumProblem [ 10; 20; 40; 80 ] ]

/// The stages of one step of a tableau on a float field, computed here from A and c (independently of the engine).
let stagesOf (t: ButcherTableau) (f: float[] -> float[]) (x: float[]) (h: float) =
    let k = Array.zeroCreate<float[]> t.Stages
    for i in 0 .. t.Stages - 1 do
        k[i] <- f (Array.init x.Length (fun e -> x[e] + h * Seq.sum (seq { for j in 0 .. i - 1 -> t.A(i, j) * k[j][e] })))
    k

let pendulumOf (x: float[]) = [| 2.0 * x[1]; -3.0 * sin x[0] |]

/// Least-squares slope of log y against log x.
let slope (points: (float * float) list) =
    let points = points |> List.map (fun (x, y) -> log x, log y)
    let mx = points |> List.averageBy fst
    let my = points |> List.averageBy snd
    (points |> List.sumBy (fun (x, y) -> (x - mx) * (y - my))) / (points |> List.sumBy (fun (x, _) -> (x - mx) ** 2))

let errorEstimates =
    testList
        "error estimates"
        [ for t in embeddedPairs do
              yield
                  test (
                      sprintf
                          "%s's error estimate shrinks as h^%d per step (its declared order %d plus one)"
                          t.Name
                          (t.ErrorOrder.Value + 1)
                          t.ErrorOrder.Value
                  ) {
                      let estimate h =
                          let k = stagesOf t pendulumOf [| 1.2; 0.3 |] h
                          Seq.max (
                              seq {
                                  for e in 0..1 -> abs (h * Seq.sum (seq { for i in 0 .. t.Stages - 1 -> (nonNull t.BError)[i] * k[i][e] }))
                              }
                          )
                      let measured = slope [ for h in [ 0.2; 0.1; 0.05; 0.025 ] -> h, estimate h ]
                      Expect.isLessThan (abs (measured - float (t.ErrorOrder.Value + 1))) 0.3 (sprintf "measured %.3f" measured)
                  } ]

/// |H(x(t)) − H(x₀)| at every step of a pendulum run of `steps` steps of size h.
let energyErrors (method: IFixedStepMethod) (h: float) (steps: int) =
    let times = Array.init steps (fun i -> h * float (i + 1))
    let y = Ode.Solve(pendulum, method, [| 1.5; 0.0 |], 1, 2, 0.0, ReadOnlySpan times, FixedSteps h)
    let e0 = pendulumEnergy 1.5 0.0
    Array.init steps (fun i -> abs (pendulumEnergy y[2 * i] y[2 * i + 1] - e0))

let energy =
    testList
        "energy"
        [ test "leapfrog keeps the pendulum's energy error bounded over 10⁴ steps" {
              let errors = energyErrors Leapfrog.Tableau 0.1 10_000
              let early = Array.max errors[..999]
              let late = Array.max errors[5000..]
              Expect.isLessThan late (1.5 * early) "no growth: the late error is no larger than the error of the first 10³ steps"
              Expect.isLessThan late (5.0 * 0.1 * 0.1) "error C·h² with C of the order of the energy (≈ 2.8)"
          }
          test "Yoshida 4 keeps the pendulum's energy error bounded over 10⁴ steps" {
              let errors = energyErrors Yoshida4.Tableau 0.1 10_000
              Expect.isLessThan (Array.max errors[5000..]) (1.5 * Array.max errors[..999]) "no growth"
          }
          test "implicit midpoint keeps the pendulum's energy error bounded over 10⁴ steps" {
              let errors = energyErrors ImplicitMidpoint.Default 0.1 10_000
              Expect.isLessThan (Array.max errors[5000..]) (1.5 * Array.max errors[..999]) "no growth"
          }
          test "RK4's energy error drifts on the pendulum over 10⁴ steps" {
              let errors = energyErrors Rk4.Tableau 0.1 10_000
              Expect.isGreaterThan errors[9999] (5.0 * errors[999]) "the error grows about linearly in time"
          } ]

/// Jacobian of the one-step map at x by central differences.
let stepJacobian (method: IFixedStepMethod) (x: float[]) (h: float) =
    let n = x.Length
    let stepper = method.CreateStepper(pendulum, 1, n)
    let eps = 1e-6
    let after (dx: float[]) =
        let y = Array.map2 (+) x dx
        stepper.Step(0.0, Span y, h)
        y
    Array2D.init n n (fun i j ->
        let e = Array.init n (fun k -> if k = j then eps else 0.0)
        ((after e)[i] - (after (Array.map (~-) e))[i]) / (2.0 * eps))

/// JᵀΩJ − Ω for Ω = [[0, 1], [−1, 0]]: for 2×2 maps, (det J − 1)·Ω.
let symplecticDefect (j: float[,]) = abs (j[0, 0] * j[1, 1] - j[0, 1] * j[1, 0] - 1.0)

let symplecticity =
    testList
        "symplecticity"
        [ for m in [ Leapfrog.Tableau :> IFixedStepMethod; Yoshida4.Tableau; ImplicitMidpoint.Default ] do
              yield
                  test (sprintf "%s's one-step map satisfies JᵀΩJ = Ω" m.Name) {
                      Expect.isTrue m.IsSymplectic "declared symplectic"
                      for x in [ [| 1.2; 0.3 |]; [| 2.8; -0.5 |] ] do
                          Expect.isLessThan (symplecticDefect (stepJacobian m x 0.3)) 1e-7 (sprintf "at %A" x)
                  }
          yield
              test "RK4's one-step map does not satisfy JᵀΩJ = Ω" {
                  Expect.isFalse Rk4.Tableau.IsSymplectic "declared not symplectic"
                  Expect.isGreaterThan (symplecticDefect (stepJacobian Rk4.Tableau [| 2.8; -0.5 |] 0.3)) 1e-5 "visible defect"
              } ]

/// Butcher's order conditions for the 17 rooted trees up to order 5, for weights w on a tableau's A and c:
/// (order of the tree, Σᵢ wᵢ Φᵢ(tree), 1/γ(tree)). A method has order p when they hold for every tree up to p.
let orderConditions (t: ButcherTableau) (w: float[]) =
    let s = t.Stages
    let c = Array.init s (fun i -> t.C[i])
    let a (v: float[]) = Array.init s (fun i -> Seq.sum (seq { for j in 0 .. s - 1 -> t.A(i, j) * v[j] }))
    let (.*) (u: float[]) (v: float[]) = Array.map2 (*) u v
    let dot (v: float[]) = Array.fold2 (fun acc x y -> acc + x * y) 0.0 w v
    let c2 = c .* c
    let c3 = c2 .* c
    let ac = a c
    [ 1, dot (Array.create s 1.0), 1.0
      2, dot c, 1.0 / 2.0
      3, dot c2, 1.0 / 3.0
      3, dot ac, 1.0 / 6.0
      4, dot c3, 1.0 / 4.0
      4, dot (c .* ac), 1.0 / 8.0
      4, dot (a c2), 1.0 / 12.0
      4, dot (a ac), 1.0 / 24.0
      5, dot (c3 .* c), 1.0 / 5.0
      5, dot (c2 .* ac), 1.0 / 10.0
      5, dot (c .* a c2), 1.0 / 15.0
      5, dot (c .* a ac), 1.0 / 30.0
      5, dot (ac .* ac), 1.0 / 20.0
      5, dot (a c3), 1.0 / 20.0
      5, dot (a (c .* ac)), 1.0 / 40.0
      5, dot (a (a c2)), 1.0 / 60.0
      5, dot (a (a ac)), 1.0 / 120.0 ]

let tables =
    testList
        "tables"
        [ test "the named tables have their published stage counts, FSAL property and error orders" {
              for t, stages, fsal, errorOrder in
                  [ Rk4.Tableau, 4, false, Nullable()
                    DormandPrince45.Tableau, 7, true, Nullable 4
                    BogackiShampine32.Tableau, 4, true, Nullable 2 ] do
                  Expect.equal t.Stages stages (sprintf "%s has %d stages" t.Name stages)
                  Expect.equal t.IsFirstSameAsLast fsal (sprintf "%s FSAL: %b" t.Name fsal)
                  Expect.equal t.ErrorOrder errorOrder (sprintf "%s estimates its error at order %A" t.Name errorOrder)
              Expect.isTrue (DormandPrince45.Tableau.CanAdapt && BogackiShampine32.Tableau.CanAdapt) "the embedded pairs can adapt"
              Expect.isFalse Rk4.Tableau.CanAdapt "RK4 cannot"
          }
          for t in [ Rk4.Tableau; DormandPrince45.Tableau; BogackiShampine32.Tableau; heunEuler ] do
              test (sprintf "%s satisfies Butcher's order conditions up to its declared order %d" t.Name t.Order) {
                  for order, value, expected in orderConditions t (Array.ofSeq t.B) do
                      if order <= t.Order then
                          Expect.floatClose { absolute = 1e-12; relative = 0.0 } value expected (sprintf "a condition of order %d" order)
              }
          for t in embeddedPairs do
              test (
                  sprintf
                      "%s's error estimate is of its declared order %d: b_err meets the order conditions up to it, not beyond"
                      t.Name
                      t.ErrorOrder.Value
              ) {
                  // b_err = b − b̂ (either sign) with both solutions of order ≥ q: Σ b_err Φ(tree) = 0 for every tree up to order q.
                  let q = t.ErrorOrder.Value
                  let conditions = orderConditions t (Array.ofSeq (nonNull t.BError))
                  for order, value, _ in conditions do
                      if order <= q then
                          Expect.floatClose { absolute = 1e-12; relative = 0.0 } value 0.0 (sprintf "a condition of order %d" order)
                  Expect.exists
                      conditions
                      (fun (order, value, _) -> order = q + 1 && abs value > 1e-6)
                      "some condition of order q + 1 is not met"
              }
          test "a dense output that does not end at the step's solution is rejected, naming the row" {
              let e =
                  argumentError (fun () ->
                      ButcherTableau(
                          "bad",
                          2,
                          [| [||]; [| 1.0 |] |],
                          [| 0.5; 0.5 |],
                          [| 0.0; 1.0 |],
                          denseOutput = array2D [ [ 1.0; -0.5 ]; [ 0.0; 0.4 ] ]
                      )
                      |> ignore)
              Expect.stringContains e.Message "row 1 of the dense output sums to" "names the row and the condition"
          }
          test "a tableau whose rows do not sum to c is rejected, naming the row" {
              let e = argumentError (fun () -> ButcherTableau("bad", 2, [| [||]; [| 0.4 |] |], [| 0.5; 0.5 |], [| 0.0; 0.5 |]) |> ignore)
              Expect.stringContains e.Message "row 1 of A sums to" "names the row and the condition"
          }
          test "a tableau whose b does not sum to 1 is rejected" {
              let e = argumentError (fun () -> ButcherTableau("bad", 2, [| [||]; [| 0.5 |] |], [| 0.5; 0.6 |], [| 0.0; 0.5 |]) |> ignore)
              Expect.stringContains e.Message "b sums to" "names the condition"
          }
          test "an embedded pair whose error weights do not sum to 0 is rejected" {
              let e =
                  argumentError (fun () ->
                      ButcherTableau("bad", 2, [| [||]; [| 1.0 |] |], [| 0.5; 0.5 |], [| 0.0; 1.0 |], [| 0.5; 0.4 |], Nullable 1) |> ignore)
              Expect.stringContains e.Message "b_err sums to" "names the condition"
          }
          test "an implicit tableau is rejected as not explicit" {
              let e = argumentError (fun () -> ButcherTableau("bad", 2, [| [| 0.5 |] |], [| 1.0 |], [| 0.5 |]) |> ignore)
              Expect.stringContains e.Message "not strictly lower triangular" "names the condition"
          }
          test "a drift–kick table whose kicks or drifts do not sum to 1 is rejected" {
              let e = argumentError (fun () -> DriftKickTableau("bad", 2, [| 0.5; 0.4 |], [| 1.0 |]) |> ignore)
              Expect.stringContains e.Message "kicks sum to" "names the kicks"
              let e = argumentError (fun () -> DriftKickTableau("bad", 2, [| 0.5; 0.5 |], [| 0.9 |]) |> ignore)
              Expect.stringContains e.Message "drifts sum to" "names the drifts"
          }
          test "implicit midpoint fails clearly when its stage iteration cannot converge" {
              let e = Expect.throwsC (fun () -> finalState ImplicitMidpoint.Default pendulum 1 |> ignore) id
              Expect.isTrue (e :? InvalidOperationException) (sprintf "got %O" e)
              Expect.stringContains e.Message "did not converge" "says what failed"
          }
          test "a separable field given as two halves steps like the full field" {
              let split =
                  SeparableField(
                      BatchHalfField(fun _ x half count ->
                          for i in 0 .. count - 1 do
                              half[i] <- 2.0 * x[2 * i + 1]),
                      BatchHalfField(fun _ x half count ->
                          for i in 0 .. count - 1 do
                              half[i] <- -3.0 * sin x[2 * i])
                  )
              let a = [| 1.2; 0.3; -0.4; 1.0 |]
              let b = Array.copy a
              Leapfrog.Tableau.CreateStepper(split, 2, 2).Step(0.0, Span a, 0.1)
              Leapfrog.Tableau.CreateStepper(pendulum, 2, 2).Step(0.0, Span b, 0.1)
              Expect.equal a b "same numbers"
          } ]

let argumentChecks =
    testList
        "argument errors"
        [ test "unsorted tEval is an ArgumentException naming tEval" {
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
          } ]

[<Tests>]
let tests =
    testList "integrators" [ dormandPrince; anyEmbeddedPair; convergence; errorEstimates; energy; symplecticity; tables; argumentChecks ]
