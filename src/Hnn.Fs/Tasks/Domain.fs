/// Regions of phase space x = (q, p) from which the physics checks draw states, with FsCheck generators and
/// shrinkers that never leave them; a task carries the domain its models are checked on.
namespace Hnn

open System
open FsCheck
open FsCheck.FSharp
open Hnn.Systems


/// A region of phase space x = (q, p) (q the first half) from which the checks draw states.
type Domain =
    {
        /// What the region is, e.g. "|x| in [0.2, 1]".
        Name: string
        /// State dimension.
        Dimension: int
        /// Draws a state inside the region.
        Gen: Gen<float[]>
        /// Whether a state lies inside the region; shrinking never leaves it.
        Contains: float[] -> bool
        /// The simplest state of the region: shrinking moves a counterexample toward it.
        Anchor: float[]
    }

/// Domains of phase space and their FsCheck generators.
module Domain =
    let private resolution = 1 <<< 30

    /// Uniform on [0, 1], 2⁻³⁰ resolution.
    let private unit = Gen.choose (0, resolution) |> Gen.map (fun i -> float i / float resolution)

    let private uniform (a: float) (b: float) = unit |> Gen.map (fun u -> a + (b - a) * u)

    /// A standard normal number (Box–Muller).
    let private normal = Gen.map2 (fun u v -> sqrt (-2.0 * log (max u 1e-300)) * cos (2.0 * Math.PI * v)) unit unit

    let private norm (x: float[]) = sqrt (Array.sumBy (fun v -> v * v) x)

    /// The box lower ≤ x ≤ upper, coordinate by coordinate, uniform; shrinks toward its centre.
    let box (lower: float[]) (upper: float[]) : Domain =
        if lower.Length <> upper.Length || lower.Length = 0 then
            invalidArg (nameof upper) (sprintf "box bounds of %d and %d coordinates" lower.Length upper.Length)
        if Array.exists2 (fun a b -> not (a <= b)) lower upper then
            invalidArg (nameof upper) "box bounds must satisfy lower ≤ upper"
        { Name = sprintf "box %s" (String.Join(" × ", Array.map2 (sprintf "[%g, %g]") lower upper))
          Dimension = lower.Length
          Gen = Array.map2 uniform lower upper |> Array.toList |> Gen.sequenceToList |> Gen.map Array.ofList
          Contains = fun x -> x.Length = lower.Length && Array.forall2 (<=) lower x && Array.forall2 (<=) x upper
          Anchor = Array.map2 (fun a b -> (a + b) / 2.0) lower upper }

    /// The shell rMin ≤ |x| ≤ rMax in `dimension` coordinates: a uniform direction at a radius uniform in
    /// [rMin, rMax] (the paper's spring and pendulum starts); shrinks toward (r̄, 0, …, 0), r̄ the middle radius.
    let shell (dimension: int) (rMin: float) (rMax: float) : Domain =
        if dimension < 1 then
            invalidArg (nameof dimension) "the dimension must be positive"
        if not (0.0 <= rMin && rMin <= rMax) then
            invalidArg (nameof rMax) "radii must satisfy 0 ≤ rMin ≤ rMax"
        let direction =
            Gen.arrayOfLength dimension normal
            |> Gen.map (fun v ->
                let n = norm v in
                if n > 0.0 then
                    Array.map (fun c -> c / n) v
                else
                    Array.init dimension (fun i -> if i = 0 then 1.0 else 0.0))
        { Name = sprintf "|x| in [%g, %g]" rMin rMax
          Dimension = dimension
          Gen = Gen.map2 (fun (d: float[]) r -> Array.map (fun c -> r * c) d) direction (uniform rMin rMax)
          Contains = fun x -> x.Length = dimension && (let r = norm x in rMin <= r && r <= rMax)
          Anchor = Array.init dimension (fun i -> if i = 0 then (rMin + rMax) / 2.0 else 0.0) }

    /// Two unit masses as the paper's Task 4 starts them (layout q = (x1, x2, y1, y2), p likewise): body 1 uniform
    /// in [0.5, 1.5]², body 2 at its negative, circular-orbit velocities scaled by 1 + 0.05·N(0, 1), opposite.
    /// Contains: bodies at least 1 apart, momenta at most 1, total energy negative (a bound orbit).
    let twoBody: Domain =
        let gen =
            gen {
                let! x = uniform 0.5 1.5
                let! y = uniform 0.5 1.5
                let! n = normal
                let r = sqrt (x * x + y * y)
                let s = (1.0 + 0.05 * n) / (2.0 * r ** 1.5)
                let vx, vy = -y * s, x * s
                return [| x; -x; y; -y; vx; -vx; vy; -vy |]
            }
        let contains (x: float[]) =
            x.Length = 8
            && (let dx, dy = x[0] - x[1], x[2] - x[3] in sqrt (dx * dx + dy * dy) >= 1.0)
            && Array.forall (fun v -> abs v <= 1.0) x[4..]
            && NBody.TwoBody.Energy(ReadOnlySpan x) < 0.0
        let anchor =
            let v = 1.0 / (2.0 * 2.0 ** 0.75)
            [| 1.0; -1.0; 1.0; -1.0; -v; v; v; -v |]
        { Name = "two-body orbits (Task 4 starts)"; Dimension = 8; Gen = gen; Contains = contains; Anchor = anchor }

    /// Decimals needed to write a state: the largest over its coordinates of the fewest decimals (0–15) that
    /// reproduce the coordinate exactly, 16 when none does.
    let decimals (x: float[]) =
        x
        |> Array.map (fun v -> seq { 0..15 } |> Seq.tryFind (fun k -> Math.Round(v, k) = v) |> Option.defaultValue 16)
        |> Array.max

    /// Shrink candidates of a state, all inside the domain and strictly simpler — written with fewer decimals, or
    /// as many and closer to the anchor (so shrinking ends): the anchor, the state rounded to 0–3 decimals, the
    /// point halfway to the anchor (until within 10⁻³ of it).
    let shrink (domain: Domain) (x: float[]) : seq<float[]> =
        let round (digits: int) = x |> Array.map (fun v -> Math.Round(v, digits))
        let distance (y: float[]) = norm (Array.map2 (-) y domain.Anchor)
        let places = decimals x
        let simpler (c: float[]) =
            let p = decimals c
            p < places || (p = places && distance c < distance x)
        seq {
            yield domain.Anchor
            for digits in 0..3 -> round digits
            if distance x > 1e-3 then
                yield Array.map2 (fun a v -> v + (a - v) / 2.0) domain.Anchor x
        }
        |> Seq.filter (fun c -> simpler c && domain.Contains c)
        |> Seq.distinct

    /// The domain as an FsCheck arbitrary: its generator with its in-domain shrinker.
    let arbitrary (domain: Domain) : Arbitrary<float[]> = Arb.fromGenShrink (domain.Gen, shrink domain)
