/// Builders of common Hamiltonians, each written the way a user would write one, with closed-form fields where
/// they are short (the tests check autograd against them).
[<RequireQualifiedAccess>]
module Hnn.Hamiltonians

open TorchSharp

/// A harmonic oscillator H = p²/(2m) + k q²/2 (separable).
let spring (k: float) (m: float) =
    Hamiltonian.parametric 1 [ "k", k; "m", m ] (fun c q p -> p ** 2.0 / (2.0 * c["m"]) + c["k"] * q ** 2.0 / 2.0)
    |> Hamiltonian.withField (fun c x ->
        let q, p = x.narrow (1, 0L, 1L), x.narrow (1, 1L, 1L)
        torch.cat ([| p / c["m"]; -c["k"] * q |], 1L))
    |> Hamiltonian.declareSeparable true
    |> Hamiltonian.named "spring"

/// A plane pendulum of mass m and length l under gravity g, angle q from the hanging position, p = m l² q̇:
/// H = p²/(2 m l²) + m g l (1 − cos q) (separable).
let pendulum (g: float) (l: float) (m: float) =
    Hamiltonian.parametric 1 [ "g", g; "l", l; "m", m ] (fun c q p ->
        p ** 2.0 / (2.0 * c["m"] * c["l"] ** 2.0) + c["m"] * c["g"] * c["l"] * (1.0 - cos q))
    |> Hamiltonian.withField (fun c x ->
        let q, p = x.narrow (1, 0L, 1L), x.narrow (1, 1L, 1L)
        torch.cat ([| p / (c["m"] * c["l"] ** 2.0); -(c["m"] * c["g"] * c["l"]) * sin q |], 1L))
    |> Hamiltonian.withCoordinates [ "θ" ]
    |> Hamiltonian.declareSeparable true
    |> Hamiltonian.named "pendulum"

/// n unit masses in a chain, each held by a spring k to its rest point and joined to its neighbours by springs
/// kc: H = Σ p_i²/2 + k/2 Σ q_i² + kc/2 Σ (q_{i+1} − q_i)² (separable; normal modes are known in closed form).
let coupledOscillators (n: int) (k: float) (kc: float) =
    if n < 1 then
        invalidArg (nameof n) (sprintf "need at least one oscillator, got %d" n)
    let differences (q: torch.Tensor) = q.narrow (1, 1L, int64 (n - 1)) - q.narrow (1, 0L, int64 (n - 1))
    Hamiltonian.parametric n [ "k", k; "kc", kc ] (fun c q p ->
        let coupling = if n > 1 then c["kc"] / 2.0 * total (differences q ** 2.0) else 0.0 * total q
        total (p ** 2.0) / 2.0 + c["k"] / 2.0 * total (q ** 2.0) + coupling)
    |> Hamiltonian.withField (fun c x ->
        let q, p = x.narrow (1, 0L, int64 n), x.narrow (1, int64 n, int64 n)
        let force = -c["k"] * q
        let force =
            if n = 1 then
                force
            else
                // −∂/∂q_i of kc/2 Σ (q_{i+1} − q_i)²: kc·(d_i − d_{i−1}) with d_i = q_{i+1} − q_i, d_{−1} = d_{n−1} = 0.
                let d = differences q
                let zero = torch.zeros_like (q.narrow (1, 0L, 1L))
                force + c["kc"] * (torch.cat ([| d; zero |], 1L) - torch.cat ([| zero; d |], 1L))
        torch.cat ([| p; force |], 1L))
    |> Hamiltonian.declareSeparable true
    |> Hamiltonian.named (sprintf "%d oscillators" n)

/// The Hénon–Heiles system H = (p₁² + p₂²)/2 + (q₁² + q₂²)/2 + λ(q₁² q₂ − q₂³/3) (separable; chaotic above
/// energy ≈ 1/8 for λ = 1; escapes above 1/6).
let henonHeiles (lambda: float) =
    Hamiltonian.parametric 2 [ "λ", lambda ] (fun c q p ->
        let x, y = col 0 q, col 1 q
        total (p ** 2.0) / 2.0 + total (q ** 2.0) / 2.0 + c["λ"] * (x ** 2.0 * y - y ** 3.0 / 3.0))
    |> Hamiltonian.withField (fun c s ->
        let x, y = col 0 s, col 1 s
        let px, py = col 2 s, col 3 s
        let l = c["λ"]
        torch.stack ([| px; py; -x - 2.0 * l * x * y; -y - l * (x ** 2.0 - y ** 2.0) |], 1L))
    |> Hamiltonian.withCoordinates [ "x"; "y" ]
    |> Hamiltonian.declareSeparable true
    |> Hamiltonian.named "Hénon–Heiles"

/// Bodies of the given masses in `dims` (2 or 3) dimensions under Newtonian gravity G, no softening. State
/// layout as the core's NBody: q = (x_1..x_n, y_1..y_n[, z_1..z_n]), p likewise (p = m·velocity):
/// H = Σ |p_i|²/(2 m_i) − Σ_{i<j} G m_i m_j / r_ij (separable).
let nBody (dims: int) (masses: float list) (G: float) =
    if dims <> 2 && dims <> 3 then
        invalidArg (nameof dims) (sprintf "dimensions must be 2 or 3, got %d" dims)
    if masses.Length < 2 then
        invalidArg (nameof masses) (sprintf "need at least 2 bodies, got %d" masses.Length)
    let n = masses.Length
    let axes = [ "x"; "y"; "z" ] |> List.take dims
    let massNames = List.init n (fun i -> sprintf "m%d" (i + 1))
    Hamiltonian.parametric (dims * n) (("G", G) :: List.zip massNames masses) (fun c q p ->
        let m = massNames |> List.map (fun k -> c[k])
        let coordinate (t: torch.Tensor) axis body = col (axis * n + body) t
        let kinetic =
            [ for i in 0 .. n - 1 -> ([ for a in 0 .. dims - 1 -> coordinate p a i ** 2.0 ] |> List.reduce (+)) / (2.0 * m[i]) ]
            |> List.reduce (+)
        let potential =
            [ for i in 0 .. n - 1 do
                  for j in i + 1 .. n - 1 ->
                      let r = sqrt ([ for a in 0 .. dims - 1 -> (coordinate q a j - coordinate q a i) ** 2.0 ] |> List.reduce (+))
                      -(c["G"] * m[i] * m[j]) / r ]
            |> List.reduce (+)
        kinetic + potential)
    |> Hamiltonian.withCoordinates
        [ for a in axes do
              for i in 1..n -> sprintf "%s%d" a i ]
    |> Hamiltonian.declareSeparable true
    |> Hamiltonian.named (sprintf "%d-body %dD" n dims)

/// A double pendulum (point masses m1, m2 on massless rods l1, l2, gravity g), angles from the vertical and
/// their canonical momenta: H = (m2 l2² p1² + (m1 + m2) l1² p2² − 2 m2 l1 l2 p1 p2 cos(q1 − q2)) /
/// (2 m2 l1² l2² (m1 + m2 sin²(q1 − q2))) − (m1 + m2) g l1 cos q1 − m2 g l2 cos q2 (not separable).
let doublePendulum (m1: float) (m2: float) (l1: float) (l2: float) (g: float) =
    Hamiltonian.parametric 2 [ "m1", m1; "m2", m2; "l1", l1; "l2", l2; "g", g ] (fun c q p ->
        let q1, q2, p1, p2 = col 0 q, col 1 q, col 0 p, col 1 p
        let m1, m2, l1, l2, g = c["m1"], c["m2"], c["l1"], c["l2"], c["g"]
        let d = q1 - q2
        let kinetic =
            (m2 * l2 ** 2.0 * p1 ** 2.0 + (m1 + m2) * l1 ** 2.0 * p2 ** 2.0 - 2.0 * m2 * l1 * l2 * p1 * p2 * cos d)
            / (2.0 * m2 * l1 ** 2.0 * l2 ** 2.0 * (m1 + m2 * sin d ** 2.0))
        kinetic - (m1 + m2) * g * l1 * cos q1 - m2 * g * l2 * cos q2)
    |> Hamiltonian.withCoordinates [ "θ1"; "θ2" ]
    |> Hamiltonian.declareSeparable false
    |> Hamiltonian.named "double pendulum"
