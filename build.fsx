#!/usr/bin/env -S dotnet fsi
// Build script: `dotnet fsi build.fsx <target> [-- args for the target]`.
//   setup  restore the local tools and packages, build the CLI, make TorchSharp load on this system
//   build  setup, then build the whole solution (Release)
//   test   build, then run the test suite (Expecto + FsCheck)
//   run    build, then the main job (all six tasks) as a local sweep (`hnn run --jobs <cores>`: every model of every
//          task is a job, one per core, 1 torch thread each, gathered into results/); arguments after `--` go to it
//   seeds  build, then the claims over seeds: a 5-seed sweep of the HNN on the paper's tasks and of the dissipative
//          HNN on the real pendulum (raw and centred) into sweeps/seeds, merged by `hnn report`, its claims.md copied to docs/seeds.md;
//          arguments after `--` go to `hnn sweep` (e.g. --seeds 0 1 --set steps=50 --out DIR for a short try, which
//          leaves docs/seeds.md alone)
//   suite  build, then the benchmark suite (scripts/suite.fsx): every model kind on every conservative system as a
//          local sweep into results/suite (or --out DIR), with summary.md (model × system: energy error, valid
//          prediction time, rollout MSE), copied to docs/suite.md when run without arguments; other arguments after
//          `--` go to `hnn sweep` (docs/benchmarks.md)
//   bench  build, then `hnn bench` (speed and memory; writes bench/results.json)
//   microbench  build, then the BenchmarkDotNet micro-benchmarks (integrator steps, one training step);
//          arguments after `--` go to BenchmarkDotNet (e.g. --filter '*TrainingStep*', --threads 1)
//   reports-check [DIR]  build, install Chromium if missing, rebuild DIR's reports (default results)
//          and check in headless Chromium, offline, that every chart drew
//   pack [--out DIR] [--version-suffix S]  setup, then `dotnet pack` the packages Hnn.Core, Hnn.Fs and the `hnn`
//          tool (Hnn.Cli) into DIR (default bin/packages), version from Directory.Build.props (+ "-S");
//          prints their sizes and fails if one carries a native library (see docs/packages.md)
//   readme build, then rewrite README.md's results table from docs/results/results.json (docs/results/README.md)
//   format [--check]  format the F# (Fantomas) and C# (CSharpier) sources with the settings in .editorconfig;
//          --check changes nothing and fails if a file is not formatted
//   docs   build, then the documentation site into bin/docs (fsdocs, offline HTML): the pages of docs/ and the
//          README, the executed guides (docs/guide-*.fsx, run as the site is built: a guide that fails fails the
//          build), the C# page's program (docs/csharp, built and run), the API reference of Hnn.Core and Hnn.Fs;
//          then every page opened in headless Chromium from disk with no network (installed if missing): any console
//          error or failed load fails the build. See docs/site.md.
// Every target runs its prerequisites, so each works on a fresh clone with only the .NET SDK.

#load "docs/site/Site.fsx"

open System
open System.Diagnostics
open System.IO

let root = __SOURCE_DIRECTORY__
let configuration = "Release"
let cli = Path.Combine(root, "src", "Hnn.Cli", "bin", configuration, "net10.0", "hnn.dll")
let testsDll = Path.Combine(root, "tests", "Hnn.Tests", "bin", configuration, "net10.0", "Hnn.Tests.dll")
let microbenchDll = Path.Combine(root, "bench", "Hnn.Benchmarks", "bin", configuration, "net10.0", "Hnn.Benchmarks.dll")

let fail (message: string) =
    eprintfn "build.fsx: %s" message
    exit 1

/// Runs a program in the repository root, streaming its output; its exit code.
let exitCode (program: string) (args: string list) =
    printfn "> %s %s" program (String.Join(" ", args))
    let info = ProcessStartInfo(program, args, WorkingDirectory = root, UseShellExecute = false)
    info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    info.Environment["DOTNET_NOLOGO"] <- "1"
    use p = Process.Start info
    p.WaitForExit()
    p.ExitCode

/// Runs a program in the repository root, streaming its output; fails the build on a non-zero exit.
let run (program: string) (args: string list) =
    let code = exitCode program args
    if code <> 0 then
        fail (sprintf "'%s %s' failed with exit code %d" program (String.Join(" ", args)) code)

let dotnet args = run "dotnet" args

let setup () =
    dotnet [ "tool"; "restore" ]
    dotnet [ "paket"; "restore" ]
    dotnet [ "build"; "src/Hnn.Cli/Hnn.Cli.fsproj"; "-c"; configuration; "-nologo"; "-v"; "quiet" ]
    // Detects an old libstdc++ and fixes TorchSharp's restored shim in the NuGet cache (see README).
    dotnet [ cli; "native" ]

let build () =
    setup ()
    dotnet [ "build"; "Hnn.sln"; "-c"; configuration; "-nologo"; "-v"; "quiet" ]

let test (args: string list) =
    build ()
    dotnet ([ testsDll; "--summary" ] @ args)

let main (args: string list) =
    // The CLI and what it references only: the tests and benchmarks are not built for the main job (24 s saved from
    // a fresh clone here).
    setup ()
    // One worker per core unless the arguments say otherwise (`--jobs N`).
    let jobs = if List.contains "--jobs" args then [] else [ "--jobs"; string Environment.ProcessorCount ]
    dotnet ([ cli; "run" ] @ jobs @ args)

/// The sweep behind the README's comparisons with published numbers, seeds 0–4: the HNN on every task of the paper's
/// Table 1 (and on the real pendulum's centred differences), the dissipative HNN on the real pendulum, raw and
/// centred (Sosanya & Greydanus's comparison); the dissipative HNN's other tasks are left out (`--except`), which
/// halves the sweep.
let seedTasks = [ "spring"; "pendulum"; "real-pendulum"; "two-body"; "three-body"; "pixel-pendulum"; "real-pendulum-central" ]

let seedExcept = [ for t in [ "spring"; "pendulum"; "two-body"; "three-body" ] -> t + "/dissipative-hnn" ]

let seeds (args: string list) =
    build ()
    let rec outOf args =
        match args with
        | "--out" :: dir :: _ -> Some dir
        | _ :: rest -> outOf rest
        | [] -> None
    let out = outOf args |> Option.defaultValue (Path.Combine("sweeps", "seeds"))
    dotnet (
        [ cli; "sweep"; "--tasks" ]
        @ seedTasks
        @ [ "--models"; "hnn"; "dissipative-hnn"; "--except" ]
        @ seedExcept
        @ [ "--seeds"; "0"; "1"; "2"; "3"; "4" ]
        @ (if List.contains "--out" args then [] else [ "--out"; out ])
        @ args
    )
    dotnet [ cli; "report"; "--results"; out ]
    let claims = Path.Combine(root, out, "claims.md")
    if args.IsEmpty then
        File.Copy(claims, Path.Combine(root, "docs", "seeds.md"), true)
        printfn "claims over seeds: %s, copied to docs/seeds.md" claims
    else
        printfn "claims over seeds: %s (docs/seeds.md is written only by the full run, without arguments)" claims

let suite (args: string list) =
    build ()
    dotnet ([ "fsi"; "scripts/suite.fsx" ] @ args)
    if args.IsEmpty then
        File.Copy(Path.Combine(root, "results", "suite", "summary.md"), Path.Combine(root, "docs", "suite.md"), true)
        printfn "suite summary copied to docs/suite.md"

let bench (args: string list) =
    build ()
    dotnet ([ cli; "bench" ] @ args)

let microbench (args: string list) =
    build ()
    dotnet ([ microbenchDll ] @ args)

/// Chromium from Debian's packages, installed on first use (root, as on this project's machines).
let ensureChromium () =
    let onPath =
        Environment.GetEnvironmentVariable("PATH").Split(':')
        |> Array.exists (fun d -> File.Exists(Path.Combine(d, "chromium")))
    if not onPath then
        printfn "chromium is not installed: installing Debian's package"
        run "apt-get" [ "update"; "-q" ]
        run "apt-get" [ "install"; "-y"; "-q"; "chromium" ]

let reportsCheck (args: string list) =
    build ()
    ensureChromium ()
    let dir =
        match args with
        | d :: _ -> d
        | [] -> "results"
    dotnet [ cli; "report"; "--results"; dir; "--check" ]

/// The packable projects, in dependency order (docs/packages.md).
let packages = [ "src/Hnn.Core.CSharp/Hnn.Core.CSharp.csproj"; "src/Hnn.Fs/Hnn.Fs.fsproj"; "src/Hnn.Cli/Hnn.Cli.fsproj" ]

let pack (args: string list) =
    let rec options (out, suffix) args =
        match args with
        | [] -> out, suffix
        | "--out" :: dir :: rest -> options (dir, suffix) rest
        | "--version-suffix" :: s :: rest -> options (out, Some s) rest
        | other :: _ -> fail (sprintf "pack: unknown argument '%s' (expected --out DIR, --version-suffix S)" other)
    let out, suffix = options (Path.Combine(root, "bin", "packages"), None) args
    let out = Path.GetFullPath(out, root)
    setup ()
    let started = DateTime.UtcNow
    let versionArgs = suffix |> Option.map (fun s -> [ "-p:VersionSuffix=" + s ]) |> Option.defaultValue []
    for project in packages do
        dotnet ([ "pack"; project; "-c"; configuration; "-o"; out; "-nologo"; "-v"; "quiet" ] @ versionArgs)
    // Only this run's packages: those written since it started.
    let written =
        Directory.GetFiles(out, "*.nupkg")
        |> Array.filter (fun f -> File.GetLastWriteTimeUtc f >= started.AddSeconds -1.0)
        |> Array.sort
    if written.Length <> packages.Length then
        fail (sprintf "pack: expected %d packages in %s, found %d new" packages.Length out written.Length)
    printfn "packages in %s:" out
    for nupkg in written do
        use zip = System.IO.Compression.ZipFile.OpenRead nupkg
        let natives = zip.Entries |> Seq.filter (fun e -> e.Name.StartsWith "libtorch" || e.Name.EndsWith ".so") |> Seq.toList
        if not natives.IsEmpty then
            fail (sprintf "pack: %s carries native files (%s): libtorch must come through TorchSharp-cpu" nupkg natives.Head.FullName)
        printfn "%-40s %8.1f KiB  (%d files)" (Path.GetFileName nupkg) (float (FileInfo(nupkg).Length) / 1024.0) zip.Entries.Count

let readme () =
    build ()
    dotnet [ cli; "report"; "--results"; "docs/results"; "--readme"; "README.md" ]

/// The sources the formatters own: F# and C# under these folders (bin/, obj/ left out by .fantomasignore and
/// .csharpierignore), and this script.
let formatted = [ "src"; "tests"; "scripts"; "bench"; "build.fsx" ]

let format (args: string list) =
    let check =
        match args with
        | [] -> false
        | [ "--check" ] -> true
        | other -> fail (sprintf "format: unknown arguments %A (expected nothing or --check)" other)
    dotnet [ "tool"; "restore" ]
    // Both formatters run (a check reports every unformatted file of both languages), then the build fails if one did.
    let fsharp = exitCode "dotnet" ([ "fantomas" ] @ (if check then [ "--check" ] else []) @ formatted)
    let csharp = exitCode "dotnet" ([ "csharpier"; (if check then "check" else "format") ] @ (formatted |> List.filter ((<>) "build.fsx")))
    if fsharp <> 0 || csharp <> 0 then
        fail (
            if check then
                "format --check: files are not formatted (see above); `dotnet fsi build.fsx format` formats them"
            else
                "format failed"
        )
/// Runs a program in the repository root and returns its standard output; fails the build on a non-zero exit.
let output (program: string) (args: string list) =
    printfn "> %s %s" program (String.Join(" ", args))
    let info = ProcessStartInfo(program, args, WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true)
    info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    info.Environment["DOTNET_NOLOGO"] <- "1"
    use p = Process.Start info
    let text = p.StandardOutput.ReadToEnd()
    p.WaitForExit()
    if p.ExitCode <> 0 then
        fail (sprintf "'%s %s' failed with exit code %d:\n%s" program (String.Join(" ", args)) p.ExitCode text)
    text

/// The documentation site (docs/site.md): staged from docs/ and the README into obj/docs-site, built by fsdocs into
/// bin/docs with the executed guides and the API reference, its links made relative, then checked in Chromium.
let docs () =
    build ()
    let started = DateTime.UtcNow
    let csharp = Path.Combine(root, "docs", "csharp")
    Site.checkCSharpPage root
    dotnet [ "build"; Path.Combine(csharp, "Hnn.Docs.CSharp.csproj"); "-c"; configuration; "-nologo"; "-v"; "quiet" ]
    let csharpOutput = output "dotnet" [ Path.Combine(csharp, "bin", configuration, "net10.0", "hnn-docs-csharp.dll") ]
    printf "%s" csharpOutput
    let input, site = Path.Combine(root, "obj", "docs-site"), Path.Combine(root, "bin", "docs")
    Site.stage root input csharpOutput
    dotnet
        [ "fsdocs"
          "build"
          "--input"
          input
          "--output"
          site
          "--eval"
          "--strict"
          "--clean"
          "--projects"
          Path.Combine(root, "src", "Hnn.Core.CSharp", "Hnn.Core.CSharp.csproj")
          Path.Combine(root, "src", "Hnn.Fs", "Hnn.Fs.fsproj")
          // Warnings as errors would fail fsdocs' design-time build of the C# project (paket lists System.Memory
          // in two groups); llms.txt would evaluate every guide a second time for its Markdown copy.
          "--properties"
          "Configuration=" + configuration
          "TreatWarningsAsErrors=false"
          "FsDocsGenerateLlmsTxt=false"
          "--parameters"
          "root"
          Site.rootMarker
          "fsdocs-collection-name"
          "Hnn" ]
    match Site.finish site with
    | [] -> ()
    | missing -> printfn "fsdocs linked %d pages it did not make, now plain text: %s" missing.Length (String.Join(", ", missing))
    let built = DateTime.UtcNow
    ensureChromium ()
    dotnet [ "fsi"; Path.Combine(root, "docs", "site", "check-site.fsx"); site ]
    let files = Directory.GetFiles(site, "*", SearchOption.AllDirectories)
    printfn
        "site: %s, %d pages, %d files, %.1f MiB; built in %.0f s, checked in %.0f s"
        (Path.Combine(site, "index.html"))
        (files |> Array.filter (fun f -> f.EndsWith ".html") |> Array.length)
        files.Length
        (float (files |> Array.sumBy (fun f -> FileInfo(f).Length)) / 1048576.0)
        (built - started).TotalSeconds
        (DateTime.UtcNow - built).TotalSeconds

let argv = fsi.CommandLineArgs |> Array.toList |> List.tail
let target, rest =
    match argv with
    | [] -> "build", []
    | t :: "--" :: rest -> t, rest
    | t :: rest -> t, rest

match target with
| "setup" -> setup ()
| "build" -> build ()
| "test" -> test rest
| "run" -> main rest
| "seeds" -> seeds rest
| "suite" -> suite rest
| "bench" -> bench rest
| "microbench" -> microbench rest
| "reports-check" -> reportsCheck rest
| "pack" -> pack rest
| "readme" -> readme ()
| "format" -> format rest
| "docs" -> docs ()
| other ->
    fail (
        sprintf
            "unknown target '%s' (targets: setup, build, test, run, seeds, suite, bench, microbench, reports-check, pack, readme, format, docs)"
            other
    )
