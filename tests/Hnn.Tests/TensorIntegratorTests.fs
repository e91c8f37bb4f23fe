/// Laws of the tensor back end: it computes what the float64 back end computes, keeps memory flat,
/// leaves grad mode to the caller and grows no graph — unless asked to keep it, for training through the steps.
module Hnn.Tests.TensorIntegratorTests

open System
open Expecto
open TorchSharp
open Hnn.Integrators
open Hnn.Tensors
open Hnn.Training
open Hnn.Tests.IntegratorTests

type Tensor = torch.Tensor

/// A batch [rows, values.Length / rows] of the given dtype.
let batch (values: float[]) (rows: int64) (dtype: torch.ScalarType) : Tensor =
    use flat = torch.from_array values
    use shaped = flat.reshape (rows, -1L)
    shaped.to_type dtype

/// The paper's pendulum on a batch [N, 2]: dq/dt = 2p, dp/dt = −3 sin q.
let tensorPendulum (x: Tensor) : Tensor = torch.stack ([| x.select(1, 1L).Times 2.0; x.select(1, 0L).sin().Times -3.0 |], 1L)

/// The same field built as an HNN builds it: M·∇H by autograd, H = 3(1 − cos q) + p².
let autogradPendulum (x: Tensor) : Tensor =
    use scope = torch.NewDisposeScope()
    let xi = x.detach().requires_grad_(true)
    let h = xi.select(1, 0L).cos().neg().Plus(1.0).Times(3.0).add(xi.select(1, 1L).square()).sum()
    let dH = torch.autograd.grad([| h |], [| xi |], retain_graph = false, create_graph = false).[0]
    torch.stack([| dH.select (1, 1L); dH.select(1, 0L).neg() |], 1L).MoveToOuterDisposeScope()

let starts = [| 1.2; 0.3; -0.4; 1.0; 2.8; -0.5 |]

let toArray (t: Tensor) = t.to_type(torch.ScalarType.Float64).data<float>().ToArray()

let maxDiff (a: float[]) (b: float[]) = Array.fold2 (fun m x y -> max m (abs (x - y))) 0.0 a b

let agreement =
    testList
        "agreement with float64"
        [ for m in
              [ Rk4.Tableau :> IFixedStepMethod
                DormandPrince45.Tableau
                BogackiShampine32.Tableau
                Leapfrog.Tableau
                Yoshida4.Tableau
                ImplicitMidpoint.Default ] do
              yield
                  test (sprintf "tensor %s agrees with the float64 stepper to round-off" m.Name) {
                      let times = [| 0.0; 0.5; 1.0; 2.0 |]
                      let expected = Ode.Solve(pendulum, m, starts, 3, 2, 0.0, ReadOnlySpan times, FixedSteps(0.05))
                      use x0 = batch starts 3L torch.ScalarType.Float64
                      use y = TensorOde.Solve(Func<_, _> tensorPendulum, m, x0, 0.0, ReadOnlySpan times, FixedSteps(0.05))
                      Expect.sequenceEqual y.shape [| 3L; 4L; 2L |] "[N, T, D]"
                      Expect.isLessThan (maxDiff (toArray y) expected) 1e-12 "same numbers up to round-off"
                  }
          yield
              test "tensor Dormand–Prince on one trajectory takes the float64 solver's steps" {
                  let times = linspace 0.0 5.0 21
                  let expected = solve pendulum starts[4..5] 1 2 0.0 times 1e-9 1e-12
                  use x0 = batch starts[4..5] 1L torch.ScalarType.Float64
                  use y =
                      TensorOde.Solve(
                          Func<_, _> tensorPendulum,
                          DormandPrince45.Tableau,
                          x0,
                          0.0,
                          ReadOnlySpan times,
                          AdaptiveSettings(1e-9, 1e-12)
                      )
                  Expect.isLessThan (maxDiff (toArray y) expected) 1e-12 "same steps, same numbers up to round-off"
              }
          for m in embeddedPairs do
              yield
                  test (sprintf "tensor %s on one trajectory takes the float64 solver's steps" m.Name) {
                      let times = linspace 0.0 5.0 21
                      let expected = solveWith m pendulum starts[2..3] 1 2 0.0 times 1e-7 1e-10
                      use x0 = batch starts[2..3] 1L torch.ScalarType.Float64
                      use y = TensorOde.Solve(Func<_, _> tensorPendulum, m, x0, 0.0, ReadOnlySpan times, AdaptiveSettings(1e-7, 1e-10))
                      Expect.isLessThan (maxDiff (toArray y) expected) 1e-12 "same steps, same numbers up to round-off"
                  }
          yield
              test "tensor Dormand–Prince over a batch meets its tolerance on the oscillator" {
                  let times = linspace 0.0 10.0 25
                  let tensorSpring (x: Tensor) = torch.stack ([| x.select(1, 1L).Times 2.0; x.select(1, 0L).Times -2.0 |], 1L)
                  use x0 = batch starts 3L torch.ScalarType.Float64
                  let y =
                      TensorOde.Solve(
                          Func<_, _> tensorSpring,
                          DormandPrince45.Tableau,
                          x0,
                          0.0,
                          ReadOnlySpan times,
                          AdaptiveSettings(1e-8, 1e-11)
                      )
                      |> toArray
                  for i in 0..2 do
                      for j in 0 .. times.Length - 1 do
                          let q, p = springExact starts[2 * i] starts[2 * i + 1] times[j]
                          let o = (i * times.Length + j) * 2
                          Expect.isLessThan (max (abs (y[o] - q)) (abs (y[o + 1] - p))) 1e-6 (sprintf "trajectory %d, t = %g" i times[j])
              }
          yield
              test "float32 states give float32 results close to float64" {
                  use x0 = batch starts 3L torch.ScalarType.Float32
                  use y = TensorOde.Solve(Func<_, _> tensorPendulum, Rk4.Tableau, x0, 0.0, ReadOnlySpan [| 1.0 |], FixedSteps(0.05))
                  Expect.equal y.dtype torch.ScalarType.Float32 "dtype follows the input"
                  let expected = Ode.Solve(pendulum, Rk4.Tableau, starts, 3, 2, 0.0, ReadOnlySpan [| 1.0 |], FixedSteps(0.05))
                  Expect.isLessThan (maxDiff (toArray y) expected) 1e-5 "float32 round-off"
              } ]

let discipline =
    testList
        "tensor discipline"
        [ test "memory stays flat: 10³ steps leave only the result alive" {
              use x0 = batch starts 3L torch.ScalarType.Float64
              let run () = TensorOde.Solve(Func<_, _> tensorPendulum, Rk4.Tableau, x0, 0.0, ReadOnlySpan [| 10.0 |], FixedSteps(0.01))
              (run ()).Dispose()
              let live () = DisposeScopeManager.Statistics.ThreadTotalLiveCount
              let before = live ()
              let y = run ()
              let after = live ()
              y.Dispose()
              Expect.equal (after - before) 1L "one live tensor more: the result"
          }
          test "an autograd field (as an HNN's) works in the default grad mode and the result carries no graph" {
              use x0 = batch starts 3L torch.ScalarType.Float64
              let times = [| 1.0; 2.0 |]
              use y = TensorOde.Solve(Func<_, _> autogradPendulum, Leapfrog.Tableau, x0, 0.0, ReadOnlySpan times, FixedSteps(0.05))
              Expect.isFalse y.requires_grad "no graph"
              let expected = Ode.Solve(pendulum, Leapfrog.Tableau, starts, 3, 2, 0.0, ReadOnlySpan times, FixedSteps(0.05))
              Expect.isLessThan (maxDiff (toArray y) expected) 1e-12 "same field, same numbers"
              use z =
                  TensorOde.Solve(
                      Func<_, _> autogradPendulum,
                      DormandPrince45.Tableau,
                      x0,
                      0.0,
                      ReadOnlySpan times,
                      AdaptiveSettings(1e-8, 1e-10)
                  )
              Expect.isFalse z.requires_grad "no graph from the adaptive solver either"
          }
          test "noGrad runs the field under no_grad; by default grad mode is left as it is" {
              let mutable seen = []
              let spy (x: Tensor) =
                  seen <- torch.is_grad_enabled () :: seen
                  tensorPendulum x
              use x0 = batch starts 3L torch.ScalarType.Float64
              (TensorOde.Step(Rk4.Tableau, Func<_, _> spy, x0, 0.1)).Dispose()
              Expect.allEqual seen true "default: grad enabled as the caller left it"
              seen <- []
              (TensorOde.Step(Rk4.Tableau, Func<_, _> spy, x0, 0.1, noGrad = true)).Dispose()
              Expect.allEqual seen false "noGrad: field runs under no_grad"
              Expect.isTrue (torch.is_grad_enabled ()) "grad mode restored afterwards"
          }
          test "states that are not a batch [N, D] are an ArgumentException naming x0" {
              use x0 = torch.from_array [| 1.0; 0.0 |]
              let e =
                  argumentError (fun () ->
                      TensorOde.Solve(
                          Func<_, _> tensorPendulum,
                          DormandPrince45.Tableau,
                          x0,
                          0.0,
                          ReadOnlySpan [| 1.0 |],
                          AdaptiveSettings(1e-6, 1e-9)
                      )
                      |> ignore)
              Expect.equal e.ParamName "x0" "names the argument"
          }
          test "unsorted tEval is an ArgumentException naming tEval (tensor back end)" {
              use x0 = batch starts 3L torch.ScalarType.Float64
              let e =
                  argumentError (fun () ->
                      TensorOde.Solve(Func<_, _> tensorPendulum, Rk4.Tableau, x0, 0.0, ReadOnlySpan [| 1.0; 0.5 |], FixedSteps(0.1))
                      |> ignore)
              Expect.equal e.ParamName "tEval" "names the argument"
          } ]

/// dx₀/dt = x₀², dx₁/dt = −x₁ on a batch [N, 2]: from x₀ = 1 the first coordinate is 1/(1 − t), infinite at t = 1.
let blowUp (x: Tensor) : Tensor = torch.stack ([| x.select(1, 0L).Squared(); x.select(1, 1L).neg() |], 1L)

/// Dormand–Prince 5(4) from t = 0 to the times, with escape radii or without (null).
let private solveEscaping field (x0: Tensor) (times: float[]) (settings: AdaptiveSettings) (radii: Tensor | null) =
    TensorOde.Solve(Func<_, _> field, DormandPrince45.Tableau, x0, 0.0, ReadOnlySpan times, settings, escapeRadii = radii)

let escape =
    testList
        "escape radii"
        [ test "a row that blows up in finite time stops at its radius, NaN from there, while the solve goes on for the rest" {
              // Row 0 blows up at t = 1; row 1 (x₀ = 0) decays as e^(−t). Without radii the solve fails.
              use x0 = batch [| 1.0; 0.5; 0.0; 1.0 |] 2L torch.ScalarType.Float64
              let times = Array.init 21 (fun i -> 0.1 * float i)
              let solve = solveEscaping blowUp x0 times (AdaptiveSettings(1e-10, 1e-12))
              Expect.throwsT<InvalidOperationException> (fun () -> (solve null).Dispose()) "without radii: the blow-up fails the solve"
              use radii = torch.tensor [| 100.0; 100.0 |]
              use y = solve radii
              let v = toArray y
              let at row i j = v[(row * times.Length + i) * 2 + j]
              for i in 0..9 do
                  Expect.floatClose Accuracy.high (at 0 i 0) (1.0 / (1.0 - times[i])) (sprintf "row 0 at t = %g, inside" times[i])
              for i in 10..20 do
                  Expect.isTrue (Double.IsNaN(at 0 i 0) && Double.IsNaN(at 0 i 1)) (sprintf "row 0 at t = %g, after leaving" times[i])
              for i in 0..20 do
                  Expect.floatClose Accuracy.high (at 1 i 1) (exp -times[i]) (sprintf "row 1 at t = %g" times[i])
                  Expect.equal (at 1 i 0) 0.0 "row 1's first coordinate stays 0"
          }
          test "radii no row reaches leave every number as it was" {
              use x0 = batch starts 3L torch.ScalarType.Float64
              let times = [| 0.5; 1.0; 3.0 |]
              let solve = solveEscaping tensorPendulum x0 times (AdaptiveSettings(1e-8, 1e-10))
              use radii = torch.tensor [| 1e3; 1e3; 1e3 |]
              use free = solve null
              use bounded = solve radii
              Expect.sequenceEqual (toArray bounded) (toArray free) "bit for bit"
          }
          test "escape radii for fixed steps, or not one per row, are an ArgumentException naming escapeRadii" {
              use x0 = batch starts 3L torch.ScalarType.Float64
              use three = torch.tensor [| 1.0; 1.0; 1.0 |]
              use two = torch.tensor [| 1.0; 1.0 |]
              for method, control, radii in
                  [ Rk4.Tableau :> IFixedStepMethod, FixedSteps(0.1) :> StepControl, three
                    DormandPrince45.Tableau, AdaptiveSettings(1e-6, 1e-9), two ] do
                  let e =
                      argumentError (fun () ->
                          TensorOde.Solve(Func<_, _> tensorPendulum, method, x0, 0.0, ReadOnlySpan [| 1.0 |], control, escapeRadii = radii)
                          |> ignore)
                  Expect.equal e.ParamName "escapeRadii" "names the argument"
          } ]

/// Σ of the supervised step's output, as a function of the start (for finite differences).
let private supervisedSum (m: IFixedStepMethod) (x: Tensor) (h: Tensor) =
    use y = SupervisedStep.Advance(m, Func<_, _> tensorPendulum, x, h, 2)
    y.sum().item<float>()

let supervision =
    testList
        "steps that keep the graph"
        [ for name in SupervisedStep.Names do
              let m = SupervisedStep.Parse name
              yield
                  test (
                      sprintf
                          "a supervised %s step is the solve's step, with gradients through every stage equal to central differences"
                          m.Name
                  ) {
                      use x = batch starts 3L torch.ScalarType.Float64
                      use h = tensor2d 3 1 [| 0.2; 0.2; 0.2 |]
                      use solved = TensorOde.Solve(Func<_, _> tensorPendulum, m, x, 0.0, ReadOnlySpan [| 0.2 |], FixedSteps(0.1))
                      use xg = x.detach().requires_grad_(true)
                      use y = SupervisedStep.Advance(m, Func<_, _> tensorPendulum, xg, h, 2)
                      Expect.isLessThan (maxDiff (toArray y) (toArray solved)) 1e-14 "two substeps of 0.1 = a fixed-step solve to 0.2"
                      use total = y.sum ()
                      let grad = torch.autograd.grad([| total |], [| xg |]).[0] |> toArray
                      let eps = 1e-6
                      let values = toArray x
                      let numeric =
                          Array.init values.Length (fun i ->
                              let shifted (d: float) =
                                  use moved =
                                      batch (values |> Array.mapi (fun j v -> if j = i then v + d else v)) 3L torch.ScalarType.Float64
                                  supervisedSum m moved h
                              (shifted eps - shifted -eps) / (2.0 * eps))
                      Expect.isLessThan (maxDiff grad numeric) 1e-7 "autograd through the stages vs central differences"
                  }
          yield
              test "implicit midpoint cannot be used for supervision" {
                  use x = batch starts 3L torch.ScalarType.Float64
                  use h = tensor2d 3 1 [| 0.1; 0.1; 0.1 |]
                  Expect.throwsT<NotSupportedException>
                      (fun () -> SupervisedStep.Advance(ImplicitMidpoint.Default, Func<_, _> tensorPendulum, x, h, 1) |> ignore)
                      "refused"
              } ]

[<Tests>]
let tests = testList "integrators" [ testList "tensor back end" [ agreement; discipline; escape; supervision ] ]
