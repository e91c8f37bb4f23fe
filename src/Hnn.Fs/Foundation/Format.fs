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

/// A number with `digits` decimals in fixed point, for ratios (ours / paper) and valid prediction times: `decimals 2 1.2345`
/// is "1.23"; a non-finite one as `sci` prints it (a diverged model's ∞ / paper is "∞", 0 / 0 is "—"), never .NET's
/// "Infinity" or "NaN".
let decimals (digits: int) (x: float) = if System.Double.IsFinite x then sprintf "%.*f" digits x else sci 0 x
