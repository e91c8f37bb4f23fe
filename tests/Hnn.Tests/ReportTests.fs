/// Reports: written from an output folder without training, self-contained, every chart with data.
module Hnn.Tests.ReportTests

open System
open System.IO
open System.Text.Json
open System.Text.RegularExpressions
open Expecto
open Hnn
open Hnn.Evaluation
open Hnn.Models
open Hnn.Results
open Hnn.Training

/// Paths [K, T, D] from a function of (path, time) → state.
let private paths (times: float[]) (count: int) (state: int -> float -> float[]) =
    [| for k in 0 .. count - 1 do
           for t in times do
               yield! state k t |]

let private energies (system: Systems.IHamiltonianSystem) (dimension: int) (values: float[]) =
    Array.init (values.Length / dimension) (fun i -> system.Energy(ReadOnlySpan(values, i * dimension, dimension)))

/// An output folder as a run leaves it, made without training: results.json cells, artifacts with made-up paths
/// and losses, and for the spring two untrained models (so the phase portraits and learned H are drawn).
let private syntheticOutput () =
    let dir = Directory.CreateTempSubdirectory("hnn-reports-").FullName
    let times = Array.init 60 (fun i -> 0.1 * float i)
    let loss n = Array.init n (fun i -> float32 (1.0 / float (i + 1)))
    let testLoss n = Array.init n (fun i -> if i % 3 = 0 then float32 (1.2 / float (i + 1)) else Single.NaN)
    let save task model dimension (reference: float[]) (modelPaths: float[]) (system: Systems.IHamiltonianSystem) =
        let rollouts = Rollouts(times, reference.Length / (times.Length * dimension), dimension, reference, modelPaths)
        RunArtifacts(task, model, loss 40, testLoss 40, rollouts, energies system dimension reference, energies system dimension modelPaths)
            .Save
            dir
        |> ignore
    // Spring: circles, the models drifting slightly in phase and radius.
    let circle (radius: float) (phase: float) k t =
        [| radius * (0.5 + 0.2 * float k) * cos (2.0 * t + phase); -radius * (0.5 + 0.2 * float k) * sin (2.0 * t + phase) |]
    let springRef = paths times 2 (circle 1.0 0.0)
    for model, r, ph in [ "baseline", 1.05, 0.1; "hnn", 1.0, 0.05 ] do
        save "spring" model 2 springRef (paths times 2 (circle r ph)) Tasks.spring.System.Value
    // Two bodies on opposite sides of a circle: q = (x1, x2, y1, y2), p = (px1, px2, py1, py2).
    let orbit (radius: float) _ t =
        let c, s = cos t, sin t
        [| radius * c; -radius * c; radius * s; -radius * s; -s; s; c; -c |]
    let bodiesRef = paths times 1 (orbit 1.0)
    for model, r in [ "baseline", 1.1; "hnn", 1.02 ] do
        save "two-body" model 8 bodiesRef (paths times 1 (orbit r)) Tasks.twoBody.System.Value
    for kind in [ ModelKind.Baseline; ModelKind.Hnn ] do
        use model = DynamicsModel.Create(ModelSettings(kind, 2, HiddenDim = 16), 0)
        ModelFile.Save(model, "spring", TrainSettings(Steps = 40), (RunFolder dir).Model("spring", Tasks.modelKey kind))
        |> ignore
    let cells =
        [ for task in [ "spring"; "two-body" ] do
              for model in [ "baseline"; "hnn" ] do
                  for metric, v in [ "train_loss", 0.037; "test_loss", 0.036; "energy_mse", 0.01 ] ->
                      ResultsFile.Cell(task, model, metric, LossEstimate(v, v / 20.0)) ]
    ResultsFile.Merge(dir, cells, ResultsFile.RunInfo("2026-01-01T00:00:00Z", 0, 40, 1, 1.0, "synthetic")) |> ignore
    dir

let private output = lazy (let dir = syntheticOutput () in dir, HtmlReport.writeAll dir)

let private page (name: string) =
    let _, written = output.Force()
    let path = written |> List.find (fun p -> Path.GetFileName p = name)
    File.ReadAllText path

/// The page without plotly.js itself (whose source mentions URLs it never fetches here).
let private withoutPlotly (html: string) = html.Replace(HtmlReport.plotlyJs.Value, "")

/// The `data` array of every chart of a page.
let private chartData (html: string) =
    [ for m in Regex.Matches(html, @"var data = (\[.*?\]);\s*\n\s*var layout") -> JsonDocument.Parse(m.Groups[1].Value) ]

let private numbers (e: JsonElement) =
    let rec go (e: JsonElement) =
        seq {
            match e.ValueKind with
            | JsonValueKind.Number -> yield e.GetDouble()
            | JsonValueKind.Array ->
                for x in e.EnumerateArray() do
                    yield! go x
            | JsonValueKind.Object ->
                // Only the trace's coordinates: x, y, z.
                for p in e.EnumerateObject() do
                    if p.Name = "x" || p.Name = "y" || p.Name = "z" then
                        yield! go p.Value
            | _ -> ()
        }
    go e |> Seq.filter Double.IsFinite |> Seq.length

let private keys (html: string) = [ for m in Regex.Matches(html, "data-chart=\"([^\"]*)\"") -> m.Groups[1].Value ]

[<Tests>]
let tests =
    testList
        "reports"
        [ test "the text table's columns line up whatever the length of a model's key" {
              let cell model v = ResultsFile.Cell("spring", model, "test_loss", LossEstimate(v, v / 10.0))
              let lines =
                  (TextTable.table "spring" [ cell "hnn" 1e-3; cell "sampled-dissipative-hnn" 2e-3; cell "baseline" 3e-3 ]).Split '\n'
              Expect.equal lines.Length 4 "a header and one line per cell"
              // Every line's "ours" column starts where the header's does.
              let column = lines[0].IndexOf "ours"
              for line in lines[1..] do
                  Expect.isTrue (Char.IsDigit line[column]) (sprintf "the value starts under 'ours' (column %d): %s" column line)
                  Expect.equal line[column - 1] ' ' (sprintf "a space before the value: %s" line)
          }
          test "a ratio to the paper's value of a diverged (+inf) or missing (NaN) result prints as the value does, never Infinity or NaN" {
              // Paper, Table 1: the spring's HNN energy MSE and the pendulum's; ours +inf (a diverged path) and NaN.
              let cell task v = ResultsFile.Cell(task, "hnn", "energy_mse", LossEstimate(v, nan))
              let cells = [ cell "spring" infinity; cell "pendulum" nan ]
              let texts =
                  [ "console table", TextTable.table "spring" cells[..0] + "\n" + TextTable.table "pendulum" cells[1..]
                    "results.md", TextTable.markdown cells
                    "README table", String.concat "\n" (ReadmeTable.table cells)
                    "HTML table", HtmlReport.metricsTable true cells ]
              for name, text in texts do
                  for word in [ "Infinity"; "NaN" ] do
                      Expect.isFalse (text.Contains word) (sprintf "%s has no %s:\n%s" name word text)
              let md = TextTable.markdown cells
              Expect.stringContains md "| ∞ |\n" "results.md: the spring's ratio is ∞"
              Expect.stringContains md "| — |\n" "results.md: the pendulum's ratio is —"
              Expect.isTrue (Text.RegularExpressions.Regex.IsMatch(TextTable.table "spring" cells[..0], "∞\\s*$")) "console: ∞ last"
              Expect.stringContains (HtmlReport.metricsTable true cells) "<td class=\"num\">∞</td></tr>" "HTML: ∞ last"
              Expect.equal (Format.decimals 2 2.345) (sprintf "%.2f" 2.345) "finite ratios print as before"
          }
          test "a report is written for every task the folder has results for, and the index links each" {
              let dir, written = output.Force()
              let names = written |> List.map Path.GetFileName
              Expect.equal names [ "spring.html"; "two-body.html"; "index.html" ] "pages, index last"
              for p in written do
                  Expect.equal (Path.GetDirectoryName p) (RunFolder dir).Reports "pages live in OutDir/reports"
              let index = page "index.html"
              for task in [ "spring"; "two-body" ] do
                  Expect.stringContains index (sprintf "href=\"%s.html\"" task) (sprintf "index links %s" task)
          }

          test "the metrics tables put the paper's value beside ours" {
              // Paper, Table 1: spring HNN train loss 3.6933e-02 ± 1.91e-03.
              Expect.stringContains (page "index.html") "3.6933e-02 ± 1.91e-03" "index table"
              Expect.stringContains (page "spring.html") "3.6933e-02 ± 1.91e-03" "task table"
          }

          test "a report reaches nothing over the network: no external script, stylesheet, font or image" {
              for name in [ "spring.html"; "two-body.html"; "index.html" ] do
                  let html = withoutPlotly (page name)
                  Expect.isEmpty [ for m in Regex.Matches(html, @"<script[^>]*\bsrc\s*=") -> m.Value ] (name + ": no <script src>")
                  Expect.isEmpty
                      [ for m in Regex.Matches(html, @"(href|src)\s*=\s*""(https?:)?//", RegexOptions.IgnoreCase) -> m.Value ]
                      (name + ": no remote href/src")
                  Expect.isEmpty
                      [ for m in Regex.Matches(html, @"url\(\s*['""]?(https?:)?//|@import", RegexOptions.IgnoreCase) -> m.Value ]
                      (name + ": no remote CSS")
                  Expect.isEmpty
                      [ for m in Regex.Matches(html, @"https?://[^\s""'<>]+") -> m.Value ]
                      (name + ": no URL at all outside plotly.js")
          }

          test "a task report carries plotly.js inline, once" {
              for name in [ "spring.html"; "two-body.html" ] do
                  let html = page name
                  Expect.isGreaterThan HtmlReport.plotlyJs.Value.Length 1_000_000 "the full plotly.js bundle"
                  let at = html.IndexOf HtmlReport.plotlyJs.Value
                  Expect.isGreaterThan at 0 (name + " embeds plotly.js")
                  Expect.equal (html.IndexOf(HtmlReport.plotlyJs.Value, at + 1)) -1 (name + " embeds it once")
                  Expect.isLessThan html.Length 6_000_000 (name + " stays reasonably sized")
          }

          test "every chart of a report has data" {
              let expected =
                  [ "spring.html",
                    [ "phase-true"
                      "phase-baseline"
                      "phase-hnn"
                      "h-true"
                      "h-learned"
                      "learned-h"
                      "state-q"
                      "state-p"
                      "mse"
                      "energy"
                      "loss" ]
                    "two-body.html", [ "orbit-true"; "orbit-baseline"; "orbit-hnn"; "mse"; "energy"; "loss" ] ]
              for name, charts in expected do
                  let html = page name
                  Expect.equal (keys html) charts (name + ": its charts, in order")
                  let data = chartData html
                  Expect.equal data.Length charts.Length (name + ": one data array per chart")
                  for key, d in List.zip charts data do
                      let points = d.RootElement.EnumerateArray() |> Seq.sumBy numbers
                      Expect.isGreaterThan points 10 (sprintf "%s: chart '%s' has numbers to draw" name key)
          }

          test "an unreadable model file is named on its page, and the rest is still drawn" {
              let dir = Directory.CreateTempSubdirectory("hnn-reports-broken-").FullName
              let source, _ = output.Force()
              let run, from = RunFolder dir, RunFolder source
              Directory.CreateDirectory run.Models |> ignore
              for m in HtmlReport.models do
                  if File.Exists(from.Artifacts("spring", m)) then
                      Directory.CreateDirectory(Path.GetDirectoryName(run.Artifacts("spring", m)) |> nonNull) |> ignore
                      File.Copy(from.Artifacts("spring", m), run.Artifacts("spring", m))
              File.WriteAllText(run.Model("spring", "hnn"), "{ not json")
              let written = HtmlReport.writeAll dir
              let html = File.ReadAllText(written |> List.find (fun p -> p.EndsWith "spring.html"))
              Expect.stringContains html "Left out: model file" "the broken file is named"
              Expect.containsAll (keys html) [ "state-q"; "state-p"; "mse"; "energy"; "loss" ] "charts from the artifacts are still drawn"
          }

          test "a folder with nothing to report is refused, naming it" {
              let empty = Directory.CreateTempSubdirectory("hnn-reports-empty-").FullName
              Expect.throwsT<InvalidDataException> (fun () -> HtmlReport.writeAll empty |> ignore) "empty folder"
              Expect.throwsT<DirectoryNotFoundException>
                  (fun () -> HtmlReport.writeAll (Path.Combine(empty, "missing")) |> ignore)
                  "missing folder"
          }

          test "the check finds a chart plotly.js did not draw" {
              let figure key inner = sprintf "<figure class=\"chart\" data-chart=\"%s\">%s<figcaption>c</figcaption></figure>" key inner
              let drawn =
                  "<div class=\"js-plotly-plot\"><svg class=\"main-svg\"><g class=\"trace scatter\"><path class=\"js-line\" d=\"M0,0L1,1\"></path></g></svg></div>"
              let dom =
                  String.concat
                      "\n"
                      [ figure "ok" drawn
                        figure
                            "contour"
                            "<div class=\"js-plotly-plot\"><svg class=\"main-svg\"><g class=\"contour\"><g class=\"contourlevel\"></g></g></svg></div>"
                        figure "not-run" "<div id=\"x\"></div>"
                        figure "no-svg" "<div class=\"js-plotly-plot\"></div>"
                        figure "empty" "<div class=\"js-plotly-plot\"><svg class=\"main-svg\"><g class=\"trace scatter\"></g></svg></div>" ]
              let result = ReportCheck.checkDom dom |> List.map (fun c -> c.Key, c.Problem.IsSome)
              Expect.equal result [ "ok", false; "contour", false; "not-run", true; "no-svg", true; "empty", true ] "only drawn charts pass"
          }

          test "the check fails, saying how to install it, when Chromium is missing" {
              let saved = Environment.GetEnvironmentVariable "CHROMIUM"
              let savedPath = Environment.GetEnvironmentVariable "PATH"
              try
                  Environment.SetEnvironmentVariable("CHROMIUM", "/nonexistent/chromium")
                  Environment.SetEnvironmentVariable("PATH", "/nonexistent")
                  match ReportCheck.checkFolder (Path.GetTempPath()) with
                  | Error [ message ] -> Expect.stringContains message "apt-get install -y chromium" "install hint"
                  | other -> failtestf "expected one error naming the install command, got %A" other
              finally
                  Environment.SetEnvironmentVariable("CHROMIUM", saved)
                  Environment.SetEnvironmentVariable("PATH", savedPath)
          } ]
