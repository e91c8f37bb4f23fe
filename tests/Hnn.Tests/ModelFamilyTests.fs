/// The model families beyond the HNN (issue 18): the port-Hamiltonian network (it cannot create energy), the Lagrangian
/// network (its Euler–Lagrange accelerations three ways, its coordinates) and the SympNets (symplectic by
/// construction, module by module), and their way through the run path. Laws are checked on float64 copies with random
/// weights, so tolerances are round-off; every draw is seeded.
module Hnn.Tests.ModelFamilyTests

open System
open System.IO
open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn
open Hnn.Data
open Hnn.Evaluation
open Hnn.Integrators
open Hnn.Models
open Hnn.Models.Lagrangian
open Hnn.Models.PortHamiltonian
open Hnn.Models.SympNets
open Hnn.Systems
open Hnn.Tensors
open Hnn.Training
open TorchSharp
type private ScalarType = torch.ScalarType
type private Tensor = torch.Tensor

let private f64 = ScalarType.Float64

/// The message of the ArgumentException `f` throws (a failure if it throws none).
let private refusal (f: unit -> unit) =
    try
        f ()
        failtest "expected an ArgumentException"
    with :? ArgumentException as e ->
        e.Message

/// 100 cases per property, replayed from the suite's fixed seed.
let private config = physicsConfig

let private values (t: Tensor) = t.``to``(f64).contiguous().data<float>().ToArray()

/// A state of `dim` coordinates, each in [−half, half].
let private stateGen (dim: int) (half: float) =
    Gen.arrayOfLength dim (Gen.choose (-1000, 1000) |> Gen.map (fun i -> half * float i / 1000.0))

/// A weight seed and a state.
let private caseGen dim half = Gen.zip (Gen.choose (0, 10_000)) (stateGen dim half) |> Arb.fromGen

/// Every parameter of a (float64) module redrawn from N(0, scale²), seeded: weights far from the tiny initial ones.
let private randomize (m: torch.nn.Module) (seed: int) (scale: float) =
    torch.random.manual_seed (int64 seed) |> ignore
    use _ = torch.no_grad ()
    for p in m.parameters () do
        use r = torch.randn_like p
        use s = r.Times scale
        p.copy_ s |> ignore

/// ∂y/∂x [D, D] of a map y = f(x) at one state, by autograd (float64).
let private jacobian (f: Tensor -> Tensor) (x: float[]) =
    use _ = torch.NewDisposeScope()
    let input = (tensor2d 1 x.Length x).requires_grad_ true
    let y = f input
    Array.init x.Length (fun i ->
        let g = torch.autograd.grad([| y.select(1, int64 i).sum() |], [| input |], retain_graph = true).[0]
        values g)

/// max |JᵀΩJ − Ω| for Ω = [[0, I], [−I, 0]].
let private symplecticDefect (j: float[][]) =
    let d = j.Length
    let n = d / 2
    let omega a b =
        if a < n && b = a + n then 1.0
        elif a >= n && b = a - n then -1.0
        else 0.0
    seq {
        for a in 0 .. d - 1 do
            for b in 0 .. d - 1 do
                let jtoj =
                    seq {
                        for k in 0 .. d - 1 do
                            for l in 0 .. d - 1 -> j[k][a] * omega k l * j[l][b]
                    }
                    |> Seq.sum
                yield abs (jtoj - omega a b)
    }
    |> Seq.max

// ---- Port-Hamiltonian network ---------------------------------------------------------------------------------

/// A port-Hamiltonian network of 2 degrees of freedom in float64 with random weights, and a random L (or L = 0).
let private portHnn (seed: int) (damped: bool) =
    let m = DynamicsModel.Create(ModelSettings(ModelKind.PortHnn, 4, HiddenDim = 16), seed) :?> PortHamiltonianNet
    m.``to`` f64 |> ignore
    m.eval ()
    randomize m seed 0.5
    if not damped then
        use _ = torch.no_grad ()
        for struct (name, p) in m.named_parameters () do
            if name = "damping" then
                p.zero_ () |> ignore
    m

/// ∇H at one state by autograd.
let private gradientOfH (m: PortHamiltonianNet) (x: float[]) =
    use _ = torch.NewDisposeScope()
    let input = (tensor2d 1 x.Length x).requires_grad_ true
    values (torch.autograd.grad([| m.Hamiltonian(input).sum() |], [| input |]).[0])

let private field (m: DynamicsModel) (x: float[]) =
    use _ = torch.NewDisposeScope()
    values (m.TimeDerivative(tensor2d 1 x.Length x, false))

let portHamiltonian =
    testList
        "port-Hamiltonian network"
        [ testPropertyWithConfig config "its field never increases its H: dH/dt = −∇ₚHᵀ LLᵀ ∇ₚH ≤ 0 for random weights"
          <| Prop.forAll (caseGen 4 2.0) (fun (seed, x) ->
              use m = portHnn seed true
              let g = gradientOfH m x
              let f = field m x
              let rate = Array.fold2 (fun s a b -> s + a * b) 0.0 g f
              let r = values (m.DampingMatrix())
              let gp = g[2..]
              let dissipated =
                  Seq.sum (
                      seq {
                          for i in 0..1 do
                              for j in 0..1 -> gp[i] * r[2 * i + j] * gp[j]
                      }
                  )
              let scale = 1e-12 * (1.0 + Array.sumBy (fun v -> v * v) g) * (1.0 + Array.max (Array.map abs r))
              Expect.isLessThanOrEqual rate scale "dH/dt ≤ 0"
              Expect.isTrue (close scale 1e-10 -rate dissipated) (sprintf "dH/dt = %g, −∇ₚHᵀR∇ₚH = %g" rate -dissipated))

          testPropertyWithConfig config "with L = 0 it is the HNN of its H: field (∂H/∂p, −∂H/∂q), divergence-free"
          <| Prop.forAll (caseGen 4 2.0) (fun (seed, x) ->
              use m = portHnn seed false
              let g = gradientOfH m x
              let f = field m x
              let hnn = Array.append g[2..] (Array.map (~-) g[..1])
              Expect.all (Array.zip f hnn) (fun (a, b) -> close 1e-12 1e-10 a b) "J∇H"
              let j = jacobian (fun t -> m.TimeDerivative(t, true)) x
              let divergence = Seq.sum (seq { for i in 0..3 -> j[i][i] })
              Expect.isLessThan (abs divergence) (1e-10 * (1.0 + Array.sumBy abs (Array.concat j))) "∇·f = 0")

          test "its energy decays along its own flow (RK4, float64): H(x(t)) never increases" {
              use m = portHnn 3 true
              use _ = torch.NewDisposeScope()
              let x0 = tensor2d 4 4 [| 0.5; -1.0; 0.3; 0.8; 1.2; 0.1; -0.7; 0.4; -1.5; 0.6; 0.9; -0.2; 0.2; 0.2; -1.1; -0.9 |]
              let path = TensorOde.SolveFixed(Rk4.Tableau, ModelField.Of m, x0, 0.0, ReadOnlySpan(Sampling.Linspace(0.0, 2.0, 201)), 0.01)
              let energies = values (m.Hamiltonian(path.reshape (-1L, 4L))) |> Array.chunkBySize 201
              for e in energies do
                  let rises = e |> Array.pairwise |> Array.map (fun (a, b) -> b - a) |> Array.max
                  Expect.isLessThan rises 1e-9 "largest step-to-step rise of H (RK4 error at h = 0.01 ≪ 1e-9)"
                  Expect.isLessThan e[200] e[0] "H decays"
          } ]

// ---- Lagrangian network ---------------------------------------------------------------------------------------

/// The pendulum's L = q̇²/2 + cos q on states (q, q̇) [N, 2]; q̈ = −sin q.
let private pendulumL (x: Tensor) =
    use q = x.select (1, 0L)
    use v = x.select (1, 1L)
    use kinetic = v.Squared().Times 0.5
    use potential = q.cos ()
    kinetic.Plus potential

let private pendulumAcceleration (x: float[]) = [| -sin x[0] |]

/// A Lagrangian of two degrees of freedom, `l q₁ q₂ q̇₁ q̇₂` on the columns of states (q₁, q₂, q̇₁, q̇₂) [N, 4].
let private ofColumns (l: Tensor -> Tensor -> Tensor -> Tensor -> Tensor) (x: Tensor) =
    use q1 = x.select (1, 0L)
    use q2 = x.select (1, 1L)
    use v1 = x.select (1, 2L)
    use v2 = x.select (1, 3L)
    l q1 q2 v1 v2

/// The double pendulum of unit masses and lengths, a coupled L with a state-dependent mass matrix and mixed terms:
/// L = q̇₁² + ½q̇₂² + cos(q₁ − q₂) q̇₁q̇₂ + 2 cos q₁ + cos q₂ on states (q₁, q₂, q̇₁, q̇₂).
let private doublePendulumL =
    ofColumns (fun q1 q2 v1 v2 ->
        use c = (q1 - q2).cos()
        use kinetic = v1.Squared().Plus(v2.Squared().Times 0.5).Plus(c * v1 * v2)
        use potential = q1.cos().Times(2.0).Plus(q2.cos ())
        kinetic.Plus potential)

/// Its accelerations in closed form: [[2, c], [c, 1]] q̈ = (−s q̇₂² − 2 sin q₁, s q̇₁² − sin q₂), s = sin(q₁ − q₂).
let private doublePendulumAcceleration (x: float[]) =
    let c, s = cos (x[0] - x[1]), sin (x[0] - x[1])
    let b1 = -s * x[3] * x[3] - 2.0 * sin x[0]
    let b2 = s * x[2] * x[2] - sin x[1]
    let det = 2.0 - c * c
    [| (b1 - c * b2) / det; (2.0 * b2 - c * b1) / det |]

/// The Euler–Lagrange accelerations with every derivative of L by central differences (float64), solved by Cramer's rule.
let private finiteDifferenceAcceleration (lagrangian: Tensor -> Tensor) (x: float[]) =
    let d = x.Length
    let n = d / 2
    let l (y: float[]) =
        use _ = torch.NewDisposeScope()
        (values (lagrangian (tensor2d 1 d y)))[0]
    let shifted (moves: (int * float) list) = Array.init d (fun k -> x[k] + (moves |> List.sumBy (fun (i, e) -> if i = k then e else 0.0)))
    let e = 1e-4
    let first i = (l (shifted [ i, e ]) - l (shifted [ i, -e ])) / (2.0 * e)
    let second i j =
        (l (shifted [ i, e; j, e ]) - l (shifted [ i, e; j, -e ]) - l (shifted [ i, -e; j, e ]) + l (shifted [ i, -e; j, -e ]))
        / (4.0 * e * e)
    let a = Array2D.init n n (fun i j -> second (n + i) (n + j))
    let b = Array.init n (fun i -> first i - Seq.sum (seq { for j in 0 .. n - 1 -> second (n + i) j * x[n + j] }))
    if n = 1 then
        [| b[0] / a[0, 0] |]
    else
        let det = a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]
        [| (b[0] * a[1, 1] - a[0, 1] * b[1]) / det; (a[0, 0] * b[1] - a[1, 0] * b[0]) / det |]

let private autogradAcceleration (lagrangian: Tensor -> Tensor) (x: float[]) =
    use _ = torch.NewDisposeScope()
    values (EulerLagrange.Accelerations(Func<_, _> lagrangian, tensor2d 1 x.Length x, 0.0, false))

let private threeWays name (lagrangian: Tensor -> Tensor) (closedForm: float[] -> float[]) dim =
    testPropertyWithConfig config (sprintf "%s: Euler–Lagrange accelerations by autograd = closed form = finite differences" name)
    <| Prop.forAll (Arb.fromGen (stateGen dim 2.5)) (fun x ->
        let exact = closedForm x
        let byAutograd = autogradAcceleration lagrangian x
        let byDifferences = finiteDifferenceAcceleration lagrangian x
        Expect.all
            (Array.zip byAutograd exact)
            (fun (a, b) -> close 1e-12 1e-11 a b)
            (sprintf "autograd %A vs closed form %A" byAutograd exact)
        Expect.all
            (Array.zip byDifferences exact)
            (fun (a, b) -> close 1e-6 1e-6 a b)
            (sprintf "differences %A vs closed form %A" byDifferences exact))

/// Saves `m` as a model file in a fresh folder, checks that `field` is written in it, and loads it back twice: as written,
/// and with `field` removed (a file written before that setting existed). Each load's settings and weight count.
let private fileWithAndWithout (m: DynamicsModel) (field: Text.RegularExpressions.Regex) =
    let dir = temporaryFolder "tests"
    try
        let path = Path.Combine(dir, "model.json")
        ModelFile.Save(m, "chain", TrainSettings(Steps = 1), path) |> ignore
        let text = File.ReadAllText path
        Expect.isTrue (field.IsMatch text) (sprintf "%O is in the file" field)
        let load () =
            let struct (loaded, _) = ModelFile.Load path
            use _ = loaded
            loaded.Settings, loaded.parameters () |> Seq.sumBy _.numel()
        let written = load ()
        File.WriteAllText(path, field.Replace(text, ""))
        written, load ()
    finally
        Directory.Delete(dir, true)

/// A float32 LNN of width 16 on two degrees of freedom, at the relative ridge a new LNN has.
let private smallLnn (seed: int) =
    DynamicsModel.Create(
        ModelSettings(ModelKind.Lnn, 4, HiddenDim = 16, Nonlinearity = Nonlinearity.Softplus, RelativeRidge = LagrangianNet.RelativeRidge),
        seed
    )
    :?> LagrangianNet

let lagrangian =
    testList
        "Lagrangian network"
        [ threeWays "pendulum L = q̇²/2 + cos q" pendulumL pendulumAcceleration 2
          threeWays "double pendulum (coupled, mixed ∂²L/∂q̇∂q)" doublePendulumL doublePendulumAcceleration 4

          test "the accelerations of a batch are those of its states one by one" {
              use _ = torch.NewDisposeScope()
              let states = [| [| 0.3; -1.2; 0.5; 2.0 |]; [| -2.0; 0.7; -1.5; 0.1 |]; [| 1.0; 1.0; 0.0; 0.0 |] |]
              let batch = values (EulerLagrange.Accelerations(Func<_, _> doublePendulumL, tensor2d 3 4 (Array.concat states), 0.0, false))
              let single = states |> Array.collect (autogradAcceleration doublePendulumL)
              Expect.all (Array.zip batch single) (fun (a, b) -> close 1e-14 1e-12 a b) "batched = one by one"
          }

          test "the ridge form is the plain solve for λ = 0 and bounded where ∂²L/∂q̇² vanishes" {
              use _ = torch.NewDisposeScope()
              // L = q̇³/6 + cos q: ∂²L/∂q̇² = q̇, zero at q̇ = 0.
              let cubic (x: Tensor) =
                  use v = x.select (1, 1L)
                  use q = x.select (1, 0L)
                  (v.Power 3.0).DividedBy(6.0).Plus(q.cos ())
              let at v ridge = (values (EulerLagrange.Accelerations(Func<_, _> cubic, tensor2d 1 2 [| 1.0; v |], ridge, false)))[0]
              Expect.isTrue (close 1e-12 1e-12 (at 0.5 0.0) (-sin 1.0 / 0.5)) "λ = 0: −sin q / q̇"
              let bound = sin 1.0 / (2.0 * sqrt 1e-4)
              for v in [ -1e-3; 0.0; 1e-6; 1e-2 ] do
                  Expect.isLessThanOrEqual (abs (at v 1e-4)) (bound * (1.0 + 1e-12)) (sprintf "|q̈| ≤ |b|/(2√λ) at q̇ = %g" v)
          }

          test "with a relative ridge μ, q̈ is the same for L and c·L, and A⁻¹b/(1 + μ) where A is a multiple of I" {
              use _ = torch.NewDisposeScope()
              let at (lagrangian: Tensor -> Tensor) ridge mu (x: float[]) =
                  values (EulerLagrange.Accelerations(Func<_, _> lagrangian, tensor2d 1 4 x, ridge, false, mu))
              let scaled c (l: Tensor -> Tensor) (x: Tensor) = (l x).Times c
              // A = 3I, with a mixed term q₂q̇₁ in b
              let isotropic =
                  ofColumns (fun q1 q2 v1 v2 -> (v1.Squared().Plus(v2.Squared())).Times(1.5).Plus(q1.cos ()).Plus((q2 * v1).Times 0.3))
              for x in [ [| 0.3; -1.2; 0.5; 2.0 |]; [| -2.0; 0.7; -1.5; 0.1 |] ] do
                  let plain = at isotropic 0.0 0.0 x
                  let ridged = at isotropic 0.0 0.01 x
                  Expect.all (Array.zip ridged plain) (fun (r, p) -> close 1e-14 1e-12 r (p / 1.01)) "A = 3I: q̈ = A⁻¹b / 1.01"
                  for c in [ 1e-3; 1e3 ] do
                      let big = at (scaled c doublePendulumL) 0.0 0.01 x
                      let one = at doublePendulumL 0.0 0.01 x
                      Expect.all (Array.zip big one) (fun (a, b) -> close 1e-12 1e-10 a b) (sprintf "L and %g·L, relative ridge" c)
                  // a fixed λ is not scale-free: at L/1000 it is comparable with A² and changes the motion
                  let fixedSmall = at (scaled 1e-3 doublePendulumL) 1e-4 0.0 x
                  let fixedOne = at doublePendulumL 1e-4 0.0 x
                  Expect.isFalse
                      (Array.forall2 (close 1e-6 1e-6) fixedSmall fixedOne)
                      (sprintf "a fixed λ moves q̈ when L is scaled: %A vs %A" fixedSmall fixedOne)
          }

          test "a relative ridge bounds q̈ along a nearly singular direction of A whatever L's scale; a fixed λ does not once L is large" {
              use _ = torch.NewDisposeScope()
              // L = c(q̇₁²/2 + εq̇₂²/2 + cos q₁ + cos q₂): A = c·diag(1, ε), b = −c(sin q₁, sin q₂), s = tr(A²)/2
              let nearlySingular c eps =
                  ofColumns (fun q1 q2 v1 v2 ->
                      (v1.Squared().Times(0.5).Plus(v2.Squared().Times(0.5 * eps)).Plus(q1.cos ()).Plus(q2.cos ())).Times c)
              let x = [| 0.4; 1.0; 0.2; -0.3 |]
              let mu = 0.01
              let at c eps ridge relative =
                  (values (EulerLagrange.Accelerations(Func<_, _>(nearlySingular c eps), tensor2d 1 4 x, ridge, false, relative)))[1]
              // q̈₂ = −ε sin q₂ / (ε² + μ(1 + ε²)/2) (λ = 0): at most |sin q₂| / (2√(μ(1 + ε²)/2)), reached at ε² = μ(1 + ε²)/2
              let bound eps = abs (sin 1.0) / (2.0 * sqrt (mu * (1.0 + eps * eps) / 2.0))
              let worst = sqrt (mu / (2.0 - mu))
              for eps in [ 1e-6; 1e-2; worst; 0.3 ] do
                  let bound = bound eps
                  for c in [ 1e-3; 1.0; 1e3 ] do
                      let q2 = at c eps 0.0 mu
                      Expect.isLessThanOrEqual (abs q2) (bound * (1.0 + 1e-9)) (sprintf "ε = %g, c = %g: |q̈₂| = %g ≤ %g" eps c q2 bound)
                      if eps = worst then
                          Expect.isGreaterThan (abs q2) (bound * (1.0 - 1e-9)) (sprintf "ε = %g, c = %g: the bound is reached" eps c)
              Expect.isGreaterThan (abs (at 1e3 1e-6 1e-4 0.0)) (100.0 * bound 0.0) "a fixed λ with L large: q̈₂ near −sin q₂ / ε"
          }

          test "a new LNN carries the relative ridge in its settings; a model file without it reads as 0, its motion as before" {
              let settings = ModelSettings.Default(ModelKind.Lnn, 4)
              Expect.equal settings.RelativeRidge LagrangianNet.RelativeRidge "an LNN's default"
              Expect.equal (ModelSettings.Default(ModelKind.Hnn, 4)).RelativeRidge 0.0 "none for other kinds"
              use m = DynamicsModel.Create(settings, 0)
              let (written, _), (older, _) = fileWithAndWithout m (Text.RegularExpressions.Regex ",\\s*\"relative_ridge\": 0.01")
              Expect.equal written.RelativeRidge LagrangianNet.RelativeRidge "read back"
              Expect.equal older.RelativeRidge 0.0 "without the field: no relative ridge"
              for bad, word in
                  [ ModelSettings(ModelKind.Lnn, 4, Nonlinearity = Nonlinearity.Softplus, RelativeRidge = -0.1), "relative ridge"
                    ModelSettings(ModelKind.Lnn, 4, Nonlinearity = Nonlinearity.Softplus, RelativeRidge = nan), "relative ridge"
                    ModelSettings(ModelKind.Hnn, 4, RelativeRidge = 0.01), "Lagrangian networks only" ] do
                  let e = Expect.throwsC (fun () -> bad.Validate() |> ignore) id
                  Expect.stringContains e.Message word (sprintf "refused: %s" e.Message)
          }

          test "an LNN starts at Cranmer et al.'s init: weights normal with std c/√m (c = 2.2, 0.58, m), biases zero" {
              use m =
                  DynamicsModel.Create(ModelSettings(ModelKind.Lnn, 4, HiddenDim = 200, Nonlinearity = Nonlinearity.Softplus), 0)
                  :?> LagrangianNet
              let p = dict [ for struct (name, t) in m.named_parameters () -> name, t ]
              let std (t: torch.Tensor) =
                  use d = t.detach().``to`` f64
                  use s = d.std ()
                  s.item<float>()
              // Sample standard deviations of 800, 40 000 and 200 draws: within 3 % (first two) and 15 % of c/√m.
              for name, expected, tolerance in
                  [ "mlp.linear1.weight", 2.2 / sqrt 200.0, 0.03
                    "mlp.linear2.weight", 0.58 / sqrt 200.0, 0.03
                    "mlp.linear3.weight", sqrt 200.0, 0.15 ] do
                  let s = std p[name]
                  Expect.isLessThan (abs (s / expected - 1.0)) tolerance (sprintf "%s: std %g, expected %g" name s expected)
              for name in [ "mlp.linear1.bias"; "mlp.linear2.bias" ] do
                  use a = p[name].abs().max()
                  Expect.equal (a.item<float32>()) 0.0f (sprintf "%s is zero" name)
              Expect.isFalse (p.ContainsKey "mlp.linear3.bias") "the last layer has no bias"
          }

          testPropertyWithConfig config "an LNN's field is (q̇, q̈) with q̈ the Euler–Lagrange accelerations of its own L"
          <| Prop.forAll (caseGen 4 1.5) (fun (seed, x) ->
              use m = smallLnn seed
              m.``to`` f64 |> ignore
              m.eval ()
              Expect.equal m.Coordinates StateCoordinates.Velocity "velocity coordinates"
              let f = field m x
              use _ = torch.NewDisposeScope()
              let acc =
                  values (
                      EulerLagrange.Accelerations(
                          Func<_, _>(fun t -> m.Lagrangian t),
                          tensor2d 1 4 x,
                          LagrangianNet.Ridge,
                          false,
                          LagrangianNet.RelativeRidge
                      )
                  )
              Expect.all (Array.zip f (Array.append x[2..] acc)) (fun (a, b) -> close 1e-12 1e-10 a b) "field")

          test "an LNN trains through the same gradients as autograd's Euler–Lagrange accelerations of its own L" {
              use m = smallLnn 3
              m.``to`` f64 |> ignore
              m.train ()
              use _ = torch.NewDisposeScope()
              torch.random.manual_seed 5L |> ignore
              let x = torch.randn ([| 32L; 4L |], dtype = f64)
              let weightsGradient (accelerations: unit -> torch.Tensor) =
                  m.zero_grad ()
                  (accelerations ()).Squared().sum().backward()
                  [ for p in m.parameters () -> values (p.grad |> nonNull) ] |> Array.concat
              let chainRule = weightsGradient (fun () -> (m.TimeDerivative(x, true)).narrow(1, 2L, 2L))
              let autograd =
                  weightsGradient (fun () ->
                      EulerLagrange.Accelerations(
                          Func<_, _>(fun t -> m.Lagrangian t),
                          x,
                          LagrangianNet.Ridge,
                          true,
                          LagrangianNet.RelativeRidge
                      ))
              Expect.equal chainRule.Length autograd.Length "one value per weight"
              Expect.isTrue (chainRule |> Array.exists (fun g -> abs g > 1e-6)) "the gradient is not zero"
              Expect.all (Array.zip chainRule autograd) (fun (a, b) -> close 1e-10 1e-9 a b) "∂loss/∂weights"
          }
          test "velocity coordinates map (q, p) to (q, ∂H/∂p) and back to round-off, and targets are (q̇, q̈) of the system" {
              let pendulum = Pendulum.Ideal
              let data = PendulumRecipe(Trajectories = 4, Points = 10, NoiseStd = 0.0).Generate()
              let v = VelocityCoordinates.FromCanonical(pendulum, data)
              for r in 0 .. data.TrainX.Rows - 1 do
                  let q, p = data.TrainX[r, 0], data.TrainX[r, 1]
                  Expect.isTrue (close 1e-14 0.0 v.TrainX[r, 1] (2.0 * p)) "q̇ = ∂H/∂p = 2p"
                  Expect.isTrue (close 1e-12 0.0 v.TrainDx[r, 0] (2.0 * p)) "d q/dt = q̇"
                  Expect.isTrue (close 1e-8 1e-8 v.TrainDx[r, 1] (-6.0 * sin q)) "q̈ = 2ṗ = −6 sin q"
              let back = VelocityCoordinates.ToCanonical(pendulum, v.TestX)
              Expect.all (Array.zip back.Values data.TestX.Values) (fun (a, b) -> close 1e-14 1e-13 a b) "inverse Legendre map"
              Expect.equal v.TrainTimeline data.TrainTimeline "same rows at the same times"
              // A diverged path's sample (NaN) maps to NaN and leaves the other rows as they were.
              let values = Array.copy v.TestX.Values
              values[2] <- nan
              let withGap = VelocityCoordinates.ToCanonical(pendulum, StateMatrix(values, v.TestX.Rows, 2))
              Expect.isTrue (Double.IsNaN withGap.Values[2] && Double.IsNaN withGap.Values[3]) "the row with a NaN is NaN"
              Expect.equal withGap.Values[4..] back.Values[4..] "the other rows are mapped as before"
              Expect.equal withGap.Values[0..1] back.Values[0..1] "the first row too"
          }

          test "an LNN on a task without a known system is refused, naming the dataset" {
              let data = SpringRecipe(Trajectories = 4).Generate()
              let message = refusal (fun () -> TrainingInputs.For(ModelSettings.Default(ModelKind.Lnn, 2), data, null) |> ignore)
              Expect.stringContains message "'spring'" "names the dataset"
          } ]

// ---- SympNets -------------------------------------------------------------------------------------------------

/// Modules of 2 degrees of freedom over a step h = 0.5, in float64 with weights of scale 1.
let private modules: (string * (int -> torch.nn.Module<Tensor, Tensor>)) list =
    let make (build: unit -> #torch.nn.Module<Tensor, Tensor>) seed =
        let m = build () :> torch.nn.Module<Tensor, Tensor>
        m.``to`` f64 |> ignore
        randomize m seed 1.0
        m
    let settings kind = ModelSettings(kind, 4, HiddenDim = 8, Nonlinearity = Nonlinearity.Sigmoid, StepSize = Nullable 0.5)
    [ "linear module (3 shears)", make (fun () -> new LinearModule(2, 3, ShearKind.Kick, 0.5))
      "activation module, kick (sigmoid)", make (fun () -> new ActivationModule(2, ShearKind.Kick, Nonlinearity.Sigmoid, 0.5))
      "activation module, drift (tanh)", make (fun () -> new ActivationModule(2, ShearKind.Drift, Nonlinearity.Tanh, 0.5))
      "gradient module, kick (width 8)", make (fun () -> new GradientModule(2, 8, ShearKind.Kick, Nonlinearity.Sigmoid, 0.5))
      "gradient module, drift (width 8)", make (fun () -> new GradientModule(2, 8, ShearKind.Drift, Nonlinearity.Sigmoid, 0.5))
      "LA-SympNet", make (fun () -> DynamicsModel.Create(settings ModelKind.LaSympNet))
      "G-SympNet", make (fun () -> DynamicsModel.Create(settings ModelKind.GSympNet)) ]

/// A module's map: a step map's step, any other module's forward.
let private mapOf (m: torch.nn.Module<Tensor, Tensor>) : Tensor -> Tensor =
    match m with
    | :? StepMap as s -> s.Step
    | _ -> m.forward

/// A float64 copy of a fresh DeLaN on `n` degrees of freedom (width 16, tanh as by default), its weights seeded.
let private smallDelan (n: int) (seed: int) =
    use net = DynamicsModel.Create(ModelSettings(ModelKind.Delan, 2 * n, HiddenDim = 16), seed)
    ModelField.ToFloat64 net :?> DeepLagrangianNet

/// q̈ of the mechanical form L = ½q̇ᵀM(q)q̇ − V(q) written out, M q̈ = ½∇q(q̇ᵀMq̇) − Ṁq̇ − ∇V with Ṁ = Σₖ ∂M/∂qₖ q̇ₖ,
/// from the network's own M and V and their derivatives by central differences (step 1e-5).
let private mechanicalAcceleration (net: DeepLagrangianNet) (x: float[]) =
    let n = x.Length / 2
    let q, v = x[.. n - 1], x[n..]
    let massAt (q: float[]) = values (net.MassMatrix(tensor2d 1 n q))
    let potentialAt (q: float[]) = (values (net.Potential(tensor2d 1 n q)))[0]
    let h = 1e-5
    let shifted k s = q |> Array.mapi (fun i qi -> if i = k then qi + s else qi)
    let dM = Array.init n (fun k -> Array.map2 (fun a b -> (a - b) / (2.0 * h)) (massAt (shifted k h)) (massAt (shifted k -h)))
    let gradV = Array.init n (fun k -> (potentialAt (shifted k h) - potentialAt (shifted k -h)) / (2.0 * h))
    let rhs =
        Array.init n (fun i ->
            let half =
                0.5
                * Seq.sum (
                    seq {
                        for j in 0 .. n - 1 do
                            for k in 0 .. n - 1 -> dM[i][j * n + k] * v[j] * v[k]
                    }
                )
            let mdot =
                Seq.sum (
                    seq {
                        for j in 0 .. n - 1 do
                            for k in 0 .. n - 1 -> dM[k][i * n + j] * v[j] * v[k]
                    }
                )
            half - mdot - gradV[i])
    let m = MathNet.Numerics.LinearAlgebra.Matrix<float>.Build.DenseOfRowMajor(n, n, massAt q)
    m.Solve(MathNet.Numerics.LinearAlgebra.Vector<float>.Build.DenseOfArray rhs).ToArray()

let deepLagrangian =
    testList
        "deep Lagrangian network"
        [ test "its mass matrix CCᵀ + εI is symmetric with every eigenvalue at least ε, for random weights and states" {
              use _ = torch.NewDisposeScope()
              let rng = Random 7
              for seed in 0..4 do
                  use net = smallDelan 4 seed
                  let q = Array.init (8 * 4) (fun _ -> 4.0 * rng.NextDouble() - 2.0)
                  let m = values (net.MassMatrix(tensor2d 8 4 q))
                  for s in 0..7 do
                      let block = MathNet.Numerics.LinearAlgebra.Matrix<float>.Build.DenseOfRowMajor(4, 4, m[s * 16 .. s * 16 + 15])
                      Expect.isLessThan (block.Subtract(block.Transpose()).InfinityNorm()) 1e-15 "symmetric"
                      let least = block.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues |> Seq.map _.Real |> Seq.min
                      Expect.isGreaterThanOrEqual
                          least
                          (DeepLagrangianNet.MassFloor * (1.0 - 1e-9))
                          (sprintf "seed %d, state %d: λmin %g" seed s least)
          }
          test "its accelerations are M⁻¹(½∇q(q̇ᵀMq̇) − Ṁq̇ − ∇V) of its own M and V (central differences), on one and two degrees of freedom" {
              use _ = torch.NewDisposeScope()
              let rng = Random 11
              for n, seed in [ 1, 0; 1, 1; 2, 2; 2, 3 ] do
                  use net = smallDelan n seed
                  for _ in 1..4 do
                      let x = Array.init (2 * n) (fun _ -> 2.0 * rng.NextDouble() - 1.0)
                      let field = values (net.TimeDerivative(tensor2d 1 (2 * n) x, false))
                      Expect.sequenceEqual field[.. n - 1] x[n..] "q̇ is the state's velocity"
                      let expected = mechanicalAcceleration net x
                      Expect.all
                          (Array.zip field[n..] expected)
                          (fun (a, b) -> close 1e-7 1e-7 a b)
                          (sprintf "n = %d, seed %d, x = %A: %A vs %A" n seed x field[n..] expected)
          } ]

let sympNets =
    testList
        "SympNets"
        [ for name, make in modules do
              testPropertyWithConfig
                  { config with maxTest = 30 }
                  (sprintf "%s: the one-step map satisfies JᵀΩJ = Ω to round-off for random weights" name)
              <| Prop.forAll (caseGen 4 2.0) (fun (seed, x) ->
                  use m = make seed
                  let j = jacobian (mapOf m) x
                  let size = j |> Array.concat |> Array.map abs |> Array.max
                  Expect.isLessThan (symplecticDefect j) (1e-13 * (1.0 + size * size)) "float64 weights: round-off of |J|²"
                  let moved =
                      Seq.sum (
                          seq {
                              for i in 0..3 do
                                  for k in 0..3 -> abs (j[i][k] - (if i = k then 1.0 else 0.0))
                          }
                      )
                  Expect.isGreaterThan moved 1e-3 "a map that moves (not the identity)")

          test "an RK4 step of a pendulum fails the same check (the check can fail)" {
              let rk4 (x: Tensor) =
                  let f (y: Tensor) =
                      torch.stack ([| y.select (1, 2L); y.select (1, 3L); -(y.select(1, 0L).sin()); -(y.select(1, 1L).sin()) |], 1L)
                  use h = torch.full (1L, 1L, 0.5, dtype = f64)
                  SupervisedStep.Advance(Rk4.Tableau, Func<_, _> f, x, h, 1)
              Expect.isGreaterThan (symplecticDefect (jacobian rk4 [| 2.5; -1.0; 0.3; 0.8 |])) 1e-5 "visible defect"
          }

          test "a step map's secant field is (Step(x) − x)/h" {
              use m = (snd modules[6]) 4 :?> StepMap
              use _ = torch.NewDisposeScope()
              let x = tensor2d 2 4 [| 0.1; 0.2; 0.3; 0.4; -1.0; 0.5; 0.0; 2.0 |]
              let secant = values ((m.Step x - x).DividedBy m.StepSize)
              Expect.all (Array.zip (values (m.TimeDerivative(x, false))) secant) (fun (a, b) -> close 1e-14 1e-12 a b) "secant"
          }

          test "a step map is sampled at multiples of its step over the protocol's horizon" {
              let h = 0.25
              let onGrid = [| 1.0; 1.5; 2.25 |]
              Expect.isTrue (obj.ReferenceEquals(ModelRollout.OnStepGrid(onGrid, h), onGrid)) "times already on the grid are kept"
              Expect.sequenceEqual (ModelRollout.OnStepGrid([| 0.0; 0.3; 1.1 |], h)) [| 0.0; 0.25; 0.5; 0.75; 1.0 |] "the grid over [t₀, T]"
          }

          test "a step map learns its data's step; uneven steps are refused, naming the dataset" {
              let data = SpringRecipe(Trajectories = 4, Points = 11, TimeSpan = 1.0).Generate()
              let inputs = TrainingInputs.For(ModelSettings.Default(ModelKind.GSympNet, 2), data, null)
              Expect.isTrue (close 1e-15 1e-12 inputs.Settings.StepSize.Value 0.1) "h = 1/10"
              let timeline = nonNull data.TrainTimeline
              let uneven = Timeline(timeline.Times |> Array.mapi (fun i t -> if i % 11 = 3 then t + 0.01 else t), timeline.Trajectories)
              let unevenData = Dataset(data.Name, data.TrainX, data.TrainDx, data.TestX, data.TestDx, uneven, data.TestTimeline)
              let message = refusal (fun () -> TrainingInputs.StepSize unevenData |> ignore)
              Expect.stringContains message "'spring'" "names the dataset"
              Expect.throwsT<ArgumentException>
                  (fun () -> ModelSettings(ModelKind.LaSympNet, 2).Validate() |> ignore)
                  "a map needs its step"
          }

          test "a SympNet composes as many modules as its depth says; a model file without the depth reads as the former one" {
              let n, w = 2, 8
              let settings kind layers =
                  ModelSettings(kind, 2 * n, HiddenDim = w, Nonlinearity = Nonlinearity.Sigmoid, StepSize = Nullable 0.5, Layers = layers)
              let count kind layers =
                  use m = DynamicsModel.Create(settings kind layers, 0)
                  m.parameters () |> Seq.sumBy _.numel()
              // An LA-SympNet of L layers: L linear modules (4 symmetric n × n factors and a bias of 2n each), L − 1
              // activation modules (n scales each); a G-SympNet: L gradient modules (K [n, w], a and b [w] each).
              for layers in [ 1; 3; 20 ] do
                  Expect.equal
                      (count ModelKind.LaSympNet (Nullable layers))
                      (int64 (layers * (4 * n * n + 2 * n) + (layers - 1) * n))
                      (sprintf "LA-SympNet, %d layers" layers)
                  Expect.equal
                      (count ModelKind.GSympNet (Nullable layers))
                      (int64 (layers * w * (n + 2)))
                      (sprintf "G-SympNet, %d layers" layers)
              Expect.equal
                  (count ModelKind.LaSympNet (Nullable()))
                  (count ModelKind.LaSympNet (Nullable LaSympNet.FormerLayers))
                  "LA: none = former"
              Expect.equal
                  (count ModelKind.GSympNet (Nullable()))
                  (count ModelKind.GSympNet (Nullable GSympNet.FormerLayers))
                  "G: none = former"
              Expect.equal (ModelSettings.Default(ModelKind.LaSympNet, 4)).Layers (Nullable LaSympNet.DefaultLayers) "LA default"
              Expect.equal (ModelSettings.Default(ModelKind.GSympNet, 4)).Layers (Nullable GSympNet.DefaultLayers) "G default"
              Expect.equal (ModelSettings.Default(ModelKind.Hnn, 4)).Layers (Nullable()) "none for other kinds"
              // A file written before the depth was a setting: its weights are those of the former depth.
              use m = DynamicsModel.Create(settings ModelKind.LaSympNet (Nullable LaSympNet.FormerLayers), 0)
              let (written, _), (older, olderCount) =
                  fileWithAndWithout m (Text.RegularExpressions.Regex(sprintf ",\\s*\"layers\": %d" LaSympNet.FormerLayers))
              Expect.equal written.Layers (Nullable LaSympNet.FormerLayers) "read back"
              Expect.equal older.Layers (Nullable()) "without the field: none"
              Expect.equal olderCount (count ModelKind.LaSympNet (Nullable LaSympNet.FormerLayers)) "the former depth's weights"
              for bad, word in
                  [ settings ModelKind.LaSympNet (Nullable 0), "at least 1 layer, got 0"
                    settings ModelKind.GSympNet (Nullable -2), "at least 1 layer, got -2"
                    ModelSettings(ModelKind.Hnn, 4, Layers = Nullable 3), "SympNets only" ] do
                  let e = Expect.throwsC (fun () -> bad.Validate() |> ignore) id
                  Expect.stringContains e.Message word (sprintf "refused: %s" e.Message)
          } ]

// ---- The run path ---------------------------------------------------------------------------------------------

/// A short protocol on the spring: 3 starts, t ∈ [0, 2].
let private shortProtocol () =
    let p = EnergyProtocol.Spring(count = 3)
    EnergyProtocol(p.Name, p.System, p.InitialStates, Sampling.Linspace(0.0, 2.0, 11), 1e-8, 1e-8)

let runPath =
    testList
        "run path"
        [ for kind in Tasks.familyKinds do
              test (sprintf "%s trains, saves, loads and is evaluated on the spring through the run path" (Tasks.modelKey kind)) {
                  let dir = Path.Combine(Path.GetTempPath(), sprintf "hnn-family-%s-%d" (Tasks.modelKey kind) Environment.ProcessId)
                  try
                      let options = { Experiment.defaults with Steps = Some 3; OutDir = dir; CheckpointEvery = 0; Log = ignore }
                      let task = { Tasks.spring with Data = fun seed -> SpringRecipe(Trajectories = 6, Seed = seed).Generate() }
                      let t = Experiment.train options task (task.Data 0) kind
                      Expect.equal t.Model.Settings.Kind kind "kind"
                      Expect.isTrue (Double.IsFinite t.Result.FinalTest.Mean) "test loss"
                      let path = Experiment.save options t
                      let struct (loaded, file) = ModelFile.Load path
                      let decay =
                          match Tasks.recipeChange kind with
                          | Some change -> change.FullBatch.RateDecay
                          | None -> 1.0
                      Expect.equal t.Settings.LearningRateDecay decay "trained at its recipe's learning-rate decay"
                      Expect.equal file.Training t.Settings "the model file keeps the settings it was trained with"
                      use _ = torch.NewDisposeScope()
                      let x = EnergyProtocol.Spring(count = 4).InitialStates.ToTensor()
                      Expect.sequenceEqual
                          (values (loaded.TimeDerivative(x, false)))
                          (values (t.Model.TimeDerivative(x, false)))
                          "same field after a save and a load"
                      let m = TrajectoryEvaluation.Evaluate(shortProtocol (), t.Model)
                      // After 3 steps a path may diverge (the LNN's do), and then its errors are +∞, never NaN.
                      Expect.isFalse (Double.IsNaN m.EnergyMse.Mean) "energy MSE is a number (+∞ where a path diverged)"
                      Expect.isTrue
                          (m.ValidPredictionTime.Mean >= 0.0 && m.ValidPredictionTime.Mean <= 2.0)
                          "valid prediction time within the horizon"
                      Expect.equal m.Rollouts.Dimension 2 "canonical paths"
                      loaded.Dispose()
                      t.Model.Dispose()
                  finally
                      if Directory.Exists dir then
                          Directory.Delete(dir, true)
              }

          test
              "the SympNets train 10 times the task's steps from 10 times its learning rate, decaying 100-fold, the LA-SympNet without weight decay and the G-SympNet with the task's on full-batch tasks only; the LNN 3 times its steps, with its weight decay, from 10 times its rate, decaying 10-fold on minibatches and constant on full-batch tasks; every other kind at its task's recipe; the steps are the same in either regime; options override all of it" {
              for task in Tasks.conservative do
                  let t = task.Training
                  for regime in [ Tasks.FullBatch; Tasks.Minibatches ] do
                      let fullBatch = regime = Tasks.FullBatch
                      for batchOption in [ None; Some 32 ] do
                          for kind in Tasks.trainableKinds do
                              let options = { Experiment.defaults with BatchSize = batchOption }
                              let s = Experiment.settingsFor options task kind regime
                              let name = sprintf "%s on %s, %A, batch %A" (Tasks.modelKey kind) task.Key regime batchOption
                              Expect.equal
                                  s.BatchSize
                                  (Option.toNullable batchOption |> fun b -> if b.HasValue then b else t.BatchSize)
                                  (name + ": the task's batch or the option's")
                              Expect.equal s.Steps (Experiment.steps options task kind) (name + ": the steps known before the data")
                              match kind with
                              | ModelKind.LaSympNet
                              | ModelKind.GSympNet ->
                                  let decay = if kind = ModelKind.GSympNet && fullBatch then t.WeightDecay else 0.0
                                  Expect.equal
                                      (s.Steps, s.LearningRate, s.WeightDecay, s.LearningRateDecay)
                                      (10 * t.Steps, 10.0 * t.LearningRate, decay, 100.0)
                                      (name + ": 10× steps, 10× rate, the weight decay of its kind and batch, 100-fold decay")
                                  Expect.isTrue
                                      (close 1e-15 1e-12 (s.LearningRateAt s.Steps) (t.LearningRate / 10.0))
                                      (name + ": the task's rate/10 at the end")
                              | ModelKind.Lnn when fullBatch ->
                                  Expect.equal
                                      (s.Steps, s.LearningRate, s.WeightDecay, s.LearningRateDecay)
                                      (3 * t.Steps, 10.0 * t.LearningRate, t.WeightDecay, 1.0)
                                      (name + ": 3× steps, the task's weight decay, 10× rate, constant")
                              | ModelKind.Lnn ->
                                  Expect.equal
                                      (s.Steps, s.LearningRate, s.WeightDecay, s.LearningRateDecay)
                                      (3 * t.Steps, 10.0 * t.LearningRate, t.WeightDecay, 10.0)
                                      (name + ": 3× steps, the task's weight decay, 10× rate, 10-fold decay")
                                  Expect.isTrue
                                      (close 1e-15 1e-12 (s.LearningRateAt s.Steps) t.LearningRate)
                                      (name + ": the task's rate at the end")
                              | _ ->
                                  Expect.equal
                                      (s.Steps, s.LearningRate, s.WeightDecay, s.LearningRateDecay)
                                      (t.Steps, t.LearningRate, t.WeightDecay, 1.0)
                                      (name + ": the task's steps, rate and decay, constant rate")
                  let options =
                      { Experiment.defaults with
                          Steps = Some 7
                          LearningRate = Some 2e-4
                          WeightDecay = Some 1e-3
                          LearningRateDecay = Some 1.0 }
                  for kind, regime in List.allPairs [ ModelKind.GSympNet; ModelKind.Lnn ] [ Tasks.FullBatch; Tasks.Minibatches ] do
                      let s = Experiment.settingsFor options task kind regime
                      Expect.equal
                          (s.Steps, s.LearningRate, s.WeightDecay, s.LearningRateDecay)
                          (7, 2e-4, 1e-3, 1.0)
                          (sprintf "%s on %s: the options override the family's recipe" (Tasks.modelKey kind) task.Key)
              let clipped = { Tasks.spring with Training = Tasks.spring.Training.Overriding(clipGradNorm = 0.5, testEvery = 5) }
              for kind, regime in List.allPairs [ ModelKind.Hnn; ModelKind.Lnn ] [ Tasks.FullBatch; Tasks.Minibatches ] do
                  let s = Experiment.settingsFor Experiment.defaults clipped kind regime
                  Expect.equal
                      (s.ClipGradNorm, s.TestEvery)
                      (Nullable 0.5, 5)
                      (sprintf "%s: what the task's recipe sets and no option overrides stays the recipe's" (Tasks.modelKey kind))
                  let s = Experiment.settingsFor { Experiment.defaults with ClipGradNorm = Some 2.0 } clipped kind regime
                  Expect.equal s.ClipGradNorm (Nullable 2.0) (sprintf "%s: the option overrides it" (Tasks.modelKey kind))
          }
          test
              "a run trains in minibatches where its batch is below the examples its steps draw from (states; pairs for a step map or integrator supervision), as the trainer draws them; a batch at least as large trains full batch, at the full-batch recipe" {
              let task = { Tasks.spring with Data = fun seed -> SpringRecipe(Trajectories = 6, Seed = seed).Generate() }
              let data = task.Data 0
              let inputs options kind = TrainingInputs.For(Experiment.architecture options task kind, data, Option.toObj task.System)
              let states = int64 data.TrainX.Rows
              let pairs = int64 ((nonNull data.TrainTimeline).Pairs().Count)
              Expect.isLessThan pairs states "fewer pairs than states"
              let cases =
                  [ ModelKind.Lnn, Supervision.Derivative, states
                    ModelKind.LaSympNet, Supervision.Derivative, pairs
                    ModelKind.Hnn, Supervision.Integrator, pairs
                    ModelKind.Hnn, Supervision.Derivative, states ]
              for kind, supervision, examples in cases do
                  let name = sprintf "%s, %A" (Tasks.modelKey kind) supervision
                  let regimeWith batch =
                      let options = { Experiment.defaults with BatchSize = batch; Supervision = supervision }
                      Experiment.regime options task (inputs options kind)
                  Expect.equal
                      (Trainer.TrainingExamples(kind, supervision, (inputs Experiment.defaults kind).Data))
                      examples
                      (name + ": the examples its steps draw from")
                  Expect.equal (regimeWith None) Tasks.FullBatch (name + ": the spring's own batch (none)")
                  Expect.equal (regimeWith (Some(int examples - 1))) Tasks.Minibatches (name + ": a batch below the examples")
                  Expect.equal (regimeWith (Some(int examples))) Tasks.FullBatch (name + ": a batch of all of them")
                  Expect.equal (regimeWith (Some(int states + 100))) Tasks.FullBatch (name + ": a batch larger than the set")
              let dir = temporaryFolder "family-regime"
              try
                  let run batch =
                      let options =
                          { Experiment.defaults with Steps = Some 1; BatchSize = batch; OutDir = dir; CheckpointEvery = 0; Log = ignore }
                      let t = Experiment.train options task data ModelKind.Lnn
                      t.Model.Dispose()
                      t
                  let whole, all, fewer = run None, run (Some(int states)), run (Some(int states - 1))
                  Expect.equal whole.Settings.LearningRateDecay 1.0 "full batch: the LNN's full-batch recipe (constant rate)"
                  Expect.equal all.Settings.LearningRateDecay 1.0 "a batch of every state: the full-batch recipe"
                  Expect.equal fewer.Settings.LearningRateDecay 10.0 "a batch of one state fewer: the minibatch recipe"
                  Expect.equal all.Result.TrainLoss[0] whole.Result.TrainLoss[0] "a batch of every state is trained as full batch"
                  Expect.notEqual fewer.Result.TrainLoss[0] whole.Result.TrainLoss[0] "a batch of one state fewer is a minibatch"
              finally
                  if Directory.Exists dir then
                      Directory.Delete(dir, true)
          }
          test
              "the options' hidden width reaches every model with hidden layers, their relative ridge the LNN and their depth the SympNets, into the model file" {
              let options = { Experiment.defaults with Hidden = Some 24; RelativeRidge = Some 0.25; Layers = Some 3 }
              for kind in List.distinct (Tasks.trainableKinds @ [ ModelKind.SampledHnn; ModelKind.SampledDissipativeHnn ]) do
                  let a = Experiment.architecture options Tasks.spring kind
                  let d = ModelSettings.Default(kind, 2)
                  let name = Tasks.modelKey kind
                  let hidden = not (List.contains kind [ ModelKind.LaSympNet; ModelKind.SampledHnn; ModelKind.SampledDissipativeHnn ])
                  Expect.equal a.HiddenDim (if hidden then 24 else d.HiddenDim) (name + ": the hidden width where it has hidden layers")
                  Expect.equal a.RelativeRidge (if kind = ModelKind.Lnn then 0.25 else 0.0) (name + ": the relative ridge on the LNN only")
                  Expect.equal
                      a.Layers
                      (if ModelSettings.IsStepMap kind then Nullable 3 else Nullable())
                      (name + ": the depth on the SympNets only")
                  Expect.equal (a.Kind, a.Nonlinearity) (d.Kind, d.Nonlinearity) (name + ": otherwise the family's default")
              Expect.equal
                  (Experiment.architecture Experiment.defaults Tasks.spring ModelKind.Lnn)
                  (ModelSettings.Default(ModelKind.Lnn, 2))
                  "no overrides: the default"
              let dir = temporaryFolder "family-architecture"
              try
                  let options = { options with Steps = Some 2; OutDir = dir; CheckpointEvery = 0; Log = ignore }
                  let task = { Tasks.spring with Data = fun seed -> SpringRecipe(Trajectories = 6, Seed = seed).Generate() }
                  let t = Experiment.train options task (task.Data 0) ModelKind.Lnn
                  let struct (loaded, _) = ModelFile.Load(Experiment.save options t)
                  Expect.equal (loaded.Settings.HiddenDim, loaded.Settings.RelativeRidge) (24, 0.25) "the model file keeps both"
                  Expect.equal
                      (loaded.parameters () |> Seq.sumBy _.numel())
                      (2L * 24L + 24L + 24L * 24L + 24L + 24L)
                      "an MLP 2 → 24 → 24 → 1"
                  loaded.Dispose()
                  t.Model.Dispose()
              finally
                  Directory.Delete(dir, true)
              for o, word in
                  [ { Experiment.defaults with Hidden = Some 0 }, "hidden width must be at least 1, got 0"
                    { Experiment.defaults with RelativeRidge = Some -1.0 }, "relative ridge must be zero or positive"
                    { Experiment.defaults with RelativeRidge = Some nan }, "relative ridge must be zero or positive"
                    { Experiment.defaults with Layers = Some 0 }, "at least 1 layer, got 0" ] do
                  Expect.stringContains (refusal (fun () -> Experiment.check o Tasks.spring [ ModelKind.Lnn ])) word word
              Expect.stringContains
                  (refusal (fun () -> Experiment.check { Experiment.defaults with Hidden = Some 50 } Tasks.pixelPendulum [ ModelKind.Hnn ]))
                  "keep their own widths"
                  "the pixel pendulum refuses a hidden width"
          }
          test "--hidden, --relative-ridge and --layers are refused before any work where no model given takes them, naming the option" {
              let out = temporaryFolder "family-options"
              try
                  let r = Path.Combine(out, "r")
                  expectUsageErrors
                      [ [ "train"; "--task"; "spring"; "--model"; "sampled-hnn"; "--hidden"; "50"; "--out"; r ],
                        "--hidden applies to trained models with hidden layers"
                        [ "train"; "--task"; "spring"; "--model"; "la-sympnet"; "--hidden"; "50"; "--out"; r ],
                        "--hidden applies to trained models with hidden layers"
                        [ "train"; "--task"; "spring"; "--model"; "lnn"; "--hidden"; "0"; "--out"; r ], "--hidden must be at least 1, got 0"
                        [ "train"; "--task"; "spring"; "--model"; "hnn"; "--relative-ridge"; "0.1"; "--out"; r ],
                        "--relative-ridge applies to lnn only"
                        [ "train"; "--task"; "spring"; "--model"; "lnn"; "--relative-ridge"; "-1"; "--out"; r ],
                        "--relative-ridge must be zero or positive and finite, got -1"
                        [ "train"; "--task"; "spring"; "--model"; "hnn"; "--layers"; "3"; "--out"; r ],
                        "--layers applies to the SympNets only"
                        [ "run"; "--tasks"; "spring"; "--models"; "hnn"; "lnn"; "--layers"; "3"; "--out"; r ],
                        "--layers applies to the SympNets only"
                        [ "train"; "--task"; "spring"; "--model"; "la-sympnet"; "--layers"; "0"; "--out"; r ],
                        "--layers must be at least 1, got 0"
                        [ "run"; "--tasks"; "pixel-pendulum"; "--models"; "hnn"; "--hidden"; "50"; "--out"; r ],
                        "--hidden: the pixel pendulum" ]
                  Expect.isFalse (Directory.Exists r) "nothing was written"
              finally
                  Directory.Delete(out, true)
          }
          test "the families' keys are known to the run path and refused by PyTorch export" {
              for kind in Tasks.familyKinds do
                  Expect.equal (Tasks.tryModelKind (Tasks.modelKey kind)) (Ok kind) "round trip"
              use m = DynamicsModel.Create(ModelSettings(ModelKind.PortHnn, 2, HiddenDim = 8), 0)
              Expect.throwsT<PyTorchWeightsException>
                  (fun () -> PyTorchWeights.Export(m, Path.Combine(Path.GetTempPath(), "never.pt")))
                  "no reference class"
          } ]

[<Tests>]
let tests = testList "model families" [ portHamiltonian; lagrangian; deepLagrangian; sympNets; runPath ]
