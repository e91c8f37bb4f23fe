#!/usr/bin/env -S dotnet fsi
// Opens every report of an output folder in headless Chromium from disk, with all network sent to a closed
// port, and fails unless every chart drew. Chromium must be installed: this check never skips silently.
//   dotnet fsi scripts/check-reports.fsx results          (checks results/reports/*.html)
// Needs a clone: its headless-browser part is in src/Hnn.Tools, which is not a package.
#load "hnn.fsx"
#r "../src/Hnn.Tools/bin/Release/net10.0/Hnn.Tools.dll"

open System.IO
open Hnn

let folder =
    match fsi.CommandLineArgs |> Array.tail with
    | [| dir |] when Directory.Exists (RunFolder dir).Reports -> (RunFolder dir).Reports
    | [| dir |] -> dir
    | _ -> "results/reports"

match ReportCheck.checkFolder folder with
| Ok lines ->
    lines |> List.iter (printfn "%s")
    printfn "reports check: every chart drew, offline (%s)" folder
| Error problems ->
    problems |> List.iter (eprintfn "%s")
    eprintfn "reports check FAILED (%s)" folder
    exit 1
