module Hnn.Tests.TrainingTests

open System.IO
open Expecto
open Hnn.Data
open Hnn.Models
open Hnn.Results
open Hnn.Training
open TorchSharp

let private spring = lazy (SpringRecipe().Generate())


let private trainedHnn =
    lazy
        (let model = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
         let settings = TrainSettings(Steps = 300, WeightDecay = 1e-4)
         let result = Trainer.Train(model, spring.Value, settings)
         model, settings, result)

[<Tests>]
let tests =
    testList
        "training"
        [ test "300 full-batch steps make the HNN's learned field much better than at step 0" {
              let _, _, result = trainedHnn.Value
              Expect.equal result.TrainLoss.Length 301 "steps 0..300 are recorded"
              Expect.equal result.TestLoss.Length 301 "test loss at every step"
              Expect.isLessThan (float result.TestLoss[300]) (0.2 * float result.TestLoss[0]) "test loss falls by 5× or more"
              Expect.isLessThan result.FinalTest.Mean 0.06 "close to the noise floor (≈0.037)"
          }
          test "the baseline learns too, with minibatches" {
              let model = DynamicsModel.Create(ModelSettings(ModelKind.Baseline, 2), 0)
              let r = Trainer.Train(model, spring.Value, TrainSettings(Steps = 200, BatchSize = 100, TestEvery = 0))
              Expect.isEmpty r.TestLoss "no per-step test loss when switched off"
              Expect.isLessThan r.FinalTest.Mean 0.2 "much better than the untrained ≈0.7"
          }
          test "the same seed gives the same trained weights" {
              let run () =
                  let model = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 11)
                  Trainer.Train(model, spring.Value, TrainSettings(Steps = 20, BatchSize = 64, Seed = 11)).TrainLoss
              Expect.sequenceEqual (run ()) (run ()) "bit-identical loss curves"
          }
          test "a model saved and loaded again predicts exactly the same field" {
              let model, settings, _ = trainedHnn.Value
              let dir = temporaryFolder "tests"
              let path = Path.Combine(dir, "spring-hnn.json")
              ModelFile.Save(model, "spring", settings, path) |> ignore
              let struct (loaded, file) = ModelFile.Load path
              Expect.equal file.Task "spring" "task recorded"
              Expect.equal file.Training.Steps 300 "training settings recorded"
              use x = spring.Value.TestX.ToTensor()
              use a = model.TimeDerivative(x, false)
              use b = loaded.TimeDerivative(x, false)
              Expect.equal ((a - b).abs().max().item<float32>()) 0.0f "identical predictions"
          }
          test "a truncated weights file, a corrupt description and a missing file are refused with the file named" {
              let model, settings, _ = trainedHnn.Value
              let dir = temporaryFolder "tests"
              let path = Path.Combine(dir, "m.json")
              ModelFile.Save(model, "spring", settings, path) |> ignore
              let weights = Path.ChangeExtension(path, ".weights") |> nonNull
              File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..999])
              let e1 = Expect.throwsC (fun () -> ModelFile.Load path |> ignore) id
              Expect.stringContains e1.Message "checksum" "truncated weights detected"
              Expect.stringContains e1.Message path "file named"
              File.WriteAllText(path, "{ not json")
              let e2 = Expect.throwsC (fun () -> ModelFile.Load path |> ignore) id
              Expect.stringContains e2.Message "not a valid model description" "corrupt JSON detected"
              let e3 = Expect.throwsC (fun () -> ModelFile.Load(Path.Combine(dir, "none.json")) |> ignore) id
              Expect.stringContains e3.Message "no such file" "missing file"
          }
          test "a model file of another format version is refused" {
              let model, settings, _ = trainedHnn.Value
              let dir = temporaryFolder "tests"
              let path = Path.Combine(dir, "m.json")
              ModelFile.Save(model, "spring", settings, path) |> ignore
              File.WriteAllText(path, File.ReadAllText(path).Replace("\"version\": 1", "\"version\": 99"))
              let e = Expect.throwsC (fun () -> ModelFile.Load path |> ignore) id
              Expect.stringContains e.Message "version 99" "names the version"
          }
          test "a model file written before the learning-rate decay existed reads as trained at a constant rate" {
              let model, settings, _ = trainedHnn.Value
              let dir = temporaryFolder "tests"
              let path = Path.Combine(dir, "m.json")
              ModelFile.Save(model, "spring", TrainSettings(Steps = 300, LearningRateDecay = 7.0), path) |> ignore
              let text = File.ReadAllText path
              let field = System.Text.RegularExpressions.Regex(",\\s*\"learning_rate_decay\": 7")
              Expect.isTrue (field.IsMatch text) "the decay is recorded"
              let struct (_, file) = ModelFile.Load path
              Expect.equal file.Training.LearningRateDecay 7.0 "and read back"
              File.WriteAllText(path, field.Replace(text, ""))
              let struct (_, older) = ModelFile.Load path
              Expect.equal older.Training.LearningRateDecay 1.0 "without the field: constant (d = 1)"
              Expect.equal older.Training.Steps settings.Steps "the rest as written"
          }
          test "training settings out of range are refused with the value named" {
              for bad, word in
                  [ TrainSettings(Steps = -1), "steps"
                    TrainSettings(LearningRate = 0.0), "learning rate"
                    TrainSettings(BatchSize = 0), "batch size"
                    TrainSettings(WeightDecay = nan), "weight decay"
                    TrainSettings(LearningRateDecay = 0.5), "learning-rate decay"
                    TrainSettings(LearningRateDecay = infinity), "learning-rate decay" ] do
                  let e = Expect.throwsC (fun () -> bad.Validate() |> ignore) id
                  Expect.stringContains e.Message word "named"
          }
          test "a decaying learning rate runs from lr at step 0 to lr/d at the last step by one factor per step" {
              let s = TrainSettings(Steps = 40, LearningRate = 2e-3, LearningRateDecay = 16.0)
              Expect.equal (s.LearningRateAt 0) 2e-3 "lr at step 0"
              Expect.isTrue (close 1e-18 1e-14 (s.LearningRateAt 40) (2e-3 / 16.0)) "lr/d at the last step"
              Expect.isTrue (close 1e-18 1e-14 (s.LearningRateAt 20) (2e-3 / 4.0)) "lr/√d half way"
              let ratios = [ for k in 1..40 -> s.LearningRateAt k / s.LearningRateAt(k - 1) ]
              for r in ratios do
                  Expect.isTrue (close 1e-15 1e-12 r (16.0 ** (-1.0 / 40.0))) (sprintf "one factor per step: %g" r)
              let constant = TrainSettings(Steps = 40, LearningRate = 2e-3)
              Expect.equal [ for k in 0..40 -> constant.LearningRateAt k ] (List.replicate 41 2e-3) "d = 1 (the default): constant"
          }
          test "the trainer steps at the scheduled rate: with lr/d vanishing the last step moves no weight (both optimisers)" {
              // Steps = 1 is two Adam steps: step 0 at lr, step 1 at lr·d⁻¹ = 1e-303, zero in float32. So the weights
              // are those after step 0 alone; at a constant rate the second step moves them.
              let trained flat steps decay =
                  let m = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2, HiddenDim = 16), 5)
                  let settings = TrainSettings(Steps = steps, TestEvery = 0, LearningRateDecay = decay)
                  Trainer.Train(m, spring.Value, settings, null, TrainingControl(FlatParameters = flat)) |> ignore
                  let w = [ for p in m.parameters () -> p.detach().flatten().data<float32>().ToArray() ]
                  m.Dispose()
                  w
              for flat in [ true; false ] do
                  let one = trained flat 0 1.0
                  Expect.equal (trained flat 1 1e300) one (sprintf "flat %b: the vanishing second step left every weight" flat)
                  Expect.notEqual (trained flat 1 1.0) one (sprintf "flat %b: a constant rate's second step moved them" flat)
          }
          test "the reported loss is the mean of squared errors ± (std over all elements)/√N" {
              use e = tensor2d 3 2 [| 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 |]
              let l = LossEstimate.FromSquaredErrors e
              Expect.floatClose Accuracy.veryHigh l.Mean 3.5 "mean"
              Expect.floatClose Accuracy.veryHigh l.Err (sqrt 3.5 / sqrt 3.0) "sample std 1.8708 over √3 rows"
          }
          test "the energy error bar is the std of 5 contiguous part means over √5" {
              let values = [| 1.0; 1.0; 2.0; 2.0; 3.0; 3.0; 4.0; 4.0; 5.0; 5.0 |]
              let l = LossEstimate.FromSplits values
              Expect.floatClose Accuracy.veryHigh l.Mean 3.0 "mean"
              Expect.floatClose Accuracy.veryHigh l.Err (sqrt 2.0 / sqrt 5.0) "population std of 1..5 is √2"
          }
          test "results.json accumulates cells across runs and keeps the earlier ones" {
              let dir = temporaryFolder "tests"
              let run = ResultsFile.RunInfo("2026-01-01T00:00:00Z", 0, 10, 2, 1.0, "test")
              ResultsFile.Merge(dir, [ ResultsFile.Cell("spring", "hnn", "train_loss", LossEstimate(1.0, 0.1)) ], run) |> ignore
              let path = ResultsFile.Merge(dir, [ ResultsFile.Cell("spring", "baseline", "test_loss", LossEstimate(2.0, 0.2)) ], run)
              let cells = ResultsFile.Read path
              Expect.equal cells.Count 2 "both cells"
              Expect.exists cells (fun c -> c.Model = "hnn" && c.Metric = "train_loss" && c.Value.Mean = 1.0) "first kept"
              File.WriteAllText(path, "{ broken")
              Expect.throwsT<ResultsFileException>
                  (fun () -> ResultsFile.Merge(dir, [], run) |> ignore)
                  "a corrupt results.json is not overwritten"
              Expect.equal (File.ReadAllText path) "{ broken" "left untouched"
          } ]
