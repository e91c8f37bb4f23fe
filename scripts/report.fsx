#!/usr/bin/env -S dotnet fsi
// Writes an offline HTML report per task, and an index with the reproduction table, from an output folder
// (results.json, artifacts/, models/ as a run leaves them):
//   dotnet fsi scripts/report.fsx results     → results/reports/index.html, results/reports/<task>.html
// With --png, also a static image of some of a task's charts (headless Chromium, no network):
//   dotnet fsi scripts/report.fsx results --png spring docs/images/spring-phase-portrait.png phase-true phase-baseline phase-hnn
// Needs a clone: its headless-browser part is in src/Hnn.Tools, which is not a package.
#load "hnn.fsx"
#r "../src/Hnn.Tools/bin/Release/net10.0/Hnn.Tools.dll"

open Hnn

let args = fsi.CommandLineArgs |> Array.tail |> Array.toList

let outDir =
    match args with
    | dir :: _ when not (dir.StartsWith "--") -> dir
    | _ -> "results"

for path in HtmlReport.writeAll outDir do
    printfn "%s" path

match args |> List.skipWhile ((<>) "--png") with
| "--png" :: task :: png :: keys ->
    let task = Tasks.tryFind task |> Result.defaultWith failwith
    match ReportSnapshot.write outDir task keys 1160 470 png with
    | Ok path -> printfn "%s" path
    | Error e ->
        eprintfn "%s" e
        exit 1
| _ -> ()
