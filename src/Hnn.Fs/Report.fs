/// Plain-text tables: our numbers beside the paper's.
module Hnn.Report

open Hnn.Training

/// A number as the paper prints it: 3.6933e-02.
let sci (digits: int) (x: float) =
    x.ToString((if digits = 0 then "0" else "0." + String.replicate digits "0") + "e+00", System.Globalization.CultureInfo.InvariantCulture)

let private fmt (v: LossEstimate) = sprintf "%s ± %s" (sci 4 v.Mean) (sci 2 v.Err)

/// One line per (model, metric): ours, the paper's, and ours / paper.
let table (task: string) (cells: Results.ResultsFile.Cell list) =
    let header = sprintf "%-9s %-11s %-24s %-24s %s" "model" "metric" "ours" "paper" "ours/paper"
    let lines =
        [ for c in cells ->
            match Paper.tryFind task c.Model c.Metric with
            | Some p -> sprintf "%-9s %-11s %-24s %-24s %.2f" c.Model c.Metric (fmt c.Value) (fmt p) (c.Value.Mean / p.Mean)
            | None -> sprintf "%-9s %-11s %-24s %-24s" c.Model c.Metric (fmt c.Value) "—" ]
    String.concat "\n" (header :: lines)
