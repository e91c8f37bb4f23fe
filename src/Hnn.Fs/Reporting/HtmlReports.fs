/// Offline HTML reports of an output folder: one page per task (phase portraits, paths, errors, energies,
/// learned H, losses, the metrics beside the paper's) and an index with the reproduction table.
/// Every page carries plotly.js inline (Plotly.NET's embedded copy), so nothing is fetched when it is opened.
module Hnn.HtmlReport

open System
open System.IO
open System.Net
open System.Text
open Plotly.NET
open TorchSharp
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Results
open Hnn.Tasks

/// File name of a task's page (pages link to each other by it; `RunFolder.Report` is its path).
let pageName (task: string) = task + ".html"

/// The model keys a report looks for, in drawing order.
let models = Tasks.trainableKinds |> List.map Tasks.modelKey

/// What an output folder holds for one model of one task.
type ModelRun =
    {
        Model: string
        Artifacts: RunArtifacts option
        /// The trained network, if its model file loads.
        Network: DynamicsModel option
        /// Seed the model was trained with (that of its data), if known.
        Seed: int option
        /// Files that exist but could not be read (the page says so and draws what it can).
        Problems: string list
    }

/// plotly.js as Plotly.NET embeds it for `PlotlyJSReference.Full` (a resource of its assembly).
let plotlyJs =
    lazy
        (let assembly = typeof<GenericChart>.Assembly
         let name = assembly.GetManifestResourceNames() |> Array.find (fun n -> n.StartsWith "Plotly.NET.plotly-" && n.EndsWith ".min.js")
         use stream = assembly.GetManifestResourceStream name |> nonNull
         use reader = new StreamReader(stream)
         reader.ReadToEnd())

let private encode (s: string) : string = WebUtility.HtmlEncode s |> Option.ofObj |> Option.defaultValue ""

/// An HTML page; with `plotly`, plotly.js is inlined in its head.
let page (title: string) (plotly: bool) (body: string) =
    let style =
        """body{font-family:Arial,Helvetica,sans-serif;margin:24px auto;max-width:1220px;color:#222;padding:0 16px}
h1{font-size:26px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
p.note{color:#555}.row{display:flex;flex-wrap:wrap;gap:8px}figure.chart{margin:0;display:table}
figcaption{display:table-caption;caption-side:bottom;color:#555;font-size:13px;padding:0 12px 12px}
table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}
th{background:#f3f3f3}td.num{font-family:Consolas,monospace;text-align:right}a{color:#1f77b4}"""
    let head =
        [ "<!DOCTYPE html>"
          "<html lang=\"en\"><head><meta charset=\"utf-8\">"
          sprintf "<title>%s</title>" (encode title)
          sprintf "<style>%s</style>" style
          if plotly then
              sprintf "<script type=\"text/javascript\" charset=\"utf-8\">%s</script>" plotlyJs.Value
          "</head><body>" ]
    String.concat "\n" head + "\n" + body + "\n</body></html>\n"

/// A chart with its caption, as the pages lay them out; `key` names it for the check.
let figure (key: string) (caption: string) (chart: GenericChart) =
    sprintf
        "<figure class=\"chart\" data-chart=\"%s\">%s<figcaption>%s</figcaption></figure>"
        (encode key)
        (GenericChart.toChartHTML chart)
        (encode caption)

let private section (title: string) (intro: string) (figures: string list) =
    if figures.IsEmpty then
        ""
    else
        sprintf
            "<section><h2>%s</h2>%s<div class=\"row\">%s</div></section>"
            (encode title)
            (if intro = "" then "" else sprintf "<p class=\"note\">%s</p>" (encode intro))
            (String.concat "\n" figures)

// ---- Metrics tables ----------------------------------------------------------------------------

let private value (v: Training.LossEstimate) = sprintf "%s ± %s" (Format.sci 4 v.Mean) (Format.sci 2 v.Err)

let private taskRank (task: string) =
    // Built-in tasks in the paper's order, then the others.
    Tasks.known |> List.tryFindIndex (fun t -> t.Key = task) |> Option.defaultValue 99

/// The cells as an HTML table: ours, the paper's and ours / paper; `withTask` adds the task column.
let metricsTable (withTask: bool) (cells: ResultsFile.Cell seq) =
    let rank metric = TextTable.metricOrder |> List.tryFindIndex ((=) metric) |> Option.defaultValue 99
    // The task is named on its first row only.
    let previous = ref ""
    let rows =
        cells
        |> Seq.sortBy (fun c -> taskRank c.Task, c.Task, rank c.Metric, c.Metric, TextTable.modelRank c.Model, c.Model)
        |> Seq.map (fun c ->
            let paper, ratio =
                match Paper.tryFind c.Task c.Model c.Metric with
                | Some p -> value p, Format.decimals 2 (c.Value.Mean / p.Mean)
                | None -> "—", "—"
            let task =
                if withTask then
                    sprintf "<td><a href=\"%s\">%s</a></td>" (encode (pageName c.Task)) (encode c.Task)
                else
                    ""
            let task = if withTask && c.Task = previous.Value then "<td></td>" else task
            previous.Value <- c.Task
            sprintf
                "<tr>%s<td>%s</td><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>"
                task
                (encode c.Metric)
                (encode (Plots.modelName c.Model))
                (value c.Value)
                paper
                ratio)
        |> Seq.toList
        |> String.concat "\n"
    sprintf
        "<table><tr>%s<th>metric</th><th>model</th><th>ours</th><th>paper</th><th>ours / paper</th></tr>\n%s</table>"
        (if withTask then "<th>task</th>" else "")
        rows

// ---- Reading an output folder ------------------------------------------------------------------

/// The results.json cells of an output folder (none if it has no results.json).
/// <exception cref="ResultsFileException">results.json is not a readable results file; the message names it.</exception>
let readCells (outDir: string) =
    let path = RunFolder(outDir).Results
    if File.Exists path then ResultsFile.Read path |> Seq.toList else []

/// The artifacts of a model in an output folder, if they exist, or why they could not be read.
let private loadArtifacts (folder: RunFolder) (task: string) (model: string) =
    let path = folder.Artifacts(task, model)
    if not (File.Exists path) then
        None, None
    else
        try
            Some(RunArtifacts.Load path), None
        with :? InvalidDataException as e ->
            None, Some e.Message

/// Artifacts and network of a model in an output folder, whichever exist.
let loadRun (outDir: string) (task: string) (model: string) =
    let folder = RunFolder outDir
    let artifacts, artifactsProblem = loadArtifacts folder task model
    let modelPath = folder.Model(task, model)
    let network, seed, modelProblem =
        if not (File.Exists modelPath) then
            None, None, None
        else
            Torch.init ()
            try
                let struct (net, file) = ModelFile.Load modelPath
                Some net, Some file.Training.Seed, None
            with :? ModelFileException as e ->
                None, None, Some e.Message
    { Model = model
      Artifacts = artifacts
      Network = network
      Seed = seed
      Problems = Option.toList artifactsProblem @ Option.toList modelProblem }

// ---- Paths from the artifacts --------------------------------------------------------------

/// Path k as T states of D coordinates.
let private states (r: Rollouts) (values: double[]) (k: int) =
    Array.init r.Times.Length (fun i -> Array.sub values ((k * r.Times.Length + i) * r.Dimension) r.Dimension)

/// Coordinate j of path k over time.
let private coordinate (r: Rollouts) (values: double[]) (k: int) (j: int) =
    Array.init r.Times.Length (fun i -> values[(k * r.Times.Length + i) * r.Dimension + j])

/// Squared state error at each time, averaged over paths and coordinates.
let mseOverTime (r: Rollouts) =
    Array.init r.Times.Length (fun i ->
        let mutable s = 0.0
        for k in 0 .. r.Count - 1 do
            let a = r.ReferenceState(k, i)
            let b = r.ModelState(k, i)
            for j in 0 .. r.Dimension - 1 do
                s <- s + (a[j] - b[j]) * (a[j] - b[j])
        s / float (r.Count * r.Dimension))

let private withRollouts (runs: ModelRun list) =
    runs
    |> List.choose (fun r -> r.Artifacts |> Option.bind (fun a -> Option.ofObj a.Rollouts |> Option.map (fun ro -> r, a, ro)))

/// Whether a task's reference is measured (the real pendulum, with either kind of targets; held-out trajectories).
let private isMeasured (task: Task) =
    match task.Evaluation with
    | HeldOut _ -> true
    | _ -> task.Key.StartsWith "real-pendulum"

let private referenceName (task: Task) = if isMeasured task then "Measured" else "True"

// ---- Model evaluation on grids --------------------------------------------------------------

/// States [N, D] (row-major float64 values) as a float32 tensor, as the networks take them.
let private statesTensor (dimension: int) (points: float[]) =
    torch.tensor(points |> Array.map float32).reshape(int64 (points.Length / dimension), int64 dimension)

/// dx/dt of a network at states [N, 2] (row-major), float64 out.
let private fieldAt (net: DynamicsModel) (points: float[]) =
    use scope = torch.NewDisposeScope()
    let x = statesTensor 2 points
    let d = net.TimeDerivative(x, false)
    d.data<float32>().ToArray() |> Array.map float

/// The learned Hamiltonian of an HNN at states [N, D] (row-major), or None for another model.
let learnedHamiltonian (net: DynamicsModel) (dimension: int) (points: float[]) =
    match net with
    | :? HamiltonianNet as hnn ->
        use scope = torch.NewDisposeScope()
        use grad = torch.no_grad ()
        let x = statesTensor dimension points
        Some(hnn.Hamiltonian(x).data<float32>().ToArray() |> Array.map float)
    | _ -> None

let private linspace (lo: float) (hi: float) (n: int) = Array.init n (fun i -> lo + (hi - lo) * float i / float (n - 1))

/// Grid points (q, p) row-major over [−qMax, qMax] × [−pMax, pMax], p outer.
let private grid (qs: float[]) (ps: float[]) =
    [| for p in ps do
           for q in qs do
               yield! [| q; p |] |]

// ---- Sections -----------------------------------------------------------------------------------

/// The loss curves (a sampled model is fitted in one solve: it has no curve).
let private lossSection (caption: string) (runs: ModelRun list) =
    let curves =
        runs
        |> List.choose (fun r -> r.Artifacts |> Option.map (fun a -> r.Model, a.TrainLoss, a.TestLoss))
        |> List.filter (fun (_, train, _) -> train.Length > 0)
    if curves.IsEmpty then
        ""
    else
        section "Training" "" [ figure "loss" caption (Plots.lossCurves curves) ]

/// Half-widths (qMax, pMax) of the phase-space box of a 2-D task: the training states' (padded by 10%), else the
/// reference paths' (padded by 20%).
let private phaseExtent (runs: ModelRun list) (data: Dataset option) =
    match data with
    | Some d ->
        let col j = [| for i in 0 .. d.TrainX.Rows - 1 -> abs d.TrainX[i, j] |] |> Array.max
        Some(1.1 * col 0, 1.1 * col 1)
    | None ->
        match withRollouts runs with
        | (_, _, r) :: _ ->
            let col j = Array.init (r.Reference.Length / 2) (fun i -> abs r.Reference[2 * i + j]) |> Array.max
            Some(1.2 * col 0, 1.2 * col 1)
        | [] -> None

let private phaseSection (task: Task) (runs: ModelRun list) (data: Dataset option) (extent: (float * float) option) =
    let rolled = withRollouts runs
    match extent with
    | None -> ""
    | Some(qMax, pMax) ->
        let n = 17
        let qs, ps = linspace -qMax qMax n, linspace -pMax pMax n
        let points = grid qs ps
        let spacing = min (2.0 * qMax) (2.0 * pMax) / float (n - 1)
        let asArrows (values: float[]) (at: float[]) =
            Array.init (at.Length / 2) (fun i -> at[2 * i], at[2 * i + 1], values[2 * i], values[2 * i + 1])
        let trueField =
            match task.System with
            | Some system when not (isMeasured task) ->
                let dx = Array.zeroCreate points.Length
                for i in 0 .. points.Length / 2 - 1 do
                    system.TimeDerivative(ReadOnlySpan(points, 2 * i, 2), Span(dx, 2 * i, 2))
                Some(asArrows dx points)
            | _ ->
                // No true system: the measured derivatives at (a thinned subset of) the training points.
                data
                |> Option.map (fun d ->
                    let stride = max 1 (d.TrainX.Rows / 150)
                    [| for i in 0..stride .. d.TrainX.Rows - 1 -> d.TrainX[i, 0], d.TrainX[i, 1], d.TrainDx[i, 0], d.TrainDx[i, 1] |])
        let magnitude (f: (float * float * float * float)[]) = f |> Array.map (fun (_, _, u, v) -> sqrt (u * u + v * v)) |> Array.max
        let scale =
            match trueField with
            | Some f when magnitude f > 0.0 -> 0.9 * spacing / magnitude f
            | _ -> 0.1
        // Arrows of a wild model field are shortened to 1.5 grid spacings so the panel stays readable.
        let clamp (f: (float * float * float * float)[]) =
            f
            |> Array.map (fun (x, y, u, v) ->
                let len = scale * sqrt (u * u + v * v)
                if len > 1.5 * spacing then x, y, u * 1.5 * spacing / len, v * 1.5 * spacing / len else x, y, u, v)
        // Every panel shows the same box, whatever a model's path does outside it.
        let within (qMax: float) (pMax: float) (chart: GenericChart) =
            chart
            |> Chart.withXAxisStyle (TitleText = "q", MinMax = (-qMax, qMax))
            |> Chart.withYAxisStyle (TitleText = "p", MinMax = (-pMax, pMax))
        let reference =
            match rolled with
            | (_, _, r) :: _ ->
                [ { Plots.line (referenceName task) Plots.referenceColor (coordinate r r.Reference 0 0) (coordinate r r.Reference 0 1) with
                      Dashed = true } ]
            | [] -> []
        let trainingPoints =
            match data with
            | Some d when not (isMeasured task) ->
                let stride = max 1 (d.TrainX.Rows / 400)
                let idx = [| 0..stride .. d.TrainX.Rows - 1 |]
                [ { Plots.line
                        "training data"
                        "#999999"
                        (idx |> Array.map (fun i -> d.TrainX[i, 0]))
                        (idx |> Array.map (fun i -> d.TrainX[i, 1])) with
                      Markers = true } ]
            | _ -> []
        let truePanel =
            trueField
            |> Option.map (fun f ->
                let title = if isMeasured task then "Measured field" else "True field"
                figure
                    "phase-true"
                    (if isMeasured task then
                         "Measured field: the measured dx/dt at training points, with the measured test trajectory."
                     else
                         "True field: the system's dx/dt on a grid, the training states, and the first evaluation path.")
                    (Plots.phasePanel title Plots.arrowColor scale f (trainingPoints @ reference) |> within qMax pMax))
        let modelPanels =
            [ for r in runs do
                  match r.Network with
                  // A Lagrangian network's field is in (q, q̇), not on this (q, p) grid.
                  | Some net when net.Coordinates = StateCoordinates.Canonical ->
                      let field = clamp (asArrows (fieldAt net points) points)
                      let own =
                          rolled
                          |> List.tryFind (fun (m, _, _) -> m.Model = r.Model)
                          |> Option.map (fun (_, _, ro) ->
                              Plots.line
                                  (Plots.modelName r.Model)
                                  (Plots.modelColor r.Model)
                                  (coordinate ro ro.Model 0 0)
                                  (coordinate ro ro.Model 0 1))
                      let title = Plots.modelName r.Model + " field"
                      figure
                          ("phase-" + r.Model)
                          (sprintf
                              "%s: the learned dx/dt on the same grid, and the model's path from the same start."
                              (Plots.modelName r.Model))
                          (Plots.phasePanel title Plots.arrowColor scale field (reference @ Option.toList own) |> within qMax pMax)
                  | _ -> () ]
        section
            "Phase portrait"
            "Vector fields on a grid over the training region (arrows to scale, clipped at 1.5 grid spacings); paths start at the energy protocol's first initial state."
            (Option.toList truePanel @ modelPanels)

let private statesSection (task: Task) (runs: ModelRun list) =
    match withRollouts runs with
    | [] -> ""
    | ((_, _, first) :: _) as rolled ->
        let measured = isMeasured task
        let chart (j: int) (label: string) =
            let reference =
                { Plots.line (referenceName task) Plots.referenceColor first.Times (coordinate first first.Reference 0 j) with
                    Markers = measured
                    Dashed = not measured }
            let models =
                [ for r, _, ro in rolled ->
                      Plots.line (Plots.modelName r.Model) (Plots.modelColor r.Model) ro.Times (coordinate ro ro.Model 0 j) ]
            Plots.lines (sprintf "%s over time" label) "t" label (reference :: models)
        let what =
            if measured then
                "the measured test trajectory and each model integrated from its first state"
            else
                "path 1 of the energy protocol"
        section
            (if measured then "Measured trajectory" else "State over time")
            ""
            [ figure "state-q" (sprintf "Position q: %s." what) (chart 0 "q")
              figure "state-p" (sprintf "Momentum p: %s." what) (chart 1 "p") ]

let private bodyColors = [| "#ff7f0e"; "#2ca02c"; "#9467bd" |]

let private orbitSection (task: Task) (runs: ModelRun list) =
    match withRollouts runs with
    | [] -> ""
    | ((_, _, first) :: _) as rolled ->
        let bodies = task.Dimension / 4
        let panel (title: string) (r: Rollouts) (values: double[]) =
            [ for b in 0 .. bodies - 1 ->
                  Plots.line
                      (sprintf "body %d" (b + 1))
                      bodyColors[b % bodyColors.Length]
                      (coordinate r values 0 b)
                      (coordinate r values 0 (bodies + b)) ]
            |> Plots.orbits title
        let reference = figure "orbit-true" "True orbits of path 1 (x–y of each body)." (panel "True" first first.Reference)
        let models =
            [ for r, _, ro in rolled ->
                  figure
                      ("orbit-" + r.Model)
                      (sprintf "%s: the same start integrated with the learned field." (Plots.modelName r.Model))
                      (panel (Plots.modelName r.Model) ro ro.Model) ]
        section "Orbits" "" (reference :: models)

/// The positions of path 1 over time, one chart per coordinate, for a system whose coordinates are not positions of
/// bodies in the plane (the double pendulum's angles, the chain's displacements, the elastic pendulum's r and θ).
let private coordinatesSection (task: Task) (runs: ModelRun list) =
    match withRollouts runs with
    | [] -> ""
    | ((_, _, first) :: _) as rolled ->
        let chart (j: int) =
            let label = sprintf "q%d" (j + 1)
            let reference =
                { Plots.line (referenceName task) Plots.referenceColor first.Times (coordinate first first.Reference 0 j) with
                    Dashed = true }
            let models =
                [ for r, _, ro in rolled ->
                      Plots.line (Plots.modelName r.Model) (Plots.modelColor r.Model) ro.Times (coordinate ro ro.Model 0 j) ]
            figure
                ("state-" + label)
                (sprintf "Position %s (coordinate %d of the state) along path 1 of the energy protocol." label (j + 1))
                (Plots.lines (sprintf "%s over time" label) "t" label (reference :: models))
        section
            "State over time"
            "Path 1 of the energy protocol: the reference and each model integrated from the same start."
            [ for j in 0 .. first.Dimension / 2 - 1 -> chart j ]

let private errorSection (runs: ModelRun list) =
    match withRollouts runs with
    | [] -> []
    | rolled ->
        let series = [ for r, _, ro in rolled -> Plots.line (Plots.modelName r.Model) (Plots.modelColor r.Model) ro.Times (mseOverTime ro) ]
        [ figure
              "mse"
              "Squared state error against the reference, averaged over all evaluation paths and coordinates (log scale)."
              (Plots.logLines "MSE between reference and model paths" "t" "MSE" series) ]

let private energySection (task: Task) (runs: ModelRun list) =
    let rolled = withRollouts runs |> List.choose (fun (r, a, ro) -> Option.ofObj a.ModelEnergy |> Option.map (fun e -> r, a, ro, e))
    match rolled with
    | [] -> []
    | (_, a0, r0, _) :: _ ->
        let t = r0.Times.Length
        let reference =
            Option.ofObj a0.ReferenceEnergy
            |> Option.map (fun e -> { Plots.line (referenceName task) Plots.referenceColor r0.Times (Array.sub e 0 t) with Dashed = true })
        let models =
            [ for r, _, ro, e in rolled -> Plots.line (Plots.modelName r.Model) (Plots.modelColor r.Model) ro.Times (Array.sub e 0 t) ]
        let title = if task.Dimension > 2 then "Total energy" else "Energy"
        [ figure
              "energy"
              (sprintf "%s: the true energy H along path 1 of the reference and of each model." title)
              (Plots.lines (sprintf "%s over time" title) "t" "H" (Option.toList reference @ models)) ]

let private learnedSection (task: Task) (runs: ModelRun list) (extent: (float * float) option) =
    let hnn = runs |> List.tryFind (fun r -> r.Model = "hnn")
    match hnn |> Option.bind (fun r -> r.Network) with
    | None -> ""
    | Some net ->
        let along =
            withRollouts runs
            |> List.tryFind (fun (r, _, _) -> r.Model = "hnn")
            |> Option.bind (fun (_, _, ro) ->
                let path = Array.sub ro.Model 0 (ro.Times.Length * ro.Dimension)
                learnedHamiltonian net ro.Dimension path
                |> Option.map (fun h ->
                    match task.System with
                    | Some system ->
                        let trueAlong = states ro ro.Model 0 |> Array.map (fun x -> system.Energy(ReadOnlySpan x))
                        // H is learned up to an additive constant: align it with the true energy at the start.
                        let shifted = h |> Array.map (fun v -> v - h[0] + trueAlong[0])
                        figure
                            "learned-h"
                            "The HNN's learned H along its own path 1 (shifted by a constant to start at the true energy: H is only learned up to one), with the true energy along the same path."
                            (Plots.sized 470 400
                             <| Plots.lines
                                 "Learned conserved quantity"
                                 "t"
                                 "H"
                                 [ Plots.line "learned H (HNN)" (Plots.modelColor "hnn") ro.Times shifted
                                   { Plots.line "true H along the HNN path" Plots.referenceColor ro.Times trueAlong with Dashed = true } ])
                    | None ->
                        // No true H: the learned one along the HNN's path and along the measured one (a conserved
                        // quantity is flat along both if the data conserve one), shifted to start at 0.
                        let measured =
                            learnedHamiltonian net ro.Dimension (Array.sub ro.Reference 0 (ro.Times.Length * ro.Dimension))
                            |> Option.defaultValue [||]
                        let from0 (v: float[]) = v |> Array.map (fun x -> x - v[0])
                        figure
                            "learned-h"
                            "The HNN's learned H (shifted to start at 0: H is only learned up to a constant) along its own path and along the measured held-out trajectory; there is no true H to compare with."
                            (Plots.sized 470 400
                             <| Plots.lines
                                 "Learned conserved quantity"
                                 "t"
                                 "H − H(0)"
                                 [ Plots.line "learned H along the HNN path" (Plots.modelColor "hnn") ro.Times (from0 h)
                                   { Plots.line "learned H along the measured path" Plots.referenceColor ro.Times (from0 measured) with
                                       Dashed = true } ])))
        let maps =
            match extent with
            | Some(qMax, pMax) when task.Dimension = 2 ->
                let n = 41
                let qs, ps = linspace -qMax qMax n, linspace -pMax pMax n
                let points = grid qs ps
                let toRows (v: float[]) = Array.init n (fun i -> Array.sub v (i * n) n)
                let learned = learnedHamiltonian net 2 points |> Option.defaultValue [||]
                let trueTitle = if isMeasured task then "Analysis H" else "True H"
                [ match task.System with
                  | Some system ->
                      let trueH = Array.init (n * n) (fun i -> system.Energy(ReadOnlySpan(points, 2 * i, 2)))
                      figure
                          "h-true"
                          (sprintf
                              "%s: %s."
                              trueTitle
                              (if isMeasured task then
                                   "2.4(1 − cos q) + p², the energy the metrics use"
                               else
                                   "contours of the system's Hamiltonian"))
                          (Plots.contours trueTitle "q" "p" qs ps (toRows trueH))
                  | None -> ()
                  if learned.Length > 0 then
                      figure
                          "h-learned"
                          "Contours of the HNN's learned H: its level sets are the paths the HNN's flow follows."
                          (Plots.contours "Learned H (HNN)" "q" "p" qs ps (toRows learned)) ]
            | _ -> []
        section "Learned conserved quantity" "" (maps @ Option.toList along)

/// The two parts of a dissipative HNN's field at states [N, 2] (row-major): (M·∇H, ∇D), float64.
let private fieldParts (net: DissipativeHnn) (points: float[]) =
    use scope = torch.NewDisposeScope()
    let x = statesTensor 2 points
    let values (t: torch.Tensor) = t.data<float32>().ToArray() |> Array.map float
    values (net.ConservativeField x), values (net.DissipativeField x)

let private dissipationSection (task: Task) (runs: ModelRun list) (extent: (float * float) option) (cells: ResultsFile.Cell list) =
    let dissipative =
        runs
        |> List.tryPick (fun r ->
            match r.Network with
            | Some(:? DissipativeHnn as d) -> Some d
            | _ -> None)
    match dissipative, extent with
    | Some net, Some(qMax, pMax) when task.Dimension = 2 ->
        let n = 17
        let points = grid (linspace -qMax qMax n) (linspace -pMax pMax n)
        let conservative, damping = fieldParts net points
        let arrowsOf (v: float[]) = Array.init (points.Length / 2) (fun i -> points[2 * i], points[2 * i + 1], v[2 * i], v[2 * i + 1])
        let spacing = min (2.0 * qMax) (2.0 * pMax) / float (n - 1)
        let largest = Array.map2 (fun a b -> max (abs a) (abs b)) conservative damping |> Array.max
        // Both panels share one scale, so the friction arrows show how small it is beside the conservative flow.
        let scale = if largest > 0.0 then 0.9 * spacing / largest else 0.1
        let cell model metric =
            cells
            |> List.tryFind (fun c -> c.Task = task.Key && c.Model = model && c.Metric = metric)
            |> Option.map (fun c -> c.Value.Mean)
        let rates =
            [ match cell "dissipative-hnn" "contraction_rate" with
              | Some c -> sprintf "learned contraction −ΔD = %s per unit time" (Format.sci 3 c)
              | None -> ()
              match cell "dissipative-hnn" "energy_loss_rate", cell "dissipative-hnn" "energy_loss_rate_true" with
              | Some m, Some t ->
                  sprintf
                      "energy-loss rate along the model's path %s vs %s along the %s one"
                      (Format.sci 3 m)
                      (Format.sci 3 t)
                      ((referenceName task).ToLowerInvariant())
              | _ -> () ]
        let intro =
            "The dissipative HNN's field split into its learned parts: M·∇H conserves the learned H, ∇D carries the friction (same arrow scale). "
            + (if rates.IsEmpty then "" else String.concat "; " rates + ".")
        section
            "Learned dissipation"
            intro
            [ figure
                  "field-conservative"
                  "Conservative part M·∇H of the dissipative HNN's field."
                  (Plots.phasePanel "M·∇H (conservative)" Plots.arrowColor scale (arrowsOf conservative) [])
              figure
                  "field-dissipative"
                  "Dissipative part ∇D of the dissipative HNN's field, on the same scale."
                  (Plots.phasePanel "∇D (dissipative)" (Plots.modelColor "dissipative-hnn") scale (arrowsOf damping) []) ]
    | _ -> ""

// ---- Pages --------------------------------------------------------------------------------------

/// The HTML of one task's report from what the output folder holds.
let taskPage (outDir: string) (task: Task) (cells: ResultsFile.Cell list) =
    let runs = models |> List.map (loadRun outDir task.Key)
    try
        let data = if task.Dimension = 2 then runs |> List.tryPick (fun r -> r.Seed) |> Option.map task.Data else None
        let extent = if task.Dimension = 2 then phaseExtent runs data else None
        let taskCells = cells |> List.filter (fun c -> c.Task = task.Key)
        let note = task.Note
        let body =
            [ "<p><a href=\"index.html\">← all tasks</a></p>"
              sprintf "<h1>%s</h1>" (encode task.Title)
              sprintf
                  "<p class=\"note\">Task <code>%s</code>, state dimension %d. Reference black, baseline red, HNN blue, dissipative HNN green, sampled HNN cyan, sampled dissipative HNN olive.%s</p>"
                  (encode task.Key)
                  task.Dimension
                  (if note = "" then "" else " Note: " + encode note)
              for r in runs do
                  for p in r.Problems do
                      sprintf "<p class=\"note\">Left out: %s</p>" (encode p)
              if not taskCells.IsEmpty then
                  sprintf "<section><h2>Metrics</h2>%s</section>" (metricsTable false taskCells)
              if task.Dimension = 2 then
                  phaseSection task runs data extent
              else
                  // Angles, displacements and polar coordinates are no positions in the plane: their own charts.
                  match task.System with
                  | Some(:? Hnn.Systems.DoublePendulum | :? Hnn.Systems.OscillatorChain | :? Hnn.Systems.ElasticPendulum) ->
                      coordinatesSection task runs
                  | _ -> orbitSection task runs
              learnedSection task runs extent
              dissipationSection task runs extent taskCells
              if task.Dimension = 2 then
                  statesSection task runs
              section "Rollout error and energy" "" (errorSection runs @ energySection task runs)
              lossSection
                  "Loss on the training and test sets per step (log scale); the test loss is measured every step on the small tasks, every 50 steps on the orbit tasks."
                  runs ]
        page (sprintf "%s — Hnn report" task.Title) true (String.concat "\n" body)
    finally
        for r in runs do
            r.Network |> Option.iter (fun n -> n.Dispose())

/// The runs recorded in OutDir/results.json, as an HTML table (empty if there are none).
let runsTable (outDir: string) =
    let path = RunFolder(outDir).Results
    let runs =
        if not (File.Exists path) then
            []
        else
            use doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText path)
            match doc.RootElement.TryGetProperty "runs" with
            | true, runs when runs.ValueKind = System.Text.Json.JsonValueKind.Array ->
                [ for r in runs.EnumerateArray() ->
                      [ "date"; "seed"; "steps"; "threads"; "seconds"; "command" ]
                      |> List.map (fun k ->
                          match r.TryGetProperty k with
                          | true, v when v.ValueKind = System.Text.Json.JsonValueKind.Number && k = "seconds" ->
                              sprintf "%.0f" (v.GetDouble())
                          | true, v when v.ValueKind = System.Text.Json.JsonValueKind.String -> encode (string (v.GetString()))
                          | true, v -> encode (v.GetRawText())
                          | _ -> "") ]
            | _ -> []
    if runs.IsEmpty then
        ""
    else
        let rows = runs |> List.map (fun cells -> "<tr>" + (cells |> List.map (sprintf "<td>%s</td>") |> String.concat "") + "</tr>")
        "<h2>Runs</h2><table><tr><th>date</th><th>seed</th><th>steps</th><th>threads</th><th>seconds</th><th>command</th></tr>\n"
        + String.concat "\n" rows
        + "</table>"

/// The pixel pendulum's page: its metrics beside the paper's, its loss curves, and its animations, true | each
/// model, plain and with energy added half way (the GIFs and PNG strips `PixelPendulum.pictures` wrote into the folder).
let pixelPage (outDir: string) (task: Task) (cells: ResultsFile.Cell list) =
    let folder = RunFolder outDir
    let taskCells = cells |> List.filter (fun c -> c.Task = task.Key)
    let runs =
        [ for m in models do
              match loadArtifacts folder task.Key m with
              | Some a, _ -> { Model = m; Artifacts = Some a; Network = None; Seed = None; Problems = [] }
              | None, _ -> () ]
    let picture (name: string) (caption: string) =
        let gif, png = folder.Picture(name + ".gif"), folder.Picture(name + ".png")
        [ if File.Exists gif then
              sprintf
                  "<figure><img src=\"../%s\" alt=\"%s\"><figcaption>%s</figcaption></figure>"
                  (encode (name + ".gif"))
                  (encode caption)
                  (encode caption)
          if File.Exists png then
              sprintf
                  "<figure><img src=\"../%s\" alt=\"%s (strip)\" style=\"max-width:100%%\"><figcaption>Every 10th frame of the same.</figcaption></figure>"
                  (encode (name + ".png"))
                  (encode caption) ]
    let body =
        [ "<p><a href=\"index.html\">← all tasks</a></p>"
          sprintf "<h1>%s</h1>" (encode task.Title)
          sprintf "<p class=\"note\">Task <code>%s</code>: %s</p>" (encode task.Key) (encode task.Note)
          if not taskCells.IsEmpty then
              sprintf "<section><h2>Metrics</h2>%s</section>" (metricsTable false taskCells)
          let plain = picture task.Key "True pendulum, then each model's latent rollout decoded to frames, from the same test start."
          let boosted =
              picture
                  (task.Key + "-energy")
                  "The same with the swing's amplitude raised half way: a model that learned the energy follows the larger swing."
          if not (plain.IsEmpty && boosted.IsEmpty) then
              sprintf "<section><h2>Rollouts</h2><div class=\"row\">%s</div></section>" (String.concat "\n" (plain @ boosted))
          lossSection
              "Loss (autoencoder, canonical and latent terms) of a training minibatch per step and of a test minibatch every 100 steps (log scale)."
              runs ]
    page (sprintf "%s — Hnn report" task.Title) (not runs.IsEmpty) (String.concat "\n" body)

/// The page of a task: `pixelPage` for the pixel pendulum, `taskPage` for the others.
let pageOf (outDir: string) (task: Task) (cells: ResultsFile.Cell list) =
    match task.Source with
    | Pixels _ -> pixelPage outDir task cells
    | BuiltIn
    | Composed _
    | Csv _ -> taskPage outDir task cells

/// The index page: a link to every report ((key, title) pairs), the reproduction table, then `runs` (HTML, e.g.
/// `runsTable`).
let indexPageOf (reports: (string * string) list) (cells: ResultsFile.Cell list) (runs: string) =
    let links =
        reports
        |> List.map (fun (key, title) ->
            sprintf "<li><a href=\"%s\">%s</a> (<code>%s</code>)</li>" (encode (pageName key)) (encode title) (encode key))
        |> String.concat "\n"
    let body =
        [ "<h1>Hamiltonian Neural Networks: reproduction report</h1>"
          "<p class=\"note\">Greydanus, Dzamba, Yosinski (NeurIPS 2019), reproduced with Hnn. Each report opens offline.</p>"
          "<h2>Tasks</h2>"
          sprintf "<ul>%s</ul>" links
          "<h2>Ours beside the paper's (Table 1)</h2>"
          "<p class=\"note\">Mean ± error as the paper reports them; the paper reports no rollout MSE, energy drift, energy_error (median |ΔH|/|H₀| at t = 20) or vpt (valid prediction time: the first time ‖x̂ − x‖/‖x‖ exceeds 0.1).</p>"
          metricsTable true cells
          runs ]
    page "Hnn reports" false (String.concat "\n" body)

/// The index page of these tasks' reports (see `indexPageOf`).
let indexPage (reports: Task list) (cells: ResultsFile.Cell list) (runs: string) =
    indexPageOf (reports |> List.map (fun t -> t.Key, t.Title)) cells runs

/// The tasks an output folder has anything for (cells, artifacts or models): the built-in ones in the paper's order
/// and the pixel pendulum, then those the folder recorded (CSV tasks), then `known` ones (e.g. composed in F#, which
/// no file can rebuild).
let tasksIn (known: Task list) (outDir: string) (cells: ResultsFile.Cell list) =
    let folder = RunFolder outDir
    Tasks.known @ TaskSources.recorded folder @ known
    |> List.distinctBy _.Key
    |> List.filter (fun t ->
        cells |> List.exists (fun c -> c.Task = t.Key)
        || models |> List.exists (fun m -> File.Exists(folder.Artifacts(t.Key, m)) || File.Exists(folder.Model(t.Key, m))))

/// Writes one task's report as OutDir/reports/<task>.html; returns its path.
let writeTask (outDir: string) (task: Task) =
    let path = RunFolder(outDir).Report task.Key
    IO.AtomicFile.WriteAllText(path, pageOf outDir task (readCells outDir))
    path

/// As `writeAll`, with `known` tasks besides those the folder can name (see `tasksIn`), stopping between pages
/// (RunInterruptedException) once `token` is cancelled; pages already written stay whole (each is written atomically).
let writeAllFor (known: Task list) (token: Threading.CancellationToken) (outDir: string) : string list =
    if not (Directory.Exists outDir) then
        raise (DirectoryNotFoundException(sprintf "%s: no such folder" outDir))
    let cells = readCells outDir
    let tasks = tasksIn known outDir cells
    if tasks.IsEmpty then
        raise (InvalidDataException(sprintf "%s: nothing to report (no results.json, artifacts/ or models/ of a known task)" outDir))
    let folder = RunFolder outDir
    let write (key: string) (html: unit -> string) =
        Interruption.check token "report writing"
        let path = folder.Report key
        IO.AtomicFile.WriteAllText(path, html ())
        path
    let pages = [ for t in tasks -> write t.Key (fun () -> pageOf outDir t cells) ]
    // Tasks of earlier runs into this folder that no file can rebuild (composed in F#) keep their pages: linked too.
    let earlier =
        cells
        |> List.map _.Task
        |> List.distinct
        |> List.filter (fun key -> not (tasks |> List.exists (fun t -> t.Key = key)) && File.Exists(folder.Report key))
    let links = (tasks |> List.map (fun t -> t.Key, t.Title)) @ (earlier |> List.map (fun key -> key, key))
    IO.AtomicFile.WriteAllText(folder.ReportIndex, indexPageOf links cells (runsTable outDir))
    pages @ [ folder.ReportIndex ]

/// Writes every task's report and the index (OutDir/reports/index.html) from what is in outDir; returns the paths, index last.
/// <exception cref="DirectoryNotFoundException">outDir does not exist.</exception>
/// <exception cref="InvalidDataException">outDir holds nothing to report (no results.json, artifacts or models of a known task).</exception>
/// <exception cref="ResultsFileException">Its results.json is not a readable results file.</exception>
let writeAll (outDir: string) : string list = writeAllFor [] Threading.CancellationToken.None outDir

// ---- Static images ------------------------------------------------------------------------------

/// A page with only the charts of `html` named in `keys` (data-chart), in that order, side by side.
let excerptPage (title: string) (html: string) (keys: string list) =
    let figures =
        [ for key in keys do
              let m =
                  Text.RegularExpressions.Regex.Match(
                      html,
                      sprintf "<figure class=\"chart\" data-chart=\"%s\">.*?</figure>" (Text.RegularExpressions.Regex.Escape key),
                      Text.RegularExpressions.RegexOptions.Singleline
                  )
              if m.Success then
                  m.Value ]
    page title true (sprintf "<style>body{margin:8px auto}</style><div class=\"row\">%s</div>" (String.concat "\n" figures))
