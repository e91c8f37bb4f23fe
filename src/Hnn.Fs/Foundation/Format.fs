/// How numbers are printed in tables, logs and reports.
module Hnn.Format

/// A number as the paper prints it, with `digits` decimals: `sci 4 0.036933` is "3.6933e-02"; NaN is "—", and +∞
/// (the error of a diverged path, docs/benchmarks.md) is "∞".
let sci (digits: int) (x: float) =
    if System.Double.IsNaN x then
        "—"
    elif System.Double.IsPositiveInfinity x then
        "∞"
    elif System.Double.IsNegativeInfinity x then
        "−∞"
    else
        x.ToString(
            (if digits = 0 then "0" else "0." + String.replicate digits "0") + "e+00",
            System.Globalization.CultureInfo.InvariantCulture
        )
