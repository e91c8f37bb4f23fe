module Hnn.Tests.Main

open Expecto
open Expecto.Impl

/// Runs every test, one at a time (torch's generator and thread count are process-wide), and ends with the plain line "N passed, N failed" that CI reads.
[<EntryPoint>]
let main argv =
    let mutable summaryLine = None
    let printer =
        { TestPrinters.defaultPrinter with
            summary =
                fun config summary ->
                    async {
                        do! TestPrinters.defaultPrinter.summary config summary
                        let failed = summary.failed.Length + summary.errored.Length
                        summaryLine <- Some(sprintf "Tests: %d passed, %d failed" summary.passed.Length failed)
                    } }
    let code = runTestsInAssemblyWithCLIArgs [ CLIArguments.Printer printer; CLIArguments.No_Spinner; CLIArguments.Sequenced ] argv
    summaryLine |> Option.iter (printfn "\n%s\n")
    code
