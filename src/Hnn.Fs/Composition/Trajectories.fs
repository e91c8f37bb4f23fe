/// Bring your own data: trajectories from CSV files (and back), turned into a dataset the pipeline trains on.
/// The format: a header naming the columns, then one row per sample: time, trajectory id, the coordinates and,
/// optionally, their time derivatives (column "d" + name, e.g. "dq"); comma-separated, invariant culture, no
/// quoting; lines starting with '#' are comments. Parsed strictly: every error names the file, the line and the
/// column (Hnn.Data.DataFileException), and nothing is returned.
module Hnn.Trajectories

open System
open System.Globalization
open System.IO
open Hnn.Data

/// One trajectory: samples at strictly increasing times (even or uneven, with gaps or not).
type Trajectory =
    {
        /// The id from the trajectory column.
        Id: string
        /// Sample times, strictly increasing.
        Times: float[]
        /// States, one array of D numbers per time.
        States: float[][]
        /// dx/dt per time, if the file gave them.
        Derivatives: float[][] option
    }

/// Trajectories sharing coordinate names.
type Table =
    {
        /// Where they came from.
        Source: string
        /// The D coordinate names, in state order.
        Coordinates: string list
        /// The trajectories, in file order.
        Trajectories: Trajectory list
    }

/// Which columns mean what.
type Layout =
    {
        /// The time column.
        Time: string
        /// The trajectory id column.
        Trajectory: string
        /// The coordinate columns in state order, or None: every other column that is not a derivative.
        Coordinates: string list option
        /// Derivative columns are this prefix + the coordinate's name.
        DerivativePrefix: string
    }

/// Columns "t" and "trajectory", coordinates every other column, derivatives "d" + name.
let layout = { Time = "t"; Trajectory = "trajectory"; Coordinates = None; DerivativePrefix = "d" }

let private invariant = CultureInfo.InvariantCulture
let private shorten (s: string) = if s.Length <= 40 then s else s[..39] + "…"

/// Parses CSV text; `source` names it in errors.
/// Raises Hnn.Data.DataFileException (file:line: column c (name): problem) on any malformed input.
let parse (layout: Layout) (source: string) (text: string) : Table =
    let fail (line: int) problem = raise (DataFileException(source, line, problem))
    let lines =
        text.Split '\n'
        |> Array.mapi (fun i l -> i + 1, l.TrimEnd '\r')
        |> Array.filter (fun (_, l) -> not (l.TrimStart().StartsWith "#"))
    let lines =
        let last = lines |> Array.tryFindIndexBack (fun (_, l) -> not (String.IsNullOrWhiteSpace l))
        match last with
        | None -> raise (DataFileException(source, "empty: expected a header line and data rows"))
        | Some k -> lines[..k]
    let headerLine, headerText = lines[0]
    let header = headerText.Split ',' |> Array.map (fun c -> c.Trim())
    header
    |> Array.iteri (fun i name ->
        if name = "" then
            fail headerLine (sprintf "column %d has an empty name" (i + 1))
        match Array.tryFindIndex ((=) name) header with
        | Some j when j < i -> fail headerLine (sprintf "column %d (%s): the name is already used by column %d" (i + 1) name (j + 1))
        | _ -> ())
    let index name =
        match Array.tryFindIndex ((=) name) header with
        | Some i -> i
        | None -> fail headerLine (sprintf "missing column '%s' (the header has: %s)" name (String.Join(", ", header)))
    let timeColumn, idColumn = index layout.Time, index layout.Trajectory
    let coordinates =
        match layout.Coordinates with
        | Some names -> names
        | None ->
            let isDerivative (name: string) =
                name.StartsWith layout.DerivativePrefix && Array.contains (name.Substring layout.DerivativePrefix.Length) header
            header |> Array.filter (fun n -> n <> layout.Time && n <> layout.Trajectory && not (isDerivative n)) |> List.ofArray
    if coordinates.IsEmpty then
        fail headerLine "no coordinate columns"
    let coordinateColumns = coordinates |> List.map index |> Array.ofList
    let derivativeNames = coordinates |> List.map (fun c -> layout.DerivativePrefix + c)
    let derivativeColumns =
        let present = derivativeNames |> List.filter (fun n -> Array.contains n header)
        if present.IsEmpty then
            None
        elif present.Length = derivativeNames.Length then
            Some(derivativeNames |> List.map index |> Array.ofList)
        else
            let missing = derivativeNames |> List.except present
            fail
                headerLine
                (sprintf "derivative columns are given for some coordinates but not all: missing %s" (String.Join(", ", missing)))
    let rows = lines[1..]
    if rows.Length = 0 then
        fail headerLine "header only, no data rows"
    let number (line: int) (cells: string[]) (column: int) =
        let cell = cells[column]
        match Double.TryParse(cell, NumberStyles.Float, invariant) with
        | true, v when Double.IsFinite v -> v
        | true, _ -> fail line (sprintf "column %d (%s): '%s' is not finite" (column + 1) header[column] cell)
        | _ -> fail line (sprintf "column %d (%s): not a number: '%s'" (column + 1) header[column] (shorten cell))
    // Parse every row, grouping contiguous rows of one id.
    let groups = Collections.Generic.List<string * ResizeArray<int * float * float[] * float[] option>>()
    let seen = Collections.Generic.Dictionary<string, int>()
    for line, text in rows do
        if String.IsNullOrWhiteSpace text then
            fail line "blank line inside the data"
        let cells = text.Split ',' |> Array.map (fun c -> c.Trim())
        if cells.Length <> header.Length then
            fail line (sprintf "expected %d cells as in the header, found %d" header.Length cells.Length)
        let id = cells[idColumn]
        if id = "" then
            fail line (sprintf "column %d (%s): empty trajectory id" (idColumn + 1) layout.Trajectory)
        let t = number line cells timeColumn
        let state = coordinateColumns |> Array.map (number line cells)
        let derivative = derivativeColumns |> Option.map (Array.map (number line cells))
        if groups.Count > 0 && fst groups[groups.Count - 1] = id then
            (snd groups[groups.Count - 1]).Add((line, t, state, derivative))
        else
            match seen.TryGetValue id with
            | true, first ->
                fail
                    line
                    (sprintf
                        "column %d (%s): trajectory '%s' (first row on line %d) continues after another began; keep each trajectory's rows together"
                        (idColumn + 1)
                        layout.Trajectory
                        id
                        first)
            | _ -> ()
            seen[id] <- line
            groups.Add((id, ResizeArray [ (line, t, state, derivative) ]))
    let trajectories =
        [ for id, samples in groups ->
              let firstLine, _, _, _ = samples[0]
              if samples.Count < 2 then
                  fail
                      firstLine
                      (sprintf
                          "column %d (%s): trajectory '%s' has a single row; a trajectory needs at least 2"
                          (idColumn + 1)
                          layout.Trajectory
                          id)
              let times = samples |> Seq.map (fun (_, t, _, _) -> t) |> Array.ofSeq
              for k in 1 .. times.Length - 1 do
                  let line, _, _, _ = samples[k]
                  let dt = times[k] - times[k - 1]
                  if not (dt > 0.0) then
                      fail
                          line
                          (sprintf
                              "column %d (%s): time %s does not increase (previous row: %s)"
                              (timeColumn + 1)
                              layout.Time
                              (times[k].ToString("R", invariant))
                              (times[k - 1].ToString("R", invariant)))
              { Id = id
                Times = times
                States = samples |> Seq.map (fun (_, _, x, _) -> x) |> Array.ofSeq
                Derivatives = derivativeColumns |> Option.map (fun _ -> samples |> Seq.map (fun (_, _, _, d) -> d.Value) |> Array.ofSeq) } ]
    { Source = source; Coordinates = coordinates; Trajectories = trajectories }

/// Loads a CSV file with this layout. Raises Hnn.Data.DataFileException naming file, line and column.
let loadWith (layout: Layout) (path: string) : Table =
    if not (File.Exists path) then
        raise (DataFileException(path, "no such file"))
    parse layout path (File.ReadAllText path)

/// Loads a CSV file with the default `layout`.
let load (path: string) : Table = loadWith layout path

/// Writes a table as CSV (t, trajectory, coordinates, and derivatives "d" + name if every trajectory has them),
/// numbers round-trip exact.
let write (path: string) (table: Table) =
    let withDerivatives = not table.Trajectories.IsEmpty && table.Trajectories |> List.forall (fun t -> t.Derivatives.IsSome)
    let header =
        [ yield layout.Time
          yield layout.Trajectory
          yield! table.Coordinates
          if withDerivatives then
              yield! table.Coordinates |> List.map (fun c -> layout.DerivativePrefix + c) ]
    let num (v: float) = v.ToString("R", invariant)
    let lines =
        [ yield String.Join(",", header)
          for t in table.Trajectories do
              for k in 0 .. t.Times.Length - 1 ->
                  let cells =
                      [ yield num t.Times[k]
                        yield t.Id
                        yield! t.States[k] |> Array.map num
                        if withDerivatives then
                            yield! t.Derivatives.Value[k] |> Array.map num ]
                  String.Join(",", cells) ]
    match Path.GetDirectoryName(Path.GetFullPath path) with
    | null -> ()
    | folder -> Directory.CreateDirectory folder |> ignore
    File.WriteAllLines(path, lines)

/// dx/dt by finite differences of second order on the trajectory's own (possibly uneven) times: the derivative at
/// t_k of the parabola through three neighbouring samples (centred inside, one-sided at the ends; first order for 2
/// rows). On an even grid these are the usual (x_{k+1} − x_{k−1}) / 2h and (∓3x₀ ± 4x₁ ∓ x₂) / 2h.
let finiteDifferences (t: Trajectory) : float[][] =
    let n = t.Times.Length
    let x, ts = t.States, t.Times
    let d = x[0].Length
    // Weights of x at a, b, c for the derivative at `at` of the parabola through (a, b, c).
    let weights (a: float) (b: float) (c: float) (at: float) =
        (2.0 * at - b - c) / ((a - b) * (a - c)), (2.0 * at - a - c) / ((b - a) * (b - c)), (2.0 * at - a - b) / ((c - a) * (c - b))
    Array.init n (fun k ->
        if n = 2 then
            Array.init d (fun j -> (x[1][j] - x[0][j]) / (ts[1] - ts[0]))
        else
            let i = min (max (k - 1) 0) (n - 3)
            let wa, wb, wc = weights ts[i] ts[i + 1] ts[i + 2] ts[k]
            Array.init d (fun j -> wa * x[i][j] + wb * x[i + 1][j] + wc * x[i + 2][j]))

/// The derivatives of a trajectory: as given, or by finite differences.
let derivatives (t: Trajectory) = t.Derivatives |> Option.defaultWith (fun () -> finiteDifferences t)

/// The table split into training and test trajectories: with several trajectories the last round(K·testFraction)
/// of them (at least 1, at most K − 1) are the test set; with one, its last rows (at least 1, at most n − 1).
let split (testFraction: float) (table: Table) : Trajectory list * Trajectory list =
    if not (testFraction > 0.0 && testFraction < 1.0) then
        invalidArg (nameof testFraction) (sprintf "test fraction must be in (0, 1), got %g" testFraction)
    match table.Trajectories with
    | [] -> invalidArg (nameof table) (sprintf "%s holds no trajectories" table.Source)
    | [ t ] ->
        let n = t.Times.Length
        let test = max 1 (min (n - 1) (int (Math.Round(float n * testFraction))))
        // Derivatives come from the whole trajectory, so the split rows keep the same targets as before splitting.
        let dx = derivatives t
        let part (rows: int[]) =
            { t with
                Times = rows |> Array.map (fun i -> t.Times[i])
                States = rows |> Array.map (fun i -> t.States[i])
                Derivatives = Some(rows |> Array.map (fun i -> dx[i])) }
        [ part [| 0 .. n - test - 1 |] ], [ { part [| n - test .. n - 1 |] with Id = t.Id + "-test" } ]
    | ts ->
        let k = ts.Length
        let test = max 1 (min (k - 1) (int (Math.Round(float k * testFraction))))
        List.splitAt (k - test) ts

/// A dataset from a table (`split`): states, derivatives (given or finite differences) and timelines (times and
/// trajectory numbers, for integrator-supervised training).
let toDataset (testFraction: float) (table: Table) : Dataset =
    let d = table.Coordinates.Length
    let name =
        match Path.GetFileNameWithoutExtension table.Source with
        | null -> table.Source
        | file -> file
    let train, test = split testFraction table
    let matrix (rows: float[][]) = StateMatrix(Array.concat rows, rows.Length, d)
    let states (ts: Trajectory list) = ts |> List.map (fun t -> t.States) |> Array.concat |> matrix
    let targets (ts: Trajectory list) = ts |> List.map derivatives |> Array.concat |> matrix
    let timeline (first: int) (ts: Trajectory list) =
        Timeline(
            ts |> List.map _.Times |> Array.concat,
            ts |> List.mapi (fun k t -> Array.create t.Times.Length (first + k)) |> Array.concat
        )
    Dataset(name, states train, targets train, states test, targets test, timeline 0 train, timeline train.Length test)

/// The test trajectories of `split` as measurements: what a model is rolled out against when there is no known H.
let heldOut (testFraction: float) (table: Table) : MeasuredTrajectory list =
    let d = table.Coordinates.Length
    [ for t in snd (split testFraction table) -> MeasuredTrajectory(t.Times, StateMatrix(Array.concat t.States, t.States.Length, d)) ]

/// Clean trajectories of a system from the given starts (row-major [K, 2n]) at `times`, with the exact
/// derivatives; ids "1".."K", coordinates named q… then p_q….
let ofSystem (system: Hamiltonian) (starts: float[]) (times: float[]) : Table =
    let d = system.Dimension
    let count = starts.Length / d
    let x = Hamiltonian.flow 1e-10 1e-10 system starts times
    let dx = Array.zeroCreate x.Length
    (Hamiltonian.batchField system).Invoke(0.0, ReadOnlySpan x, Span dx, x.Length / d)
    let row (values: float[]) k i = values[(k * times.Length + i) * d .. (k * times.Length + i) * d + d - 1]
    { Source = system.Name
      Coordinates = system.Coordinates @ (system.Coordinates |> List.map (fun c -> "p_" + c))
      Trajectories =
        [ for k in 0 .. count - 1 ->
              { Id = string (k + 1)
                Times = Array.copy times
                States = Array.init times.Length (row x k)
                Derivatives = Some(Array.init times.Length (row dx k)) } ] }
