/// `hnn native --restore`: TorchSharp's native packages into the NuGet cache, for an installed `hnn` tool (a tool
/// package carries no libtorch and declares no dependencies, so nothing else restores them for it).
module Hnn.Cli.NativeRestore

open System
open System.Diagnostics
open System.IO
open Hnn.Native

/// A project that only downloads the two packages that hold the native files: TorchSharp (its shim) and
/// libtorch-cpu-linux-x64 (libtorch), at exactly the versions the loader expects. No other platform's libtorch.
let private project () =
    String.concat
        "\n"
        [ "<Project Sdk=\"Microsoft.NET.Sdk\">"
          "  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>"
          "  <ItemGroup>"
          sprintf "    <PackageDownload Include=\"TorchSharp\" Version=\"[%s]\" />" TorchNative.TorchSharpPackageVersion
          sprintf "    <PackageDownload Include=\"libtorch-cpu-linux-x64\" Version=\"[%s]\" />" TorchNative.LibTorchVersion
          "  </ItemGroup>"
          "</Project>"
          "" ]

/// Runs `dotnet restore` on that project (the NuGet sources and cache of this user, `$NUGET_PACKAGES` if set);
/// its output goes to the console. Raises TorchNativeException if the restore fails.
let run () =
    let folder = Path.Combine(Path.GetTempPath(), "hnn-native-restore-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory folder |> ignore
    try
        File.WriteAllText(Path.Combine(folder, "native.csproj"), project ())
        printfn
            "restoring TorchSharp %s and libtorch-cpu-linux-x64 %s into the NuGet cache (the first time: about 130 MB to download, 600 MB on disk)"
            TorchNative.TorchSharpPackageVersion
            TorchNative.LibTorchVersion
        let info = ProcessStartInfo("dotnet", [ "restore"; "native.csproj"; "-nologo" ], WorkingDirectory = folder, UseShellExecute = false)
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
        use p =
            try
                Process.Start info |> nonNull
            with :? ComponentModel.Win32Exception as e ->
                raise (TorchNativeException(sprintf "cannot run `dotnet restore` (%s): the .NET SDK is needed to fetch libtorch" e.Message))
        p.WaitForExit()
        if p.ExitCode <> 0 then
            raise (
                TorchNativeException(
                    sprintf "`dotnet restore` of TorchSharp's native packages failed (exit code %d, output above)" p.ExitCode
                )
            )
    finally
        Directory.Delete(folder, true)
