#!/usr/bin/env -S dotnet fsi
// Checks that the documentation site reads offline from disk, and fails on the first sign it does not:
//   1. every local link and resource of every page (href, src) names a file of the site;
//   2. every page outside reference/ (the README, the topics, the executed guides, the C# page) opened on its own in
//      headless Chromium from disk with all network sent to a closed port (Hnn.Chromium, as the reports are
//      checked) logs no console error, no uncaught script error and no blocked or failed load (Hnn.ReportCheck);
//   3. the API reference's pages (two hundred, one layout) loaded 40 at a time as iframes of a throw-away page in
//      Chromium, which costs seconds per start (tens on a loaded machine), log no console or uncaught script error.
// Chromium must be installed: this check never skips silently.
//   dotnet fsi docs/site/check-site.fsx bin/docs        (run by `dotnet fsi build.fsx docs`)
#load "../../scripts/hnn.fsx"
#r "../../src/Hnn.Tools/bin/Release/net10.0/Hnn.Tools.dll"

open System
open System.IO
open System.Text.RegularExpressions
open System.Threading.Tasks
open Hnn

let site = match fsi.CommandLineArgs |> Array.tail with [| dir |] -> Path.GetFullPath dir | _ -> Path.GetFullPath "bin/docs"
let pages = Directory.GetFiles(site, "*.html", SearchOption.AllDirectories) |> Array.sort
let relative (path: string) = Path.GetRelativePath(site, path).Replace('\\', '/')

/// Local href/src targets of a page that are not files of the site.
let brokenLinks (page: string) =
    let dir = Path.GetDirectoryName page |> string
    [ for m in Regex.Matches(File.ReadAllText page, "\\b(?:href|src)=\"([^\"#?]*)[^\"]*\"") do
        let target = Uri.UnescapeDataString m.Groups[1].Value
        if target <> "" && not (Regex.IsMatch(target, "^[a-zA-Z][a-zA-Z0-9+.-]*:")) && not (File.Exists(Path.Combine(dir, target))) then
            yield sprintf "%s: links to %s, which is not in the site" (relative page) target ]
    |> List.distinct

/// Lines of Chromium's log that show a console message, an uncaught script error or a failed request:
/// ReportCheck's, and console messages as Chromium 156 writes them ("CONSOLE:1]"; older versions wrote "CONSOLE(1)",
/// which is what ReportCheck looks for).
let logProblems (stderr: string) =
    ReportCheck.logProblems stderr @ [ for l in stderr.Split '\n' do if l.Contains ":CONSOLE:" then l.Trim() ] |> List.distinct

/// Problems of a Chromium run on `page`, each prefixed with `within`.
let runProblems (within: string) (run: Chromium.Run) (marker: string) =
    [ if run.ExitCode <> 0 then yield sprintf "%s: Chromium exited with code %d" within run.ExitCode
      elif not (run.Stdout.Contains marker) then yield sprintf "%s: Chromium returned no DOM" within
      for line in logProblems run.Stderr -> sprintf "%s: %s" within line ]

/// A page in the site's root whose iframes load `chunk`; returns its path.
let harness (k: int) (chunk: string[]) =
    let path = Path.Combine(site, sprintf "check-site-%d.html" k)
    let frames = chunk |> Array.map (fun p -> sprintf "<iframe src=\"%s\"></iframe>" (Uri.EscapeDataString(relative p).Replace("%2F", "/")))
    File.WriteAllText(path, sprintf "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>site check %d</title></head><body>\n%s\n</body></html>\n" k (String.Join("\n", frames)))
    path

/// Runs `check` on each item, one Chromium per core at a time; all problems, in item order.
let inParallel (items: 'a[]) (check: 'a -> string list) =
    let found = Array.create items.Length []
    Parallel.For(0, items.Length, ParallelOptions(MaxDegreeOfParallelism = Environment.ProcessorCount), fun i -> found[i] <- check items[i]) |> ignore
    List.concat found

match Chromium.find () with
| Error e ->
    eprintfn "%s" e
    exit 1
| Ok chromium ->
    if pages.Length = 0 then
        eprintfn "site check: no pages (*.html) in %s" site
        exit 1
    let clock = Diagnostics.Stopwatch.StartNew()
    let links = pages |> Array.toList |> List.collect brokenLinks
    let reference, own = pages |> Array.partition (fun p -> (relative p).StartsWith "reference/")
    let alone =
        inParallel own (fun page -> runProblems (relative page) (Chromium.dumpDom chromium page) "</html>")
    let chunks = reference |> Array.chunkBySize 40
    let harnesses = chunks |> Array.mapi harness
    let framed =
        try
            inParallel (Array.indexed harnesses) (fun (k, h) ->
                let run = Chromium.dumpDom chromium h
                let chunk = chunks[k]
                let within = sprintf "%s (%s … %s)" (Path.GetFileName h) (relative chunk[0]) (relative (Array.last chunk))
                runProblems within run (sprintf "site check %d" k))
        finally
            for h in harnesses do File.Delete h
    match links @ alone @ framed with
    | [] ->
        printfn "site check: %d pages, their links and resources all in the site; %d opened one by one and %d in iframes in headless Chromium, offline, without console errors or failed loads (%.0f s)"
            pages.Length own.Length reference.Length clock.Elapsed.TotalSeconds
    | problems ->
        problems |> List.iter (eprintfn "%s")
        eprintfn "site check FAILED: %d problems in %s" problems.Length site
        exit 1
