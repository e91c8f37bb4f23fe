module Hnn.Tests.BenchTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Hnn

/// Small positive sizes for the FLOP-count properties.
let private size = Gen.choose (1, 512) |> Arb.fromGen

[<Tests>]
let tests =
    testList
        "benchmark FLOP counts"
        [ testPropertyWithConfig
              propertyConfig
              "the HNN step's products cost 12·N·H² + 10·N·H·D + 4·N·D² (forward, input gradient, backward through both)"
          <| Prop.forAll size (fun n ->
              Prop.forAll size (fun d ->
                  Prop.forAll size (fun h ->
                      let n', d', h' = float n, float d, float h
                      let closed = 12.0 * n' * h' * h' + 10.0 * n' * h' * d' + 4.0 * n' * d' * d'
                      StepFlops.hnnStep n d h = closed)))

          testPropertyWithConfig propertyConfig "the baseline step's products cost 6·N·H² + 10·N·H·D (three layers, backward)"
          <| Prop.forAll size (fun n ->
              Prop.forAll size (fun d ->
                  Prop.forAll size (fun h ->
                      let n', d', h' = float n, float d, float h
                      StepFlops.baselineStep n d h = 6.0 * n' * h' * h' + 10.0 * n' * h' * d')))

          test "an HNN step on the spring's 750 training rows is 363 MFLOP, twice a baseline step's matrix work" {
              Expect.equal (StepFlops.hnnStep 750 2 200) 363_012_000.0 "12·750·200² + 10·750·200·2 + 4·750·2²"
              let ratio = StepFlops.hnnStep 750 2 200 / StepFlops.baselineStep 750 2 200
              Expect.isTrue (ratio > 1.95 && ratio < 2.0) (sprintf "HNN / baseline = %.3f" ratio)
          } ]
