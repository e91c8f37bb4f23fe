/// The layers keep to their parts: the core (Hnn.Core) knows nothing of the command line, whose wording lives in
/// the CLI.
module Hnn.Tests.LayerTests

open System.IO
open System.Reflection.Metadata
open System.Reflection.Metadata.Ecma335
open System.Reflection.PortableExecutable
open System.Text.RegularExpressions
open Expecto

/// Every string literal compiled into an assembly (the #US heap of its metadata).
let private stringLiterals (assemblyPath: string) =
    use stream = File.OpenRead assemblyPath
    use pe = new PEReader(stream)
    let reader = pe.GetMetadataReader()
    let rec all (handle: UserStringHandle) =
        [ let next = reader.GetNextHandle handle
          if not next.IsNil then
              yield reader.GetUserString next
              yield! all next ]
    all (MetadataTokens.UserStringHandle 0)

[<Tests>]
let tests =
    testList "layers" [
        test "the core's messages name no command-line flag and no hnn command: the CLI words its hints" {
            let core = typeof<Hnn.Models.DynamicsModel>.Assembly.Location
            let literals = stringLiterals core
            Expect.isGreaterThan literals.Length 100 "the reader finds the core's string literals"
            let cli = Regex(@"(^|[\s`(])--[a-z]|\bhnn (train|run|reproduce|evaluate|check|report|bench|native|export|import|sweep|job)\b")
            let offending = literals |> List.filter cli.IsMatch
            Expect.isEmpty offending "string literals of Hnn.Core that name a flag or an hnn command"
        }
    ]
