namespace Hnn.Integrators;

/// <summary>
/// Dormand–Prince 5(4): 7 stages (FSAL, so 6 field evaluations per accepted step), propagates the
/// order-5 solution with an order-4 error estimate, and has a 4th-order continuous extension (dense
/// output). Not symplectic. This is scipy's RK45 and MATLAB's ode45.
/// Reference: Dormand &amp; Prince, J. Comput. Appl. Math. 6 (1980) 19–26; dense output from
/// Shampine, Math. Comp. 46 (1986) 135–150, with the coefficients scipy uses.
/// </summary>
public static class DormandPrince45
{
    /// <summary>
    /// The tableau; the last row of A is b (first same as last). Its dense output P [7, 4] gives
    /// y(t₀ + θh) = y₀ + h Σᵢ kᵢ Σⱼ P[i, j] θʲ⁺¹ for θ ∈ [0, 1], the last stage being f at the new solution:
    /// a 4th-order continuous extension.
    /// </summary>
    public static ButcherTableau Tableau { get; } =
        new(
            "Dormand–Prince 5(4)",
            order: 5,
            a:
            [
                [],
                [1.0 / 5],
                [3.0 / 40, 9.0 / 40],
                [44.0 / 45, -56.0 / 15, 32.0 / 9],
                [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
                [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
                [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
            ],
            b: [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0],
            c: [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1],
            bError: [-71.0 / 57600, 0, 71.0 / 16695, -71.0 / 1920, 17253.0 / 339200, -22.0 / 525, 1.0 / 40],
            errorOrder: 4,
            reference: "Dormand & Prince (1980), J. Comput. Appl. Math. 6, 19–26; dense output: Shampine (1986), Math. Comp. 46, 135–150",
            denseOutput: new double[,]
            {
                { 1, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608, -12715105075.0 / 11282082432 },
                { 0, 0, 0, 0 },
                { 0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933, 87487479700.0 / 32700410799 },
                { 0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304, -10690763975.0 / 1880347072 },
                { 0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408, 701980252875.0 / 199316789632 },
                { 0, -282668133.0 / 205662961, 2019193451.0 / 616988883, -1453857185.0 / 822651844 },
                { 0, 40617522.0 / 29380423, -110615467.0 / 29380423, 69997945.0 / 29380423 },
            }
        );
}
