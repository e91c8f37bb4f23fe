/// Charts of a task's results (Plotly.NET): pure functions from arrays to charts, no files and no models.
/// Colours follow the paper's figures: reference black, baseline red, HNN blue.
module Hnn.Plots

open System
open Plotly.NET
open Plotly.NET.LayoutObjects

/// A line to draw: its legend name, points and style.
type Series =
    {
        Name: string
        X: float[]
        Y: float[]
        Color: string
        Dashed: bool
        /// Markers instead of a line (e.g. measurements, training points).
        Markers: bool
    }

/// Colour of the reference (true system or measurement).
let referenceColor = "#222222"

/// Colour of vector-field arrows (light, so paths stand out over them).
let arrowColor = "#8c8c8c"

/// Colour of a model by its key ("baseline", "hnn").
let modelColor (model: string) =
    match model with
    | "baseline" -> "#d62728"
    | "hnn" -> "#1f77b4"
    | "dissipative-hnn" -> "#2ca02c"
    | "sampled-hnn" -> "#17becf"
    | "sampled-dissipative-hnn" -> "#bcbd22"
    | "port-hnn" -> "#9467bd"
    | "lnn" -> "#ff7f0e"
    | "delan" -> "#7f7f7f"
    | "la-sympnet" -> "#e377c2"
    | "g-sympnet" -> "#e6ab02"
    | _ -> "#8c564b"

/// Name of a model by its key, as the figures print it.
let modelName (model: string) =
    match Tasks.tryModelKind model with
    | Ok kind -> Tasks.modelTitle kind
    | Error _ -> model

/// A solid line.
let line name color (x: float[]) (y: float[]) = { Name = name; X = x; Y = y; Color = color; Dashed = false; Markers = false }

/// At most `count` points of a curve, evenly strided, keeping the last (curves of 10⁴ steps stay light).
let thin (count: int) (x: float[]) (y: float[]) =
    if x.Length <= count then
        x, y
    else
        let stride = int (ceil (float x.Length / float count))
        let idx =
            [| yield! [| 0..stride .. x.Length - 1 |]
               if (x.Length - 1) % stride <> 0 then
                   yield x.Length - 1 |]
        Array.map (Array.get x) idx, Array.map (Array.get y) idx

let private trace (s: Series) =
    let lineStyle =
        Line.init (
            Color = Color.fromString s.Color,
            Width = 2.0,
            Dash = (if s.Dashed then StyleParam.DrawingStyle.Dash else StyleParam.DrawingStyle.Solid)
        )
    if s.Markers then
        Chart.Point(x = s.X, y = s.Y, Name = s.Name, MarkerColor = Color.fromString s.Color)
        |> Chart.withMarkerStyle (Size = 4, Opacity = 0.6)
    else
        Chart.Line(x = s.X, y = s.Y, Name = s.Name, Line = lineStyle)

let private font = Font.init (Family = StyleParam.FontFamily.Arial, Size = 13)

/// Common look: title, axis titles, size, white background, legend on top.
let private styled (title: string) (xTitle: string) (yTitle: string) (width: int) (height: int) (chart: GenericChart) =
    chart
    |> Chart.withTemplate ChartTemplates.lightMirrored
    |> Chart.withTitle (title, TitleFont = Font.init (Size = 15))
    |> Chart.withXAxisStyle (TitleText = xTitle)
    |> Chart.withYAxisStyle (TitleText = yTitle)
    |> Chart.withSize (width, height)
    |> Chart.withLayout (Layout.init (Font = font))
    |> Chart.withLegend (
        Legend.init (Orientation = StyleParam.Orientation.Horizontal, X = 0.0, Y = -0.2, YAnchor = StyleParam.YAnchorPosition.Top)
    )
    |> Chart.withMarginSize (Left = 70, Right = 20, Top = 50, Bottom = 90)
    // Static pages: no mode bar over the titles, no MathJax, no links out; zoom and hover still work.
    |> Chart.withConfig (Config.init (DisplayModeBar = false, TypesetMath = false, ShowLink = false, Responsive = false))

/// One unit on y as long as one unit on x (phase portraits, orbits).
let equalAxes (chart: GenericChart) = chart |> Chart.withYAxis (LinearAxis.init (ScaleAnchor = StyleParam.ScaleAnchor.X 1))

/// Lines over a common x axis.
let lines (title: string) (xTitle: string) (yTitle: string) (series: Series list) =
    series |> List.map trace |> Chart.combine |> styled title xTitle yTitle 560 400

/// The same chart at another size.
let sized (width: int) (height: int) (chart: GenericChart) = chart |> Chart.withSize (width, height)

/// Lines on a logarithmic y axis (losses, squared errors); non-positive and NaN points are left out.
let logLines (title: string) (xTitle: string) (yTitle: string) (series: Series list) =
    series
    |> List.map (fun s ->
        let keep = Array.init s.X.Length id |> Array.filter (fun i -> s.Y[i] > 0.0 && Double.IsFinite s.Y[i])
        { s with X = Array.map (Array.get s.X) keep; Y = Array.map (Array.get s.Y) keep })
    |> lines title xTitle yTitle
    |> Chart.withYAxisStyle (TitleText = yTitle, AxisType = StyleParam.AxisType.Log)
    |> Chart.withYAxis (LinearAxis.init (ExponentFormat = StyleParam.ExponentFormat.Power))

/// Train (solid) and test (dashed) loss per step for each model, log scale.
let lossCurves (curves: (string * float32[] * float32[]) list) =
    [ for model, train, test in curves do
          let steps (values: float32[]) = Array.init values.Length float
          let tx, ty = thin 1500 (steps train) (Array.map float train)
          line (modelName model + " train") (modelColor model) tx ty
          let measured = Array.init test.Length id |> Array.filter (fun i -> Single.IsFinite test[i])
          let ex, ey = thin 1500 (measured |> Array.map float) (measured |> Array.map (fun i -> float test[i]))
          { line (modelName model + " test") (modelColor model) ex ey with Dashed = true } ]
    |> logLines "Training and test loss" "step" "loss (MSE of dx/dt)"

/// An arrow field: arrows from (x, y) along (u, v), as one line trace with gaps; `scale` converts field units to axis units.
let arrows (name: string) (color: string) (scale: float) (field: (float * float * float * float)[]) =
    let xs = ResizeArray<float>()
    let ys = ResizeArray<float>()
    for x, y, u, v in field do
        let ex, ey = x + scale * u, y + scale * v
        let len = sqrt ((ex - x) ** 2.0 + (ey - y) ** 2.0)
        if len > 0.0 then
            // A V-shaped head: two strokes at ±25° back from the tip, 30% of the arrow long.
            let angle = atan2 (ey - y) (ex - x)
            let head = 0.3 * len
            let hx a = ex - head * cos (angle + a)
            let hy a = ey - head * sin (angle + a)
            xs.AddRange [ x; ex; nan; hx 0.44; ex; hx -0.44; nan ]
            ys.AddRange [ y; ey; nan; hy 0.44; ey; hy -0.44; nan ]
    Chart.Line(x = xs, y = ys, Name = name, Line = Line.init (Color = Color.fromString color, Width = 1.0), ShowLegend = false)

/// One panel of a phase portrait: a vector field as arrows, with paths drawn over it (q horizontal, p vertical).
let phasePanel (title: string) (arrowColor: string) (scale: float) (field: (float * float * float * float)[]) (paths: Series list) =
    (arrows title arrowColor scale field :: List.map trace paths)
    |> Chart.combine
    |> styled title "q" "p" 370 420
    |> equalAxes

/// Contours of a scalar function on a grid (z[i][j] at x[j], y[i]).
let contours (title: string) (xTitle: string) (yTitle: string) (x: float[]) (y: float[]) (z: float[][]) =
    Chart.Contour(
        zData = z,
        X = x,
        Y = y,
        ShowScale = false,
        NContours = 16,
        ColorScale = StyleParam.Colorscale.Viridis,
        ContourLinesWidth = 0.6,
        ContourLinesColor = Color.fromString "white"
    )
    |> styled title xTitle yTitle 340 400
    |> equalAxes

/// Orbits in the plane: one x–y path per body (each a `Series` named after its body), equal axes.
let orbits (title: string) (paths: Series list) = paths |> List.map trace |> Chart.combine |> styled title "x" "y" 370 420 |> equalAxes
