/// The result of checking one law on one subject, and its text: one line per report, or a table of laws against
/// subjects.
namespace Hnn.Physics

open System

/// How a check ended.
type Outcome =
    /// Every case stayed within its tolerance.
    | Passed
    /// A case broke the law (or its measurement threw: see `Report.Message`).
    | Failed
    /// The law says nothing about this subject; the reason.
    | NotApplicable of reason: string

/// The result of checking one law on one subject.
type Report =
    {
        /// The law's name, e.g. "symplecticity".
        Law: string
        /// The subject's name, e.g. "hnn (spring)" or "RK4 on pendulum".
        Subject: string
        Outcome: Outcome
        /// What was measured, e.g. "|JᵀΩJ − Ω|max".
        Quantity: string
        /// Passed: the worst case (largest measured/tolerance); failed: the value at the shrunk counterexample.
        Measured: float
        /// The bound at that same state.
        Tolerance: float
        /// The shrunk failing state (inside the domain).
        Counterexample: float[] option
        /// The failing state as first drawn, before shrinking.
        Original: float[] option
        /// Cases run.
        Cases: int
        /// Shrinking steps taken.
        Shrinks: int
        /// FsCheck seed (seed, gamma): `{ settings with Replay = Some report.Seed }` replays the run.
        Seed: uint64 * uint64
        /// The exception of a measurement that threw, or "".
        Message: string
    }

/// Reports read and written as text.
module Report =
    /// True when the check passed.
    let passed (report: Report) = report.Outcome = Passed

    /// True when the check failed.
    let failed (report: Report) = report.Outcome = Failed

    let private num (x: float) = if Double.IsNaN x then "—" else x.ToString("0.0e+00", Globalization.CultureInfo.InvariantCulture)

    let private stateText (x: float[]) =
        "[" + String.Join("; ", x |> Array.map (fun v -> v.ToString("R", Globalization.CultureInfo.InvariantCulture))) + "]"

    /// One report as text: outcome, measured vs tolerance, the counterexample and the seed that replays it.
    let format (r: Report) =
        let seed = sprintf "replay: { settings with Replay = Some (%dUL, %dUL) }" (fst r.Seed) (snd r.Seed)
        match r.Outcome with
        | NotApplicable reason -> sprintf "%s on %s: not applicable (%s)" r.Law r.Subject reason
        | Passed ->
            sprintf
                "%s on %s: passed %d cases; worst %s = %s ≤ %s; %s"
                r.Law
                r.Subject
                r.Cases
                r.Quantity
                (num r.Measured)
                (num r.Tolerance)
                seed
        | Failed ->
            let where = r.Counterexample |> Option.map stateText |> Option.defaultValue "—"
            let first = r.Original |> Option.map stateText |> Option.defaultValue "—"
            let message = if r.Message = "" then "" else sprintf "; threw: %s" r.Message
            sprintf
                "%s on %s: FAILED after %d cases (%d shrinks) at x₀ = %s (first found at %s): %s = %s > %s%s; %s"
                r.Law
                r.Subject
                r.Cases
                r.Shrinks
                where
                first
                r.Quantity
                (num r.Measured)
                (num r.Tolerance)
                message
                seed

    /// A table: one row per law, one column per named report list (e.g. [ "HNN", hnn; "baseline", baseline ]),
    /// each cell "measured pass|FAIL", and the thresholds (the tolerance at each column's reported state).
    let table (columns: (string * Report list) list) =
        let laws = columns |> List.collect (fun (_, rs) -> rs |> List.map _.Law) |> List.distinct
        let cell (r: Report option) =
            match r with
            | None -> "—"
            | Some r ->
                match r.Outcome with
                | Passed -> sprintf "%s pass" (num r.Measured)
                | Failed -> sprintf "%s FAIL" (num r.Measured)
                | NotApplicable _ -> "n/a"
        // At least 18 wide, wider for a long title ("Sampled dissipative HNN", "Port-Hamiltonian NN").
        let width = columns |> List.fold (fun w (name, _) -> max w (name.Length + 2)) 18
        let header = sprintf "%-22s" "law" + String.Join("", columns |> List.map (fun (name, _) -> sprintf "%-*s" width name)) + "threshold"
        let lines =
            [ for law in laws ->
                  let found = columns |> List.map (fun (_, rs) -> rs |> List.tryFind (fun r -> r.Law = law))
                  let thresholds =
                      found
                      |> List.choose id
                      |> List.filter (fun r -> not (Double.IsNaN r.Tolerance))
                      |> List.map (fun r -> num r.Tolerance)
                      |> List.distinct
                  sprintf "%-22s" law
                  + String.Join("", found |> List.map (fun r -> sprintf "%-*s" width (cell r)))
                  + String.Join(" / ", thresholds) ]
        String.concat "\n" (header :: lines)
