/// Static images of reports: some charts of a task's page drawn by headless Chromium, no network.
module Hnn.ReportSnapshot

open System
open System.IO
open Hnn.Tasks

/// A PNG (headless Chromium, no network) of some charts of a task's report, e.g. `["phase-true"; "phase-hnn"]`,
/// at `width`×`height` pixels; returns the PNG's path, or why it could not be made.
let write (outDir: string) (task: Task) (keys: string list) (width: int) (height: int) (png: string) =
    match Chromium.find () with
    | Error e -> Error e
    | Ok chromium ->
        let html = HtmlReport.pageOf outDir task (HtmlReport.readCells outDir)
        let temp = Path.Combine(Path.GetTempPath(), sprintf "hnn-snapshot-%s.html" (Guid.NewGuid().ToString "N"))
        try
            File.WriteAllText(temp, HtmlReport.excerptPage task.Title html keys)
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath png) |> nonNull) |> ignore
            let run = Chromium.screenshot chromium temp png width height
            if run.ExitCode = 0 && File.Exists png then
                Ok png
            else
                Error(sprintf "Chromium exited with code %d and wrote no %s" run.ExitCode png)
        finally
            File.Delete temp
