/// The packages as a stranger uses them: packed into a folder feed, then consumed from a folder outside the repository
/// by an F# script (`#r "nuget: Hnn.Fs"`) and by `dotnet tool install`. Slow (packing, a restore, two short trainings:
/// about two minutes here), so it is one test.
module Hnn.Tests.PackageTests

open System
open System.Diagnostics
open System.IO
open Expecto

/// The three packable projects, in dependency order.
let private projects = [ "src/Hnn.Core.CSharp/Hnn.Core.CSharp.csproj"; "src/Hnn.Fs/Hnn.Fs.fsproj"; "src/Hnn.Cli/Hnn.Cli.fsproj" ]

/// Runs a program to its end in `folder` and returns its exit code and output (stdout then stderr).
let private run (folder: string) (program: string) (args: string list) =
    let info = ProcessStartInfo(program, args, WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true)
    info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    info.Environment["DOTNET_NOLOGO"] <- "1"
    use p = Process.Start info |> nonNull
    let err = p.StandardError.ReadToEndAsync()
    let out = p.StandardOutput.ReadToEnd()
    p.WaitForExit()
    p.ExitCode, out + err.Result

let private expectSuccess (what: string) (code: int, output: string) =
    Expect.equal code 0 (sprintf "%s failed:\n%s" what output)
    output

/// The NuGet cache this machine restores into (TorchSharp's 1.3 GB are reused from it).
let private nugetCache () =
    match Environment.GetEnvironmentVariable "NUGET_PACKAGES" with
    | null
    | "" -> Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".nuget", "packages")
    | path -> path

/// A script a stranger would write: the feed, the package, a Hamiltonian in one line, brief training.
let private strangerScript (feed: string) (version: string) =
    String.concat
        "\n"
        [ sprintf "#i \"nuget: %s\"" feed
          sprintf "#r \"nuget: Hnn.Fs, %s\"" version
          "open Hnn"
          "let pendulum = Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + 1.0 - cos q) |> Hamiltonian.named \"pendulum\""
          "let run ="
          "    pendulum"
          "    |> Pipeline.task \"pendulum\" { Pipeline.recipe with Trajectories = 8; Points = 10 } { Pipeline.protocol with Count = 3 } Pipeline.training"
          "    |> Pipeline.runWith [ Hnn.Models.ModelKind.Hnn ] { Experiment.defaults with Steps = Some 30; Threads = Some 1; OutDir = \"stranger-run\"; Log = ignore }"
          "let loss = run.Models.Head.Trained.Result.FinalTest.Mean"
          "if not (System.Double.IsFinite loss) then failwithf \"test loss %g\" loss"
          "printfn \"stranger: HNN test loss %g, report %s; Hnn.Fs from %s\" loss run.Report (typeof<Hnn.Experiment.Run>.Assembly.Location)"
          "" ]

[<Tests>]
let tests =
    testList
        "packages"
        [ test "packed Hnn.Fs works from a #r \"nuget:\" script and the packed hnn tool trains, both outside the repository" {
              let clock = Stopwatch.StartNew()
              // A version no earlier run used, so the NuGet cache and F# Interactive's restore cache hold no stale copy.
              let suffix = "test." + Guid.NewGuid().ToString("N").Substring(0, 12)
              let work = Path.Combine(Path.GetTempPath(), "hnn-stranger-" + suffix)
              let feed = Path.Combine(work, "feed")
              let cache = nugetCache ()
              let version =
                  let props = File.ReadAllText(Path.Combine(repoRoot, "Directory.Build.props"))
                  let prefix = Text.RegularExpressions.Regex.Match(props, "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value
                  prefix + "-" + suffix
              Directory.CreateDirectory feed |> ignore
              try
                  // Packs what the test run was built from (Release), without rebuilding: nothing under src/*/bin changes.
                  for project in projects do
                      run
                          repoRoot
                          "dotnet"
                          [ "pack"
                            project
                            "-c"
                            "Release"
                            "--no-build"
                            "--no-restore"
                            "-o"
                            feed
                            "-p:VersionSuffix=" + suffix
                            "-nologo" ]
                      |> expectSuccess ("dotnet pack " + project)
                      |> ignore
                  let packed = Directory.GetFiles(feed, "*.nupkg") |> Array.map Path.GetFileName |> Array.sort
                  Expect.equal
                      packed
                      ([| "Hnn.Cli"; "Hnn.Core"; "Hnn.Fs" |] |> Array.map (fun id -> sprintf "%s.%s.nupkg" id version))
                      "three packages"
                  for nupkg in Directory.GetFiles(feed, "*.nupkg") do
                      use zip = IO.Compression.ZipFile.OpenRead nupkg
                      let natives =
                          zip.Entries
                          |> Seq.filter (fun e -> e.Name.StartsWith "libtorch" || e.Name.EndsWith ".so")
                          |> Seq.map _.FullName
                          |> List.ofSeq
                      Expect.isEmpty
                          natives
                          (sprintf "%s carries no native library (libtorch comes through TorchSharp-cpu)" (Path.GetFileName nupkg))
                  let packedSeconds = clock.Elapsed.TotalSeconds

                  // The F# script, in a folder outside the repository.
                  let scriptFolder = Path.Combine(work, "script")
                  Directory.CreateDirectory scriptFolder |> ignore
                  let script = Path.Combine(scriptFolder, "stranger.fsx")
                  File.WriteAllText(script, strangerScript feed version)
                  let output = run scriptFolder "dotnet" [ "fsi"; "--quiet"; script ] |> expectSuccess "dotnet fsi stranger.fsx"
                  Expect.stringContains output "stranger: HNN test loss" "the script trained"
                  Expect.stringContains
                      (output.ToLowerInvariant())
                      (Path.Combine("hnn.fs", version.ToLowerInvariant()))
                      "Hnn.Fs came from the package"
                  let scriptSeconds = clock.Elapsed.TotalSeconds - packedSeconds

                  // The tool, installed from the same feed into a folder of its own.
                  let tools = Path.Combine(work, "tools")
                  run work "dotnet" [ "tool"; "install"; "--tool-path"; tools; "--add-source"; feed; "Hnn.Cli"; "--version"; version ]
                  |> expectSuccess "dotnet tool install"
                  |> ignore
                  let out = Path.Combine(work, "run")
                  let output =
                      run
                          work
                          (Path.Combine(tools, "hnn"))
                          [ "train"; "--task"; "spring"; "--model"; "hnn"; "--steps"; "50"; "--threads"; "1"; "--no-eval"; "--out"; out ]
                      |> expectSuccess "the installed hnn train"
                  Expect.stringContains output "results:" "training finished"
                  Expect.isTrue (File.Exists((Hnn.RunFolder out).Model("spring", "hnn"))) "the model file is written"
                  let toolSeconds = clock.Elapsed.TotalSeconds - packedSeconds - scriptSeconds
                  printfn
                      "packages test: pack %.0f s, #r script %.0f s, tool install + train %.0f s (%s)"
                      packedSeconds
                      scriptSeconds
                      toolSeconds
                      version
              finally
                  if Directory.Exists work then
                      Directory.Delete(work, true)
                  // This run's packages leave the shared NuGet cache with it.
                  for id in [ "hnn.core"; "hnn.fs"; "hnn.cli" ] do
                      let folder = Path.Combine(cache, id, version.ToLowerInvariant())
                      if Directory.Exists folder then
                          Directory.Delete(folder, true)
                      let idFolder = Path.Combine(cache, id)
                      if Directory.Exists idFolder && Seq.isEmpty (Directory.EnumerateFileSystemEntries idFolder) then
                          Directory.Delete idFolder
          } ]
