namespace Hnn.Integrators;

/// <summary>
/// Bogacki–Shampine 3(2): 4 stages (FSAL, so 3 field evaluations per accepted step), propagates the order-3
/// solution with an order-2 error estimate; its dense output is the cubic Hermite interpolant of the step
/// (3rd order). Not symplectic. This is scipy's RK23 and MATLAB's ode23: cheaper than Dormand–Prince 5(4) at
/// loose tolerances.
/// Reference: Bogacki &amp; Shampine, Appl. Math. Lett. 2 (1989) 321–325.
/// </summary>
public static class BogackiShampine32
{
    /// <summary>The tableau; the last row of A is b (first same as last), b_err = b̂ − b as scipy's RK23.</summary>
    public static ButcherTableau Tableau { get; } =
        new(
            "Bogacki–Shampine 3(2)",
            order: 3,
            a:
            [
                [],
                [1.0 / 2],
                [0, 3.0 / 4],
                [2.0 / 9, 1.0 / 3, 4.0 / 9],
            ],
            b: [2.0 / 9, 1.0 / 3, 4.0 / 9, 0],
            c: [0, 1.0 / 2, 3.0 / 4, 1],
            bError: [5.0 / 72, -1.0 / 12, -1.0 / 9, 1.0 / 8],
            errorOrder: 2,
            reference: "Bogacki & Shampine (1989), Appl. Math. Lett. 2, 321–325",
            denseOutput: new double[,]
            {
                { 1, -4.0 / 3, 5.0 / 9 },
                { 0, 1, -2.0 / 3 },
                { 0, 4.0 / 3, -8.0 / 9 },
                { 0, -1, 1 },
            }
        );
}
