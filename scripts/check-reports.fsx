#!/usr/bin/env -S dotnet fsi
// Opens every report of an output folder in headless Chromium from disk, with all network sent to a closed
// port, and fails unless every chart drew. Chromium must be installed: this check never skips silently.
//   dotnet fsi scripts/check-reports.fsx results          (checks results/reports/*.html)
// Outside a clone of the repository: `#r "nuget: Hnn.Fs"` in place of the #load below (docs/packages.md).
#load "hnn.fsx"

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
