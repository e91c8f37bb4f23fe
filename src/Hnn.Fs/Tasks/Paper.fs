/// The paper's published numbers (Greydanus, Dzamba, Yosinski 2019, Table 1), for comparison.
module Hnn.Paper

open Hnn.Training

/// One cell of the paper's table.
type Value = { Mean: float; Err: float }

/// The paper's values for one task, by model ("baseline", "hnn") and metric ("train_loss", "test_loss", "energy_mse").
type Row = Map<string * string, Value>

let private row baseline hnn : Row =
    let cells model (train, trainErr, test, testErr, energy, energyErr) =
        [ (model, "train_loss"), { Mean = train; Err = trainErr }
          (model, "test_loss"), { Mean = test; Err = testErr }
          (model, "energy_mse"), { Mean = energy; Err = energyErr } ]
    Map.ofList (cells "baseline" baseline @ cells "hnn" hnn)

/// Table 1, by task key.
let table: Map<string, Row> =
    Map.ofList
        [ "spring",
          row
              (3.7134e-02, 1.9143e-03, 3.6656e-02, 1.8652e-03, 1.7077e-01, 2.06e-02)
              (3.6933e-02, 1.9128e-03, 3.5928e-02, 1.8328e-03, 3.8416e-04, 6.53e-05)
          "pendulum",
          row
              (3.2606e-02, 1.7434e-03, 3.5273e-02, 1.7970e-03, 4.1519e-02, 9.62e-03)
              (3.2787e-02, 1.7567e-03, 3.5586e-02, 1.8178e-03, 2.4852e-02, 5.42e-03)
          "real-pendulum",
          row
              (2.7455e-03, 2.0735e-04, 2.1864e-03, 3.3296e-04, 3.8564e-01, 6.92e-02)
              (9.2376e-03, 5.0263e-04, 5.9584e-03, 6.1798e-04, 1.4477e-02, 4.65e-03)
          "two-body",
          row
              (3.2682e-05, 1.2022e-06, 2.9575e-05, 8.8900e-07, 6.3276e-02, 3.36e-02)
              (2.9959e-06, 6.5500e-08, 2.8218e-06, 4.2020e-08, 3.8751e-05, 5.04e-06)
          "three-body",
          row
              (9.5573e-02, 6.5610e-02, 3.8000e-01, 4.1612e-01, 1.0906e+02, 7.74e+01)
              (8.0346e-02, 2.1470e-02, 4.8809e-01, 4.7745e-01, 4.1926e-02, 3.39e-02)
          "pixel-pendulum",
          row
              (1.7731e-04, 2.4202e-06, 1.7306e-04, 3.2413e-06, 9.2748e-03, 1.14e-03)
              (1.8683e-04, 2.4238e-06, 1.8451e-04, 3.3422e-06, 1.5315e-04, 8.42e-06) ]

/// The paper's value of a cell, if it reports one.
let tryFind task model metric : LossEstimate option =
    table
    |> Map.tryFind task
    |> Option.bind (Map.tryFind (model, metric))
    |> Option.map (fun v -> LossEstimate(v.Mean, v.Err))
