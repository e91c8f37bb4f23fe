/// Headless Chromium from disk with no network: the DOM a page ends up with after its scripts ran, or a screenshot.
module Hnn.Chromium

open System
open System.Diagnostics
open System.IO

/// What to do when Chromium is missing (Debian/Ubuntu).
let installHint = "install it with: apt-get update && apt-get install -y chromium"

/// The Chromium executable: $CHROMIUM if set, else the first of chromium, chromium-browser, google-chrome on PATH.
let tryFind () =
    match Environment.GetEnvironmentVariable "CHROMIUM" with
    | null
    | "" ->
        let path = Environment.GetEnvironmentVariable "PATH" |> Option.ofObj |> Option.defaultValue ""
        [ "chromium"; "chromium-browser"; "google-chrome" ]
        |> List.tryPick (fun name ->
            path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            |> Array.map (fun dir -> Path.Combine(dir, name))
            |> Array.tryFind File.Exists)
    | explicit when File.Exists explicit -> Some explicit
    | _ -> None

/// The Chromium executable, or an error saying how to install it.
let find () =
    match tryFind () with
    | Some exe -> Ok exe
    | None -> Error(sprintf "Chromium not found (looked for $CHROMIUM, chromium, chromium-browser, google-chrome on PATH); %s" installHint)

/// Flags for a sealed headless run: every request goes to a closed local proxy port, no background services,
/// a throw-away profile, and scripts get 10 s of virtual time to draw.
let flags (profile: string) =
    [ "--headless"
      "--no-sandbox"
      "--disable-gpu"
      "--disable-background-networking"
      "--disable-component-update"
      "--disable-sync"
      "--no-first-run"
      "--proxy-server=127.0.0.1:9"
      "--hide-scrollbars"
      "--virtual-time-budget=10000"
      "--enable-logging=stderr"
      "--v=0"
      sprintf "--user-data-dir=%s" profile ]

/// Output of one Chromium run.
type Run = { ExitCode: int; Stdout: string; Stderr: string }

/// Runs Chromium on a local file with `flags` plus `extra`; stops it after two minutes.
let run (exe: string) (extra: string list) (page: string) =
    let profile = Directory.CreateTempSubdirectory "hnn-chromium-"
    try
        let info = ProcessStartInfo(exe, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
        for a in flags profile.FullName @ extra do
            info.ArgumentList.Add a
        info.ArgumentList.Add(Uri(Path.GetFullPath page).AbsoluteUri)
        use p = Process.Start info |> nonNull
        let stdout = p.StandardOutput.ReadToEndAsync()
        let stderr = p.StandardError.ReadToEndAsync()
        if not (p.WaitForExit(TimeSpan.FromMinutes 2.0)) then
            p.Kill true
            failwithf "Chromium did not finish within 2 minutes on %s" page
        { ExitCode = p.ExitCode; Stdout = stdout.Result; Stderr = stderr.Result }
    finally
        try
            profile.Delete true
        with _ ->
            ()

/// The page's DOM after its scripts ran.
let dumpDom (exe: string) (page: string) = run exe [ "--dump-dom" ] page

/// A PNG of the page's top `width`×`height` pixels.
let screenshot (exe: string) (page: string) (png: string) (width: int) (height: int) =
    run exe [ sprintf "--screenshot=%s" (Path.GetFullPath png); sprintf "--window-size=%d,%d" width height ] page
