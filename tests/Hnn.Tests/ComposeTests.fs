/// Laws of composed Hamiltonians: tensor math agrees with System.Math, the combinators obey their algebra on
/// generated systems and states, autograd fields equal closed forms and finite differences, separability is
/// detected, and the pipeline turns a Hamiltonian into data and, on the run path, models, metrics and a report.
module Hnn.Tests.ComposeTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open TorchSharp
open Hnn
open Hnn.Integrators

/// A term of a generated Hamiltonian over coordinates indexed from 0.
type Term =
    | QSquare of int
    | PSquare of int
    | QP of int * int
    | CosQ of int
    | QCube of int
    | PSquareCosQ of int * int

/// A generated Hamiltonian: Σ coefficient · term over n degrees of freedom.
type Spec = { Dof: int; Terms: (float * Term) list }

let private termValue (q: torch.Tensor) (p: torch.Tensor) term =
    match term with
    | QSquare i -> col i q ** 2.0
    | PSquare i -> col i p ** 2.0
    | QP(i, j) -> col i q * col j p
    | CosQ i -> cos (col i q)
    | QCube i -> col i q ** 3.0
    | PSquareCosQ(i, j) -> col i p ** 2.0 * cos (col j q)

/// The Hamiltonian of a spec, by autograd (no closed form).
let build (spec: Spec) =
    Hamiltonian.create spec.Dof (fun q p -> spec.Terms |> List.fold (fun acc (c, term) -> acc + c * termValue q p term) (0.0 * total q))
    |> Hamiltonian.named (sprintf "%A" spec.Terms)

let private coefficient = Gen.choose (-200, 200) |> Gen.map (fun i -> float i / 100.0)

let specGen (n: int) =
    let index = Gen.choose (0, n - 1)
    let term =
        Gen.oneof
            [ Gen.map QSquare index
              Gen.map PSquare index
              Gen.map2 (fun i j -> QP(i, j)) index index
              Gen.map CosQ index
              Gen.map QCube index
              Gen.map2 (fun i j -> PSquareCosQ(i, j)) index index ]
    gen {
        let! count = Gen.choose (1, 4)
        let! terms = Gen.listOfLength count (Gen.zip coefficient term)
        return { Dof = n; Terms = terms }
    }

/// A batch of 4 states of dimension d, coordinates in [−2, 2], row-major.
let statesGen (d: int) = Gen.arrayOfLength (4 * d) (Gen.choose (-2000, 2000) |> Gen.map (fun i -> float i / 1000.0))

let batch (d: int) (x: float[]) = torch.tensor(x).reshape(int64 (x.Length / d), int64 d)

let values (t: torch.Tensor) = t.contiguous().data<float>().ToArray()

let fieldValues (h: Hamiltonian) (x: float[]) = values (Hamiltonian.field h (batch h.Dimension x))
let energyValues (h: Hamiltonian) (x: float[]) = values (Hamiltonian.energy h (batch h.Dimension x))

let allClose (a: float[]) (b: float[]) = a.Length = b.Length && Array.forall2 (close 1e-9 1e-9) a b

let expectAllClose (atol: float) (actual: float[]) (expected: float[]) what =
    Expect.equal actual.Length expected.Length (what + ": lengths")
    for k in 0 .. actual.Length - 1 do
        if not (close atol atol actual[k] expected[k]) then
            failtestf "%s: element %d is %.15g, expected %.15g" what k actual[k] expected[k]

/// Samples of (two or three Hamiltonians of n = 2, states of dimension 4).
let pairGen = Gen.zip3 (specGen 2) (specGen 2) (statesGen 4)
let tripleGen = Gen.zip (Gen.zip3 (specGen 2) (specGen 2) (specGen 2)) (statesGen 4)

let tensorMathTests =
    testList
        "tensor math"
        [ testPropertyWithConfig physicsConfig "cos, sin, exp, tanh, abs and ** on floats equal System.Math"
          <| fun (NormalFloat x) ->
              let x = x % 50.0
              cos x = Math.Cos x
              && sin x = Math.Sin x
              && exp x = Math.Exp x
              && tanh x = Math.Tanh x
              && abs x = Math.Abs x
              && (abs x) ** 1.5 = Math.Pow(Math.Abs x, 1.5)
          testPropertyWithConfig physicsConfig "sqrt and log on positive floats equal System.Math"
          <| fun (PositiveInt i) ->
              let x = float i / 7.0
              sqrt x = Math.Sqrt x && log x = Math.Log x
          testPropertyWithConfig physicsConfig "each function on a float64 tensor equals System.Math elementwise"
          <| Prop.forAll (Arb.fromGen (statesGen 1)) (fun xs ->
              let t = torch.tensor xs
              let pos = abs t + 0.5
              let posXs = xs |> Array.map (fun x -> Math.Abs x + 0.5)
              allClose (values (cos t)) (Array.map Math.Cos xs)
              && allClose (values (sin t)) (Array.map Math.Sin xs)
              && allClose (values (exp t)) (Array.map Math.Exp xs)
              && allClose (values (tanh t)) (Array.map Math.Tanh xs)
              && allClose (values (sqrt pos)) (Array.map Math.Sqrt posXs)
              && allClose (values (log pos)) (Array.map Math.Log posXs)
              && allClose (values (t ** 3.0)) (xs |> Array.map (fun x -> Math.Pow(x, 3.0)))
              && allClose (values (pos ** pos)) (posXs |> Array.map (fun x -> Math.Pow(x, x)))
              && allClose (values (2.0 ** t)) (xs |> Array.map (fun x -> Math.Pow(2.0, x))))
          test "the same formula text computes on floats and on tensors" {
              let onFloats = let q, p = 0.7, -0.3 in p ** 2.0 / 2.0 + 1.0 - cos q + sqrt (abs q) * exp p / log 3.0
              let onTensor =
                  let q, p = torch.tensor [| 0.7 |], torch.tensor [| -0.3 |]
                  (p ** 2.0 / 2.0 + 1.0 - cos q + sqrt (abs q) * exp p / log 3.0).item<float>()
              Expect.floatClose Accuracy.veryHigh onTensor onFloats "same value"
          }
          test "col picks a coordinate and total sums the coordinates of every state" {
              let x = batch 2 [| 1.0; 2.0; 3.0; 4.0 |]
              Expect.equal (values (col 1 x)) [| 2.0; 4.0 |] "column 1"
              Expect.equal (values (total x)) [| 3.0; 7.0 |] "row sums"
          } ]

let combinatorTests =
    testList
        "combinators"
        [ testPropertyWithConfig physicsConfig "sum commutes: H_a + H_b and H_b + H_a have the same energy and field"
          <| Prop.forAll (Arb.fromGen pairGen) (fun (a, b, x) ->
              let a, b = build a, build b
              allClose (fieldValues (a + b) x) (fieldValues (b + a) x) && allClose (energyValues (a + b) x) (energyValues (b + a) x))
          testPropertyWithConfig physicsConfig "sum associates: (H_a + H_b) + H_c and H_a + (H_b + H_c) have the same field"
          <| Prop.forAll (Arb.fromGen tripleGen) (fun ((a, b, c), x) ->
              let a, b, c = build a, build b, build c
              allClose (fieldValues ((a + b) + c) x) (fieldValues (a + (b + c)) x))
          testPropertyWithConfig physicsConfig "the field of a sum is the sum of the fields"
          <| Prop.forAll (Arb.fromGen pairGen) (fun (a, b, x) ->
              let a, b = build a, build b
              allClose (fieldValues (a + b) x) (Array.map2 (+) (fieldValues a x) (fieldValues b x)))
          testPropertyWithConfig physicsConfig "scaling distributes over sum: c(H_a + H_b) = cH_a + cH_b"
          <| Prop.forAll (Arb.fromGen (Gen.zip coefficient pairGen)) (fun (c, (a, b, x)) ->
              let a, b = build a, build b
              allClose (fieldValues (c * (a + b)) x) (fieldValues (c * a + c * b) x)
              && allClose (energyValues (c * (a + b)) x) (energyValues (c * a + c * b) x))
          testPropertyWithConfig physicsConfig "a product's field is the block of the factors' fields, state (q_a, q_b, p_a, p_b)"
          <| Prop.forAll (Arb.fromGen (Gen.zip3 (specGen 1) (specGen 2) (statesGen 6))) (fun (a, b, x) ->
              let a, b = build a, build b
              let ab = Hamiltonian.product a b
              let rows = x.Length / 6
              let pick (cols: int list) =
                  [| for r in 0 .. rows - 1 do
                         for c in cols -> x[r * 6 + c] |]
              let fa = fieldValues a (pick [ 0; 3 ])
              let fb = fieldValues b (pick [ 1; 2; 4; 5 ])
              let expected =
                  [| for r in 0 .. rows - 1 do
                         yield fa[2 * r]
                         yield fb[4 * r]
                         yield fb[4 * r + 1]
                         yield fa[2 * r + 1]
                         yield fb[4 * r + 2]
                         yield fb[4 * r + 3] |]
              ab.Dimension = 6 && allClose (fieldValues ab x) expected)
          testPropertyWithConfig physicsConfig "coupling adds the coupling term's field"
          <| Prop.forAll (Arb.fromGen pairGen) (fun (h, v, x) ->
              let h = build h
              let term = build v
              let coupled = h |> Hamiltonian.couple (fun q p -> term.Energy Map.empty q p)
              allClose (fieldValues coupled x) (Array.map2 (+) (fieldValues h x) (fieldValues term x)))
          test "parameter maps compose: mapParameters f >> mapParameters g = mapParameters (f >> g), and id changes nothing" {
              let h = Hamiltonians.pendulum 2.0 1.0 1.0
              let f = Map.add "g" 5.0
              let g = Map.map (fun _ v -> 2.0 * v)
              let x = [| 0.3; -0.2; 1.1; 0.4 |]
              Expect.equal
                  ((h |> Hamiltonian.mapParameters f |> Hamiltonian.mapParameters g).Parameters)
                  ((Hamiltonian.mapParameters (f >> g) h).Parameters)
                  "parameters"
              Expect.equal (fieldValues (Hamiltonian.mapParameters id h) x) (fieldValues h x) "identity"
              let heavier = Hamiltonian.withParameter "g" 4.0 h
              expectAllClose
                  1e-12
                  (Hamiltonian.fieldAt heavier [| 0.5; 0.0 |])
                  [| 0.0; -4.0 * sin 0.5 |]
                  "dp/dt = −m g l sin q with the new g"
          }
          test "a product of factors with clashing parameter values is refused until the parameters are renamed" {
              let short, long = Hamiltonians.pendulum 2.0 1.0 1.0, Hamiltonians.pendulum 2.0 2.0 1.0
              Expect.throwsC (fun () -> Hamiltonian.product short long |> ignore) (fun e ->
                  Expect.stringContains e.Message "'l'" "names the parameter")
              let both = Hamiltonian.product (Hamiltonian.prefixParameters "a" short) (Hamiltonian.prefixParameters "b" long)
              Expect.equal both.Parameters["b.l"] 2.0 "renamed"
              expectAllClose
                  1e-12
                  (Hamiltonian.fieldAt both [| 0.5; 0.5; 0.0; 0.0 |])
                  [| 0.0; 0.0; -2.0 * sin 0.5; -4.0 * sin 0.5 |]
                  "each factor keeps its own l"
          }
          test "a sum of systems on different phase spaces is refused with both sizes in the message" {
              Expect.throwsC (fun () -> Hamiltonians.pendulum 1.0 1.0 1.0 + Hamiltonians.henonHeiles 1.0 |> ignore) (fun e ->
                  Expect.stringContains e.Message "n = 1" "sizes")
          } ]

/// Central finite differences of H at one state, turned into (∂H/∂p, −∂H/∂q).
let finiteDifferenceField (h: Hamiltonian) (x: float[]) =
    let step = 1e-5
    let grad =
        Array.init x.Length (fun k ->
            let plus, minus = Array.copy x, Array.copy x
            plus[k] <- plus[k] + step
            minus[k] <- minus[k] - step
            (Hamiltonian.energyAt h plus - Hamiltonian.energyAt h minus) / (2.0 * step))
    let n = x.Length / 2
    Array.init x.Length (fun k -> if k < n then grad[k + n] else -grad[k - n])

let fieldTests =
    let autogradEqualsClosedForm (h: Hamiltonian) =
        let x = values (Hamiltonian.sampleBox h 16 1.5 7)
        expectAllClose 1e-12 (values (Hamiltonian.autogradField h (batch h.Dimension x))) (fieldValues h x) h.Name
    testList
        "fields"
        [ test "the pendulum's autograd field equals its closed form dθ/dt = p/(m l²), dp/dt = −m g l sin θ" {
              autogradEqualsClosedForm (Hamiltonians.pendulum 9.81 0.7 1.3)
              expectAllClose
                  1e-12
                  (Hamiltonian.fieldAt (Hamiltonians.pendulum 9.81 0.7 1.3) [| 0.4; 0.9 |])
                  [| 0.9 / (1.3 * 0.49); -1.3 * 9.81 * 0.7 * sin 0.4 |]
                  "by hand"
          }
          test "coupled oscillators: autograd field equals the closed form (chain of 1, 2 and 4)" {
              for n in [ 1; 2; 4 ] do
                  autogradEqualsClosedForm (Hamiltonians.coupledOscillators n 1.3 0.4)
          }
          test "Hénon–Heiles: autograd field equals the closed form" { autogradEqualsClosedForm (Hamiltonians.henonHeiles 0.8) }
          test "spring: autograd field equals the closed form" { autogradEqualsClosedForm (Hamiltonians.spring 2.0 0.5) }
          test "products of builders keep closed forms that equal autograd" {
              autogradEqualsClosedForm (Hamiltonian.product (Hamiltonians.spring 2.0 0.5) (Hamiltonians.henonHeiles 1.0))
          }
          test "2D N-body by autograd equals the core's NBody field and energy" {
              let h = Hamiltonians.nBody 2 [ 1.0; 2.0; 0.5 ] 1.3
              let core = Hnn.Systems.NBody([| 1.0; 2.0; 0.5 |], 1.3) :> Hnn.Systems.IHamiltonianSystem
              for x in SystemsTests.bodyStates 3 5 3 do
                  let expected = Array.zeroCreate 12
                  core.TimeDerivative(ReadOnlySpan x, Span expected)
                  expectAllClose 1e-10 (Hamiltonian.fieldAt h x) expected "field"
                  Expect.floatClose Accuracy.veryHigh (Hamiltonian.energyAt h x) (core.Energy(ReadOnlySpan x)) "energy"
          }
          test "3D N-body and the double pendulum: autograd field equals finite differences of H" {
              let rng = Random 5
              let body3 = Hamiltonians.nBody 3 [ 1.0; 1.0 ] 1.0
              let x3 = [| 1.0; -1.0; 0.3; 0.2; -0.4; 0.5; 0.1; -0.2; 0.3; 0.4; -0.5; 0.6 |]
              expectAllClose 1e-7 (Hamiltonian.fieldAt body3 x3) (finiteDifferenceField body3 x3) "3-D two-body"
              let dp = Hamiltonians.doublePendulum 1.0 2.0 1.5 0.7 9.81
              for _ in 1..5 do
                  let x = Array.init 4 (fun _ -> 3.0 * rng.NextDouble() - 1.5)
                  expectAllClose 1e-6 (Hamiltonian.fieldAt dp x) (finiteDifferenceField dp x) "double pendulum"
          } ]

let separabilityTests =
    let undeclared h = { h with Separable = None }
    testList
        "separability"
        [ test "a spring is detected separable and integrated by leapfrog" {
              let h = undeclared (Hamiltonians.spring 1.0 1.0)
              Expect.isTrue (Hamiltonian.isSeparable h) "separable"
              Expect.equal (Hamiltonian.integrator h).Name Leapfrog.Tableau.Name "leapfrog"
          }
          test "a double pendulum is detected non-separable and integrated by implicit midpoint" {
              let h = undeclared (Hamiltonians.doublePendulum 1.0 1.0 1.0 1.0 9.81)
              Expect.isFalse (Hamiltonian.isSeparable h) "not separable"
              Expect.isGreaterThan (Hamiltonian.mixedDerivative h (Hamiltonian.sampleBox h 8 1.0 1)) 1e-3 "∂²H/∂q∂p ≠ 0"
              Expect.equal (Hamiltonian.integrator h).Name ImplicitMidpoint.Default.Name "implicit midpoint"
          }
          test "pendulums coupled by a spring between the bobs stay separable; a p·cos q term makes H non-separable" {
              let pendulums = Hamiltonian.product (Hamiltonians.pendulum 1.0 1.0 1.0) (Hamiltonians.pendulum 1.0 1.0 1.0)
              let spring = pendulums |> Hamiltonian.couple (fun q _ -> 0.5 * (sin (col 0 q) - sin (col 1 q)) ** 2.0) |> undeclared
              Expect.isTrue (Hamiltonian.isSeparable spring) "position coupling"
              let gyro = pendulums |> Hamiltonian.couple (fun q p -> col 0 p * cos (col 1 q)) |> undeclared
              Expect.isFalse (Hamiltonian.isSeparable gyro) "momentum–position coupling"
          }
          testPropertyWithConfig
              { physicsConfig with maxTest = 30 }
              "declared separability of sums follows the parts; detection agrees with the terms"
          <| Prop.forAll (Arb.fromGen (specGen 2)) (fun spec ->
              let mixed =
                  spec.Terms
                  |> List.exists (fun (c, t) ->
                      c <> 0.0
                      && (match t with
                          | QP _
                          | PSquareCosQ _ -> true
                          | _ -> false))
              // Mixed terms may cancel (e.g. c·q1p2 − c·q1p2): only claim non-separability when no two cancel.
              let cancels = spec.Terms |> List.groupBy snd |> List.exists (fun (_, cs) -> cs.Length > 1)
              let separable = Hamiltonian.isSeparable (build spec)
              if cancels then true else separable = not mixed) ]

let systemTests =
    testList
        "as IHamiltonianSystem"
        [ test "the adapter's energy and field equal the Hamiltonian's, state by state" {
              let h = Hamiltonians.henonHeiles 1.0
              let system = ComposedSystem h :> Hnn.Systems.IHamiltonianSystem
              let x = [| 0.1; -0.2; 0.3; 0.05 |]
              let dx = Array.zeroCreate 4
              system.TimeDerivative(ReadOnlySpan x, Span dx)
              Expect.equal system.Dimension 4 "dimension"
              expectAllClose 1e-14 dx (Hamiltonian.fieldAt h x) "field"
              Expect.floatClose Accuracy.veryHigh (system.Energy(ReadOnlySpan x)) (Hamiltonian.energyAt h x) "energy"
          }
          test "Ode.Solve on the adapter (parallel by default, calls serialised by its lock) agrees with the batched solver" {
              let h = Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + 1.0 - cos q) |> Hamiltonian.named "pendulum"
              let starts = [| 0.5; 0.0; 1.0; 0.5; -0.3; 0.2 |]
              let times = Hnn.Data.Sampling.Linspace(0.0, 2.0, 5)
              let batched = Pipeline.integrate Pipeline.Batched 1e-9 1e-9 h starts times
              let perTrajectory =
                  Ode.Solve(
                      Hnn.Evaluation.TrajectoryEvaluation.BatchField(ComposedSystem h),
                      DormandPrince45.Tableau,
                      starts,
                      3,
                      2,
                      0.0,
                      ReadOnlySpan times,
                      AdaptiveSettings(1e-9, 1e-9)
                  )
              expectAllClose 1e-7 perTrajectory batched "paths"
          }
          test "memory stays flat: 10³ autograd field calls through the adapter, energies and detections leave no live tensor" {
              let h = Hamiltonians.doublePendulum 1.0 1.0 1.0 1.0 9.81 |> fun h -> { h with Separable = None }
              let system = ComposedSystem h
              let x = [| 0.1; 0.2; 0.3; 0.4; -0.1; 0.0; 0.2; 0.1 |]
              let dx = Array.zeroCreate 8
              let work () =
                  system.BatchTimeDerivative(0.0, ReadOnlySpan x, Span dx, 2)
                  (system :> Hnn.Systems.IHamiltonianSystem).Energy(ReadOnlySpan x[..3]) |> ignore
              work ()
              Hamiltonian.isSeparable h |> ignore
              let live () = DisposeScopeManager.Statistics.ThreadTotalLiveCount
              let before = live ()
              for _ in 1..1000 do
                  work ()
              Hamiltonian.isSeparable h |> ignore
              Expect.equal (live () - before) 0L "no tensor outlives a call"
          }
          test "simulate uses implicit midpoint on a double pendulum: energy error bounded, and the flow runs back to its start" {
              let h = Hamiltonians.doublePendulum 1.0 1.0 1.0 1.0 9.81
              let x0 = [| 0.8; -0.4; 0.0; 0.3 |]
              let times = [| 0.0..0.25..2.5 |]
              let paths = Hamiltonian.simulate h 0.02 x0 times
              let e0 = Hamiltonian.energyAt h x0
              let worst = [ for i in 0 .. times.Length - 1 -> abs (Hamiltonian.energyAt h paths[4 * i .. 4 * i + 3] - e0) ] |> List.max
              Expect.isLessThan worst 0.05 "energy error O(h²)"
              // Time reversal: flip the momenta at the end, integrate as long again, flip back.
              let last = paths[paths.Length - 4 ..]
              let flipped = [| last[0]; last[1]; -last[2]; -last[3] |]
              let back = Hamiltonian.simulate h 0.02 flipped times
              let final = back[back.Length - 4 ..]
              expectAllClose 1e-8 [| final[0]; final[1]; -final[2]; -final[3] |] x0 "back at the start"
          }
          test "leapfrog on a composed separable system keeps the energy error bounded over 20 periods" {
              let h = Hamiltonians.pendulum 1.0 1.0 1.0
              let system = ComposedSystem h
              let times = [| 0.0..6.5..130.0 |]
              let paths = Ode.SolveFixed(Hamiltonian.integrator h, system.BatchField, [| 1.0; 0.0 |], 1, 2, 0.0, ReadOnlySpan times, 0.1)
              let e0 = Hamiltonian.energyAt h [| 1.0; 0.0 |]
              let worst = [ for i in 0 .. times.Length - 1 -> abs (Hamiltonian.energyAt h paths[2 * i .. 2 * i + 1] - e0) ] |> List.max
              Expect.isLessThan worst (0.1 ** 2.0) "energy error O(h²), not growing"
          } ]

let pipelineTests =
    let recipe =
        { Pipeline.recipe with
            Trajectories = 6
            Points = 10
            TimeSpan = 2.0
            Starts = Pipeline.Radius(0.2, 0.6)
            NoiseStd = 0.0
            TestFraction = 0.5 }
    testList
        "pipeline"
        [ test "sampled data: sizes, a split by trajectory, targets equal the field at the (noise-free) states, energy conserved" {
              let h = Hamiltonians.henonHeiles 1.0
              let s = Pipeline.sample recipe h
              Expect.equal (s.Dataset.TrainX.Rows, s.Dataset.TestX.Rows, s.Dataset.Dimension) (30, 30, 4) "3 + 3 trajectories of 10 points"
              expectAllClose 1e-12 s.Dataset.TrainDx.Values (fieldValues h s.Dataset.TrainX.Values) "targets"
              let energies = energyValues h s.Dataset.TrainX.Values
              for k in 0..2 do
                  for i in 1..9 do
                      Expect.floatClose
                          { absolute = 1e-8; relative = 1e-8 }
                          energies[10 * k + i]
                          energies[10 * k]
                          "H conserved along a trajectory"
          }
          test "both solvers sample the same data: batched (one step size) and per trajectory (Ode.Solve)" {
              let h = Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + 1.0 - cos q)
              let small = { recipe with Trajectories = 3; Points = 5; Rtol = 1e-9; Atol = 1e-9 }
              let batched = Pipeline.sample small h
              let perTrajectory = Pipeline.sample { small with Solver = Pipeline.PerTrajectory } h
              expectAllClose 1e-7 perTrajectory.Dataset.TrainX.Values batched.Dataset.TrainX.Values "states"
              expectAllClose 1e-7 perTrajectory.Dataset.TestDx.Values batched.Dataset.TestDx.Values "targets"
          }
          test "noise is added to the states only, with the recipe's σ" {
              let h = Hamiltonians.spring 1.0 1.0
              let clean = Pipeline.sample { recipe with Trajectories = 40 } h
              let noisy = Pipeline.sample { recipe with Trajectories = 40; NoiseStd = 0.1 } h
              Expect.equal noisy.Dataset.TrainDx.Values clean.Dataset.TrainDx.Values "targets are clean"
              let diffs = Array.map2 (-) noisy.Dataset.TrainX.Values clean.Dataset.TrainX.Values
              let std = sqrt (Array.averageBy (fun d -> d * d) diffs)
              Expect.floatClose { absolute = 0.015; relative = 0.0 } std 0.1 "σ"
          }
          test "the cache returns the same dataset the second time, and a changed recipe gets its own file" {
              let folder = IO.Path.Combine(IO.Path.GetTempPath(), "hnn-compose-cache-" + string (Guid.NewGuid()))
              try
                  let h = Hamiltonians.spring 1.0 1.0
                  let first = Pipeline.sampleCached folder recipe h
                  let second = Pipeline.sampleCached folder recipe h
                  Expect.equal second.Dataset.TrainX.Values first.Dataset.TrainX.Values "same data"
                  Expect.equal (IO.Directory.GetFiles folder).Length 1 "one file"
                  Pipeline.sampleCached folder { recipe with Seed = 3 } h |> ignore
                  Expect.equal (IO.Directory.GetFiles folder).Length 2 "a second file"
                  // 151 starts differing only in the last number of the last one.
                  let starts last = Pipeline.States [ for i in 0..150 -> [| float i; (if i = 150 then last else 0.0) |] ]
                  let key last = Pipeline.cacheKey { recipe with Starts = starts last } h
                  Expect.notEqual (key 0.0) (key 1e-12) "every start counts"
                  Expect.notEqual
                      (Pipeline.cacheKey recipe h)
                      (Pipeline.cacheKey recipe (Hamiltonian.withParameter "k" (1.0 + 1e-15) h))
                      "every digit of a parameter counts"
              finally
                  IO.Directory.Delete(folder, true)
          }
          test "system |> task |> run |> report goes the run path: every model kind, results.json, a report, the metrics of each model" {
              let h = Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + 1.0 - cos q) |> Hamiltonian.named "tiny pendulum"
              let protocol = { Pipeline.protocol with Count = 5; TimeSpan = 2.0; Points = 10; Rtol = 1e-6; Atol = 1e-6 }
              let folder = IO.Path.Combine(IO.Path.GetTempPath(), "hnn-compose-run-" + string (Guid.NewGuid()))
              try
                  let options = { Experiment.defaults with Steps = Some 30; Threads = Some 1; OutDir = folder; Log = ignore }
                  let run = h |> Pipeline.task "tiny-pendulum" recipe protocol Pipeline.training |> Pipeline.run options
                  let text = Pipeline.report run
                  for word in [ "energy_mse"; "rollout_mse"; "energy_drift"; "baseline"; "hnn"; "dissipative-hnn" ] do
                      Expect.stringContains text word "report"
                  Expect.equal (run.Models |> List.map _.Trained.Kind) Tasks.modelKinds "every model kind"
                  for e in run.Models do
                      let m = e.Metrics.Value
                      Expect.isTrue
                          (Double.IsFinite m.EnergyMse.Mean && Double.IsFinite m.RolloutMse.Mean && Double.IsFinite m.EnergyDrift.Mean)
                          "finite metrics"
                      // A sampled model is fitted in one solve: it has no loss curve.
                      let sampled =
                          e.Trained.Kind = Hnn.Models.ModelKind.SampledHnn || e.Trained.Kind = Hnn.Models.ModelKind.SampledDissipativeHnn
                      Expect.equal e.Trained.Result.TrainLoss.Length (if sampled then 0 else 31) "steps 0..30 (none for a fit)"
                      e.Trained.Model.Dispose()
                  let results = Results.ResultsFile.Read run.Results
                  Expect.isTrue
                      (results |> Seq.exists (fun c -> c.Task = "tiny-pendulum" && c.Metric = "energy_mse"))
                      "results.json holds the task"
                  Expect.stringContains (IO.File.ReadAllText run.Report) "tiny pendulum" "its report page"
              finally
                  IO.Directory.Delete(folder, true)
          } ]

[<Tests>]
let tests = testList "compose" [ tensorMathTests; combinatorTests; fieldTests; separabilityTests; systemTests; pipelineTests ]
