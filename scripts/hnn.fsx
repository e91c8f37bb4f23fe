// Loads the Hnn library into F# Interactive: `#load "hnn.fsx"` from a script in this folder.
// Needs a build first: `dotnet fsi build.fsx setup` (or build) from the repository root.
// Without a clone, a script needs only `#r "nuget: Hnn.Fs"` (docs/packages.md); the library then loads libtorch itself.
#I "../src/Hnn.Fs/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Hnn.Core.dll"
#r "Hnn.Fs.dll"

// F# Interactive does not find TorchSharp's native libraries by itself: load them explicitly
// (from the NuGet cache, with the libstdc++ fix where this system needs it).
Hnn.Torch.init ()
