#!/usr/bin/env -S dotnet fsi
// Writes an offline HTML report per task, and an index with the reproduction table, from an output folder
// (results.json, artifacts/, models/ as `hnn reproduce` leaves them):
//   dotnet fsi scripts/report.fsx results     → results/reports/index.html, results/reports/<task>.html
#load "hnn.fsx"

open Hnn

let outDir =
    match fsi.CommandLineArgs |> Array.tail with
    | [| dir |] -> dir
    | _ -> "results"

for path in Reports.writeAll outDir do
    printfn "%s" path
