/// Floating-point work of a training step, counted from its matrix products: what the achieved GFLOP/s of
/// the benchmarks divide by. Elementwise work (tanh, σ', the loss, Adam) is not counted: it is O(N·H), the
/// products are O(N·H²), and a matrix product is what the machine's attainable peak is measured with.
module Hnn.StepFlops

/// A matrix product [m×k]·[k×n] in a step, and how many of its two factors need a gradient in the backward pass.
type Product = { M: float; K: float; N: float; FactorsNeedingGradient: int }

/// FLOPs of the product itself: m·n·k multiply-adds.
let forward (p: Product) = 2.0 * p.M * p.K * p.N

/// FLOPs of its backward pass: ∂A = ∂C·Bᵀ and ∂B = Aᵀ·∂C each cost as much as the product, and only the
/// factors that need a gradient get one (autograd skips the rest).
let backward (p: Product) = float p.FactorsNeedingGradient * forward p

/// The products of one HNN training step on N states of dimension D, hidden width H, as `Mlp.InputGradient`
/// and `HamiltonianNet.TimeDerivative` compute the solenoidal field, with x held fixed (no gradient):
///   a1 = x·W1ᵀ         [N×D]·[D×H]   only W1 needs a gradient
///   a2 = h1·W2ᵀ        [N×H]·[H×H]   h1 and W2
///   ∂a2-side: g2·W2    [N×H]·[H×H]   g2 and W2 (g2 = σ'(a2) ⊙ w3 depends on the weights)
///   ∇F2 = g1·W1        [N×H]·[H×D]   g1 and W1
///   field = ∇F2·Mᵀ     [N×D]·[D×D]   ∇F2 only (M is a constant)
/// The output layer's product h2·w3 is never formed: the field needs w3 only elementwise, inside g2.
let hnnProducts (n: int) (d: int) (h: int) =
    let n, d, h = float n, float d, float h
    [ { M = n; K = d; N = h; FactorsNeedingGradient = 1 }
      { M = n; K = h; N = h; FactorsNeedingGradient = 2 }
      { M = n; K = h; N = h; FactorsNeedingGradient = 2 }
      { M = n; K = h; N = d; FactorsNeedingGradient = 2 }
      { M = n; K = d; N = d; FactorsNeedingGradient = 1 } ]

/// The products of one baseline training step: the MLP's three layers, x held fixed.
let baselineProducts (n: int) (d: int) (h: int) =
    let n, d, h = float n, float d, float h
    [ { M = n; K = d; N = h; FactorsNeedingGradient = 1 }
      { M = n; K = h; N = h; FactorsNeedingGradient = 2 }
      { M = n; K = h; N = d; FactorsNeedingGradient = 2 } ]

/// FLOPs of a step made of these products: forward and backward.
let total (products: Product list) = products |> List.sumBy (fun p -> forward p + backward p)

/// FLOPs of one HNN training step: 12·N·H² + 10·N·H·D + 4·N·D² (363 MFLOP for the spring: N = 750, D = 2, H = 200).
let hnnStep n d h = total (hnnProducts n d h)

/// FLOPs of one baseline training step: 6·N·H² + 10·N·H·D.
let baselineStep n d h = total (baselineProducts n d h)
