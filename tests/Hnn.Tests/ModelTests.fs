module Hnn.Tests.ModelTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn.Models
open TorchSharp
type private ScalarType = torch.ScalarType
type private Tensor = torch.Tensor

/// A fixed random model in float64, so derivatives can be checked to tight tolerances.
let private float64Model (settings: ModelSettings) seed =
    let m = DynamicsModel.Create(settings, seed)
    m.``to`` (ScalarType.Float64) |> ignore
    m.eval ()
    m

let private hnn2 = lazy (float64Model (ModelSettings(ModelKind.Hnn, 2)) 1 :?> HamiltonianNet)
let private hnn4 = lazy (float64Model (ModelSettings(ModelKind.Hnn, 4)) 2 :?> HamiltonianNet)
let private hnn4Both = lazy (float64Model (ModelSettings(ModelKind.Hnn, 4, Field = FieldType.Both)) 3 :?> HamiltonianNet)
let private hnn4NonCanonical = lazy (float64Model (ModelSettings(ModelKind.Hnn, 4, CanonicalCoordinates = false)) 4 :?> HamiltonianNet)

let private states (rows: float[][]) = tensor2d rows.Length rows[0].Length (Array.concat rows)

let private toRows (t: Tensor) =
    let d = int t.shape[1]
    t.data<float>().ToArray() |> Array.chunkBySize d

/// Central finite-difference gradient of a scalar function of one state.
let private fdGradient (f: float[] -> float) (x: float[]) =
    let h = 1e-6
    Array.init x.Length (fun i ->
        let plus = Array.copy x
        let minus = Array.copy x
        plus[i] <- plus[i] + h
        minus[i] <- minus[i] - h
        (f plus - f minus) / (2.0 * h))

let private scalar (net: HamiltonianNet) (column: int) (x: float[]) =
    use scope = torch.NewDisposeScope()
    use t = states [| x |]
    (net.Potentials t).select(1, int64 column).item<float>()

/// Phase-space states with every coordinate in [−3, 3].
let private stateGen dim = Gen.arrayOfLength dim (Gen.choose (-3000, 3000) |> Gen.map (fun i -> float i / 1000.0))

let private structure n canonical = toRows (HamiltonianNet.Structure(n, canonical).to_type(ScalarType.Float64))

let private matVec (m: float[][]) (v: float[]) = m |> Array.map (fun row -> Array.fold2 (fun acc a b -> acc + a * b) 0.0 row v)

/// Divergence of the model's field at x: Σᵢ ∂fᵢ/∂xᵢ by autograd.
let private divergence (net: DynamicsModel) (x: float[]) =
    use scope = torch.NewDisposeScope()
    let input = (states [| x |]).requires_grad_(true)
    let field = net.TimeDerivative(input, createGraph = true)
    [ 0 .. x.Length - 1 ]
    |> List.sumBy (fun i ->
        let g = torch.autograd.grad([| field.select(1, int64 i).sum() |], [| input |], retain_graph = true, create_graph = false)[0]
        g.select(1, int64 i).item<float>())

let private field (net: DynamicsModel) (x: float[]) =
    use scope = torch.NewDisposeScope()
    (toRows (net.TimeDerivative(states [| x |], createGraph = false).detach())).[0]

[<Tests>]
let tests =
    testList
        "models"
        [ testList
              "HNN field"
              [ for name, net in [ "2-d canonical", hnn2; "4-d canonical", hnn4; "4-d non-canonical", hnn4NonCanonical ] do
                    test (sprintf "the %s HNN field equals M·∇H, ∇H by central finite differences" name) {
                        let n = net.Value
                        let m = structure n.Settings.InputDim n.Settings.CanonicalCoordinates
                        let rng = System.Random 7
                        for _ in 1..10 do
                            let x = Array.init n.Settings.InputDim (fun _ -> rng.NextDouble() * 4.0 - 2.0)
                            let expected = matVec m (fdGradient (scalar n 1) x)
                            let actual = field n x
                            for i in 0 .. x.Length - 1 do
                                Expect.floatClose Accuracy.medium actual[i] expected[i] (sprintf "component %d at %A" i x)
                    }
                test "the 'both' field is ∇F1 + M·∇F2, by finite differences" {
                    let n = hnn4Both.Value
                    let m = structure 4 true
                    let x = [| 0.3; -1.2; 0.7; 1.5 |]
                    let expected = Array.map2 (+) (fdGradient (scalar n 0) x) (matVec m (fdGradient (scalar n 1) x))
                    let actual = field n x
                    for i in 0..3 do
                        Expect.floatClose Accuracy.medium actual[i] expected[i] (sprintf "component %d" i)
                }
                for nl in System.Enum.GetValues<Nonlinearity>() do
                    test (
                        sprintf
                            "the HNN field by the written-out chain rule equals autograd's, weight gradients too (%s)"
                            (Nonlinearities.Name nl)
                    ) {
                        let net =
                            float64Model (ModelSettings(ModelKind.Hnn, 4, Nonlinearity = nl, Field = FieldType.Both)) 8 :?> HamiltonianNet
                        use x = tensor2d 3 4 [| 0.3; -1.2; 0.7; 1.5; -0.4; 0.2; 0.9; -1.1; 1.3; 0.05; -0.6; 0.8 |]
                        let gradients (f: torch.Tensor -> torch.Tensor) =
                            net.zero_grad ()
                            use loss = (f x).square().sum()
                            loss.backward ()
                            [ for p in net.parameters () ->
                                  (match p.grad with
                                   | null -> torch.zeros_like (p)
                                   | g -> g.clone ()) ]
                        use a = net.TimeDerivative(x, true)
                        use b = net.TimeDerivativeByAutograd(x, true)
                        Expect.isLessThan ((a - b).abs().max().item<float>()) 1e-12 "same field"
                        let ga = gradients (fun t -> net.TimeDerivative(t, true))
                        let gb = gradients (fun t -> net.TimeDerivativeByAutograd(t, true))
                        for p, q in List.zip ga gb do
                            Expect.isLessThan ((p - q).abs().max().item<float>()) 1e-10 "same weight gradient"
                    }
                test "a momentum-symmetric HNN's H is even in p and its field matches autograd's" {
                    let net = float64Model (ModelSettings(ModelKind.Hnn, 4, MomentumSymmetric = true)) 9 :?> HamiltonianNet
                    use x = tensor2d 2 4 [| 0.3; -1.2; 0.7; 1.5; -0.4; 0.2; 0.9; -1.1 |]
                    use flipped = tensor2d 2 4 [| 0.3; -1.2; -0.7; -1.5; -0.4; 0.2; -0.9; 1.1 |]
                    use h = net.Hamiltonian x
                    use hf = net.Hamiltonian flipped
                    Expect.isLessThan ((h - hf).abs().max().item<float>()) 1e-14 "H(q, p) = H(q, −p)"
                    use a = net.TimeDerivative(x, false)
                    use b = net.TimeDerivativeByAutograd(x, false)
                    Expect.isLessThan ((a - b).abs().max().item<float>()) 1e-12 "same field"
                }
                test "time reversibility holds for a momentum-symmetric HNN and is caught failing for a plain one" {
                    let domain = Hnn.Domain.shell 2 0.2 1.0
                    let verdict symmetric =
                        let net = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2, MomentumSymmetric = symmetric), 3)
                        Hnn.Physics.Check.laws (Hnn.Physics.Subject.model domain None "HNN" net) [ Hnn.Physics.Laws.timeReversibility ]
                        |> List.head
                    Expect.isTrue (Hnn.Physics.Report.passed (verdict true)) "even in p: reversible"
                    Expect.isTrue (Hnn.Physics.Report.failed (verdict false)) "a generic learned H is not"
                }
                testPropertyWithConfig physicsConfig "the HNN field is divergence-free (Liouville) at random states"
                <| Prop.forAll (Arb.fromGen (stateGen 4)) (fun x ->
                    let d = divergence hnn4.Value x
                    abs d < 1e-9)
                testPropertyWithConfig physicsConfig "the HNN field is orthogonal to ∇H, so H is conserved along it"
                <| Prop.forAll (Arb.fromGen (stateGen 4)) (fun x ->
                    let f = field hnn4.Value x
                    let g = fdGradient (scalar hnn4.Value 1) x
                    let dot = Array.fold2 (fun acc a b -> acc + a * b) 0.0 f g
                    let scale = sqrt (Array.sumBy (fun v -> v * v) f * Array.sumBy (fun v -> v * v) g) + 1e-12
                    abs dot / scale < 1e-6)
                test "the baseline's field is not divergence-free in general (the check can fail)" {
                    let net = float64Model (ModelSettings(ModelKind.Baseline, 4)) 5
                    let d = divergence net [| 0.3; -1.2; 0.7; 1.5 |]
                    Expect.isGreaterThan (abs d) 1e-4 "a generic MLP field has divergence"
                } ]
          testList
              "MLP"
              [ test "weight matrices start orthogonal (WᵀW = I for the square hidden layer)" {
                    let mlp = new Mlp(2, 200, 2, Nonlinearity.Tanh)
                    let w = mlp.named_parameters () |> Seq.find (fun struct (name, _) -> name = "linear2.weight") |> fun struct (_, p) -> p
                    use wtw = w.t().matmul(w)
                    use eye = torch.eye (200L)
                    Expect.isLessThan ((wtw - eye).abs().max().item<float32>()) 1e-4f "orthogonal"
                }
                test "every listed nonlinearity parses from its name and runs" {
                    for n in System.Enum.GetValues<Nonlinearity>() do
                        Expect.equal (Nonlinearities.Parse(Nonlinearities.Name n)) n "round trip"
                        use y = Nonlinearities.Apply(n, torch.linspace (-2.0, 2.0, 5L))
                        Expect.equal y.shape[0] 5L "shape kept"
                    Expect.throwsC (fun () -> Nonlinearities.Parse "cosh" |> ignore) (fun e ->
                        Expect.stringContains e.Message "cosh" "names it")
                }
                test "an HNN of odd dimension in canonical coordinates is refused" {
                    Expect.throwsC (fun () -> ModelSettings(ModelKind.Hnn, 3).Validate() |> ignore) (fun e ->
                        Expect.stringContains e.Message "even" "says why")
                } ] ]
