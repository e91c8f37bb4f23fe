/// Helpers shared by the test modules: native loading, tolerances, FsCheck configuration.
[<AutoOpen>]
module Hnn.Tests.Common

open Expecto

do
    Hnn.Native.TorchNative.EnsureLoaded()
    // The tests' tensors are small: one thread is as fast, and immune to the slow-down OpenMP's
    // spin-waiting suffers when other processes share the cores.
    TorchSharp.torch.set_num_threads 1

/// The FsCheck seed every property of the suite starts from (seed, odd gamma): each run draws the same cases, so a
/// red run is reproduced by running it again; a failure still prints the seed Expecto replays it with.
let fixedSeed = 2026113001UL, 2026113003UL

/// FsCheck settings with the suite's fixed seed.
let propertyConfig = { FsCheckConfig.defaultConfig with replay = Some(fst fixedSeed, snd fixedSeed, None) }

/// FsCheck settings for physics properties: at least 100 cases, the fixed seed.
let physicsConfig = { propertyConfig with maxTest = 100 }

/// |a − b| ≤ atol + rtol·|b|
let close (atol: float) (rtol: float) (a: float) (b: float) = abs (a - b) <= atol + rtol * abs b

/// A float64 [rows, cols] tensor from row-major values.
let tensor2d (rows: int) (cols: int) (values: float[]) =
    use flat = TorchSharp.torch.tensor (values: float[])
    flat.reshape (int64 rows, int64 cols)

/// The repository's root folder (the tests run from tests/Hnn.Tests/bin/<configuration>/net10.0).
let repoRoot = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.AppContext.BaseDirectory, "..", "..", "..", "..", ".."))

/// A new empty folder under the system's temporary folder, named `hnn-<prefix>-<guid>`; the test deletes it.
let temporaryFolder (prefix: string) =
    let d = System.IO.Path.Combine(System.IO.Path.GetTempPath(), sprintf "hnn-%s-%s" prefix (System.Guid.NewGuid().ToString "N"))
    System.IO.Directory.CreateDirectory d |> ignore
    d

/// The built command line, hnn.dll, of the tests' own configuration.
let hnnDll =
    let configuration = System.IO.DirectoryInfo(System.IO.Path.Combine(System.AppContext.BaseDirectory, "..")).Name
    System.IO.Path.Combine(repoRoot, "src", "Hnn.Cli", "bin", configuration, "net10.0", "hnn.dll")

/// Runs a program to its end (`seconds` at most, then killed and failed); exit code and merged output.
let runToEnd (seconds: int) (program: string) (args: string list) =
    let info = System.Diagnostics.ProcessStartInfo(program, args, RedirectStandardOutput = true, RedirectStandardError = true)
    use p = System.Diagnostics.Process.Start info |> nonNull
    let out = System.Text.StringBuilder()
    let collect (e: System.Diagnostics.DataReceivedEventArgs) =
        match e.Data with
        | null -> ()
        | line -> lock out (fun () -> out.AppendLine line |> ignore)
    p.OutputDataReceived.Add collect
    p.ErrorDataReceived.Add collect
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    if not (p.WaitForExit(seconds * 1000)) then
        p.Kill true
        p.WaitForExit()
        failtestf "%s %s did not end within %d s:\n%s" program (System.String.Join(" ", args)) seconds (lock out (fun () -> out.ToString()))
    p.WaitForExit()
    p.ExitCode, lock out (fun () -> out.ToString())

/// Runs `dotnet hnn.dll args` to its end (5 minutes at most, then killed and failed); exit code and merged output.
let runHnnToEnd (args: string list) = runToEnd 300 "dotnet" (hnnDll :: args)

/// Runs `hnn` with each argument list, expecting a usage error: exit code 2 and output containing the words that name
/// the problem.
let expectUsageErrors (cases: (string list * string) list) =
    for args, word in cases do
        let code, text = runHnnToEnd args
        Expect.equal code 2 (sprintf "%A exits with 2:\n%s" args text)
        Expect.stringContains text word (sprintf "%A names the problem" args)
