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
    testList
        "layers"
        [ test "the core's messages name no command-line flag and no hnn command: the CLI words its hints" {
              let core = typeof<Hnn.Models.DynamicsModel>.Assembly.Location
              let literals = stringLiterals core
              Expect.isGreaterThan literals.Length 100 "the reader finds the core's string literals"
              let cli = Regex(@"(^|[\s`(])--[a-z]|\bhnn (train|run|reproduce|evaluate|check|report|bench|native|export|import|sweep|job)\b")
              let offending = literals |> List.filter cli.IsMatch
              Expect.isEmpty offending "string literals of Hnn.Core that name a flag or an hnn command"
          }
          test
              "hnn's help names every task and every model kind that exists, the families beyond the HNN too (from Tasks' lists and its model-kind table)" {
              let help command =
                  let code, text = runHnnToEnd [ command; "--help" ]
                  Expect.equal code 0 (sprintf "hnn %s --help exits with 0:\n%s" command text)
                  text
              let train, run, sweep = help "train", help "run", help "sweep"
              for task in Hnn.Tasks.known do
                  Expect.stringContains train task.Key (sprintf "hnn train --help names task %s" task.Key)
                  Expect.stringContains run task.Key (sprintf "hnn run --help names task %s" task.Key)
              for kind in Hnn.Tasks.trainableKinds do
                  let key = Hnn.Tasks.modelKey kind
                  for command, text in [ "train", train; "run", run; "sweep", sweep ] do
                      Expect.stringContains text key (sprintf "hnn %s --help names model %s" command key)
          } ]
