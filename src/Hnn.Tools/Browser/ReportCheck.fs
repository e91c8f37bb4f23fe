/// Checks that reports draw offline: each page opened from disk in headless Chromium with no network, and
/// every chart in its DOM drawn by plotly.js.
module Hnn.ReportCheck

open System.IO
open System.Text.RegularExpressions

/// What the check found for one chart of a page.
type Chart =
    {
        /// The figure's data-chart key.
        Key: string
        /// Why it did not draw, or None.
        Problem: string option
    }

let private figures = Regex("<figure class=\"chart\" data-chart=\"([^\"]*)\">(.*?)</figure>", RegexOptions.Singleline)
let private count (pattern: string) (text: string) = Regex.Matches(text, pattern).Count

/// The charts of a DOM dumped after plotly.js ran: each needs plotly's root div, its main SVG and at least one
/// trace with drawn marks (a line path, a marker or a contour level).
let checkDom (dom: string) =
    [ for m in figures.Matches dom ->
          let key, html = m.Groups[1].Value, m.Groups[2].Value
          let problem =
              if count "js-plotly-plot" html = 0 then
                  Some "plotly.js did not run (no js-plotly-plot root)"
              elif count "class=\"main-svg\"" html = 0 then
                  Some "no <svg class=\"main-svg\">: nothing was drawn"
              elif count "class=\"trace " html + count "class=\"contour\"" html = 0 then
                  Some "no trace was drawn"
              elif
                  count "class=\"js-line\"[^>]*d=\"M" html + count "class=\"point\"[^>]*d=\"M" html + count "class=\"contourlevel\"" html =
                      0
              then
                  Some "traces drew no lines, markers or contours (empty data?)"
              else
                  None
          { Key = key; Problem = problem } ]

/// Lines of Chromium's log that show a page script failing or a request attempted.
let logProblems (stderr: string) =
    stderr.Split '\n'
    |> Array.filter (fun l -> l.Contains "Uncaught" || l.Contains "net::ERR_" || l.Contains ":CONSOLE(")
    |> Array.map _.Trim()
    |> Array.toList

/// Problems of one page (empty if every chart drew), as lines naming the page; `figures` is how many it declares.
let checkPage (chromium: string) (page: string) =
    let html = File.ReadAllText page
    let declared = count "<figure class=\"chart\"" html
    let result = Chromium.dumpDom chromium page
    let name = Path.GetFileName page
    if result.ExitCode <> 0 then
        [ sprintf "%s: Chromium exited with code %d" name result.ExitCode ]
    else
        let charts = checkDom result.Stdout
        [ if charts.Length <> declared then
              yield sprintf "%s: %d charts in the file, %d in the rendered DOM" name declared charts.Length
          for c in charts do
              match c.Problem with
              | Some p -> yield sprintf "%s: chart '%s': %s" name c.Key p
              | None -> ()
          for l in logProblems result.Stderr do
              yield sprintf "%s: %s" name l ]

/// Checks every page of a reports folder; Ok with one line per page, or Error with every problem (Chromium missing included).
let checkFolder (reportsDir: string) =
    match Chromium.find () with
    | Error e -> Error [ e ]
    | Ok chromium ->
        let pages = if Directory.Exists reportsDir then Directory.GetFiles(reportsDir, "*.html") |> Array.sort else [||]
        if pages.Length = 0 then
            Error [ sprintf "no reports (*.html) in %s" reportsDir ]
        else
            let results = [ for p in pages -> p, checkPage chromium p ]
            match results |> List.collect snd with
            | [] ->
                Ok
                    [ for p, _ in results ->
                          let charts = count "<figure class=\"chart\"" (File.ReadAllText p)
                          sprintf "%s: %d charts drawn" (Path.GetFileName p) charts ]
            | problems -> Error problems
