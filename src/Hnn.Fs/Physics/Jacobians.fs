/// Jacobians and gradients by central differences in float64, and the matrix measures the laws compare with their
/// bounds (the symplectic defect |JᵀΩJ − Ω|max, the ∞-norm as the field's fastest rate), on Math.NET matrices.
module internal Hnn.Physics.Jacobians

open MathNet.Numerics.LinearAlgebra

/// The ∞-norm (largest absolute row sum): the fastest rate Ω of a field with this Jacobian.
let normInf (a: Matrix<float>) = a.InfinityNorm()

/// Euclidean norm.
let vnorm (x: float[]) = sqrt (Array.sumBy (fun v -> v * v) x)

/// Largest absolute entry.
let vmax (x: float[]) = Array.fold (fun m v -> max m (abs v)) 0.0 x

/// R: the state with its momenta (second half) negated.
let flipMomenta (x: float[]) = x |> Array.mapi (fun i v -> if i >= x.Length / 2 then -v else v)

/// Ω = [[0, I], [−I, 0]] of dimension n.
let private omega n =
    let h = n / 2
    Matrix<float>
        .Build.Dense(
            n,
            n,
            fun i j ->
                if j = i + h then 1.0
                elif i = j + h then -1.0
                else 0.0
        )

/// max |JᵀΩJ − Ω|.
let symplecticDefect (j: Matrix<float>) =
    let o = omega j.RowCount
    (j.Transpose() * (o * j) - o).Enumerate() |> Seq.map abs |> Seq.max

let private fdStep (tol: Tolerances) (x: float[]) i = tol.FiniteDifference * max 1.0 (abs x[i])

/// x moved by ±δ along coordinate j (δ = FiniteDifference·max(1, |xⱼ|)): x + δeⱼ, x − δeⱼ and δ.
let private perturbed (tol: Tolerances) (x: float[]) j =
    let d = fdStep tol x j
    let plus = Array.copy x
    let minus = Array.copy x
    plus[j] <- plus[j] + d
    minus[j] <- minus[j] - d
    plus, minus, d

/// Jacobian ∂f/∂x by central differences.
let fdJacobian (tol: Tolerances) (f: float[] -> float[]) (x: float[]) =
    let column j =
        let plus, minus, d = perturbed tol x j
        Array.map2 (fun a b -> (a - b) / (2.0 * d)) (f plus) (f minus)
    Matrix<float>.Build.DenseOfColumnArrays(Array.init x.Length column)

/// Gradient of a scalar by central differences.
let fdGradient (tol: Tolerances) (h: float[] -> float) (x: float[]) =
    Array.init x.Length (fun j ->
        let plus, minus, d = perturbed tol x j
        (h plus - h minus) / (2.0 * d))
