using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Hnn.Native;

/// <summary>Raised when TorchSharp's native libraries cannot be loaded; the message says what to do.</summary>
/// <param name="message">What failed, and what to do about it.</param>
/// <param name="missingNatives">Whether the native files are missing or do not load, so that restoring TorchSharp's
/// packages into the NuGet cache fixes it (a tool that can restore them says how).</param>
public sealed class TorchNativeException(string message, bool missingNatives = false) : Exception(message)
{
    /// <summary>The native files are missing or do not load: restoring TorchSharp's packages fixes it.</summary>
    public bool MissingNatives { get; } = missingNatives;
}

/// <summary>Where TorchSharp's native parts are and whether this machine can load them.</summary>
/// <param name="Shim">TorchSharp's native shim <c>libLibTorchSharp.so</c>.</param>
/// <param name="LibTorchDirectory">The folder holding <c>libtorch.so</c> and its companions.</param>
/// <param name="LibStdCxx">The C++ runtime this process uses, if found.</param>
/// <param name="LibStdCxxHasVersion">Whether that runtime defines the version the shim was built against.</param>
/// <param name="ShimRequirementWeak">Whether the shim's requirement of that version is already weak.</param>
public sealed record TorchNativeStatus(
    string Shim,
    string LibTorchDirectory,
    string? LibStdCxx,
    bool LibStdCxxHasVersion,
    bool ShimRequirementWeak
)
{
    /// <summary>Whether the shim must be patched before it can load here.</summary>
    public bool NeedsFix => !LibStdCxxHasVersion && !ShimRequirementWeak;
}

/// <summary>
/// Loads libtorch and TorchSharp's shim from where a restore put them — an application folder that carries
/// them, else the NuGet cache (this repository's builds keep them there: ~1 GB), whichever cache a consumer of
/// the Hnn packages or a <c>#r "nuget: Hnn.Fs"</c> script restored into (<see cref="NuGetRoots"/>) — and makes
/// the shim load on systems with GCC 12's libstdc++.
/// </summary>
/// <remarks>
/// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> is built with GCC 13 and requires
/// <c>GLIBCXX_3.4.32</c> only for <c>std::ios_base_library_init()</c>, which GCC 13's
/// <c>&lt;iostream&gt;</c> references and never calls. Debian 12 and Ubuntu 22.04 ship GCC 12's
/// libstdc++, which lacks that version, so the loader refuses the shim. Marking that single
/// requirement weak (<see cref="ElfVersionRequirements.MarkWeak"/>) lets it load. On a system
/// whose libstdc++ has the version, nothing is changed.
/// </remarks>
public static class TorchNative
{
    /// <summary>The libtorch release TorchSharp 0.107.0 is built against.</summary>
    public const string LibTorchVersion = "2.10.0";

    /// <summary>The libstdc++ symbol version the shim requires.</summary>
    public const string RequiredCxxVersion = "GLIBCXX_3.4.32";

    const string ShimFile = "libLibTorchSharp.so";
    const string SetupHint =
        "restore the TorchSharp-cpu package into the NuGet cache (any build, `dotnet restore` or `#r \"nuget: Hnn.Fs\"` "
        + "that references Hnn does), or in the Hnn repository run `dotnet fsi build.fsx setup`";

    static readonly object Gate = new();
    static bool loaded;

    /// <summary>
    /// Loads the native libraries once per process, patching the shim first if this system's
    /// libstdc++ is too old. Safe to call from any entry point, any number of times.
    /// </summary>
    /// <exception cref="TorchNativeException">The libraries are missing or cannot be loaded.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded)
                return;
            if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
            {
                var status = Inspect();
                if (status.NeedsFix)
                    Fix(status);
                Load(Path.Combine(status.LibTorchDirectory, "libtorch.so"));
                Load(status.Shim);
            }
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is not TorchNativeException)
            {
                throw new TorchNativeException(
                    $"TorchSharp could not initialise its CPU backend ({FirstLine(e.Message)}); {SetupHint}.",
                    missingNatives: true
                );
            }
            loaded = true;
        }
    }

    /// <summary>Finds the native files and reports whether the shim needs the compatibility fix.</summary>
    /// <exception cref="TorchNativeException">The native files are not where a restore puts them.</exception>
    public static TorchNativeStatus Inspect()
    {
        string shim =
            FindFile(ShimFile, ShimCandidates())
            ?? throw new TorchNativeException(
                $"TorchSharp's native shim {ShimFile} was not found (looked in {string.Join(", ", ShimCandidates())}); {SetupHint}.",
                missingNatives: true
            );
        string libtorch = Path.GetDirectoryName(
            FindFile("libtorch.so", LibTorchCandidates())
                ?? throw new TorchNativeException(
                    $"libtorch {LibTorchVersion} (libtorch.so) was not found (looked in {string.Join(", ", LibTorchCandidates())}); {SetupHint}.",
                    missingNatives: true
                )
        )!;
        string? cxx = FindLibStdCxx();
        bool has = cxx is not null && ContainsAscii(File.ReadAllBytes(cxx), RequiredCxxVersion);
        var requirement = ElfVersionRequirements.Read(File.ReadAllBytes(shim), shim).FirstOrDefault(r => r.Version == RequiredCxxVersion);
        return new TorchNativeStatus(shim, libtorch, cxx, has, requirement is null || requirement.IsWeak);
    }

    /// <summary>Applies the compatibility fix to the shim if this system needs it; true if the file changed.</summary>
    /// <exception cref="TorchNativeException">The shim needs the fix but cannot be written.</exception>
    public static bool Fix(TorchNativeStatus status)
    {
        if (!status.NeedsFix)
            return false;
        try
        {
            return ElfVersionRequirements.MarkWeak(status.Shim, RequiredCxxVersion);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new TorchNativeException(
                $"this system's libstdc++ ({status.LibStdCxx ?? "not found"}) lacks {RequiredCxxVersion}, which {status.Shim} "
                    + $"requires, and the file cannot be patched ({e.Message}); {SetupHint} as a user who can write to it, "
                    + "or install libstdc++ from GCC 13 or newer."
            );
        }
    }

    static void Load(string path)
    {
        try
        {
            NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new TorchNativeException($"cannot load {path}: {FirstLine(e.Message)}; {SetupHint}.", missingNatives: true);
        }
    }

    static IEnumerable<string> ShimCandidates() =>
        LocalNativeFolders()
            .Concat(NuGetRoots().Select(r => Path.Combine(r, "torchsharp", TorchSharpVersion(), "runtimes", "linux-x64", "native")))
            .Distinct();

    static IEnumerable<string> LibTorchCandidates() =>
        LocalNativeFolders()
            .Concat(NuGetRoots().Select(r => Path.Combine(r, "libtorch-cpu-linux-x64", LibTorchVersion, "runtimes", "linux-x64", "native")))
            .Distinct();

    /// <summary>Folders of an application that does carry its native files (e.g. a user's own project).</summary>
    static IEnumerable<string> LocalNativeFolders()
    {
        var bases = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" }
            .Where(d => d.Length > 0)
            .Distinct();
        foreach (var b in bases)
        {
            yield return b;
            yield return Path.Combine(b, "runtimes", "linux-x64", "native");
        }
    }

    /// <summary>The version of the TorchSharp package whose shim this process needs (that of the loaded TorchSharp.dll).</summary>
    public static string TorchSharpPackageVersion => TorchSharpVersion();

    static string TorchSharpVersion()
    {
        var v = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.107.0";
        int plus = v.IndexOf('+');
        return plus < 0 ? v : v[..plus];
    }

    /// <summary>
    /// NuGet package folders that may hold TorchSharp's and libtorch's packages, most specific first: the one
    /// TorchSharp.dll itself was loaded from (a build or <c>dotnet fsi</c> that references the packages in place),
    /// <c>$NUGET_PACKAGES</c>, the folder the Hnn build restored into (baked into this assembly), and
    /// <c>~/.nuget/packages</c>. A consumer of the Hnn packages has them in its own cache, which is one of these.
    /// </summary>
    public static IEnumerable<string> NuGetRoots()
    {
        var roots = new List<string?>
        {
            PackageRootOf(typeof(torch).Assembly.Location),
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            typeof(TorchNative)
                .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "NuGetPackageRoot")
                ?.Value,
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        };
        return roots.Where(r => !string.IsNullOrEmpty(r)).Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r!))).Distinct();
    }

    /// <summary>
    /// The package root above an assembly restored in NuGet's layout, <c>ROOT/torchsharp/VERSION/lib/TFM/TorchSharp.dll</c>
    /// (NuGet lower-cases package folders), or null when the assembly was copied elsewhere.
    /// </summary>
    public static string? PackageRootOf(string assemblyPath)
    {
        if (string.IsNullOrEmpty(assemblyPath))
            return null;
        var tfm = Directory.GetParent(assemblyPath);
        var lib = tfm?.Parent;
        var version = lib?.Parent;
        var id = version?.Parent;
        if (lib is null || version is null || id is null || id.Parent is null)
            return null;
        if (lib.Name != "lib" || id.Name != "torchsharp")
            return null;
        return id.Parent.FullName;
    }

    static string? FindFile(string name, IEnumerable<string> folders) =>
        folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);

    /// <summary>The libstdc++ mapped into this process (the .NET host links it), else the usual system paths.</summary>
    static string? FindLibStdCxx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.Contains("libstdc++.so"))
                    return line[slash..].Trim();
            }
        }
        catch (IOException) { }
        return new[]
        {
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        }.FirstOrDefault(File.Exists);
    }

    static bool ContainsAscii(byte[] haystack, string needle)
    {
        var pattern = System.Text.Encoding.ASCII.GetBytes(needle + "\0");
        return haystack.AsSpan().IndexOf(pattern) >= 0;
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
