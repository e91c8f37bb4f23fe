namespace Hnn

open System
open Hnn.Integrators
open Hnn.Systems

/// A Hamiltonian as the core's float64 `Hnn.Systems.IHamiltonianSystem`, for Ode.Solve, EnergyProtocol and
/// TrajectoryEvaluation (and for C# callers). Calls into torch one at a time under a lock, so it is safe to
/// call from several threads (Ode.Solve's default), though faster with a batch and Parallel = false.
type ComposedSystem(h: Hamiltonian) =
    let gate = obj ()
    let field = Hamiltonian.batchField h

    /// The Hamiltonian it evaluates.
    member _.Hamiltonian = h

    /// The state dimension 2n.
    member _.Dimension = h.Dimension

    /// dx/dt for `count` states row-major [count, 2n], all in one torch call; the signature of
    /// Hnn.Integrators.BatchVectorField (the system is autonomous, t is unused).
    member _.BatchTimeDerivative(t: float, x: ReadOnlySpan<float>, dxdt: Span<float>, count: int) =
        if x.Length < count * h.Dimension || dxdt.Length < count * h.Dimension then
            invalidArg
                (nameof x)
                (sprintf
                    "%s: need %d values for %d state(s) of dimension %d, got %d and %d"
                    h.Name
                    (count * h.Dimension)
                    count
                    h.Dimension
                    x.Length
                    dxdt.Length)
        Threading.Monitor.Enter gate
        try
            field.Invoke(t, x, dxdt, count)
        finally
            Threading.Monitor.Exit gate

    /// This system's batch field for Ode.Solve and Ode.SolveFixed.
    member this.BatchField = BatchVectorField(fun t x dxdt count -> this.BatchTimeDerivative(t, x, dxdt, count))

    /// H at every row of a float64 matrix, in one torch call.
    member _.Energies(states: Hnn.Data.StateMatrix) : float[] =
        lock gate (fun () ->
            use scope = TorchSharp.torch.NewDisposeScope()
            (Hamiltonian.energy h (states.ToTensor TorchSharp.torch.ScalarType.Float64)).data<float>().ToArray())

    interface IHamiltonianSystem with
        member _.Name = h.Name
        member _.Dimension = h.Dimension
        member _.Energy(x: ReadOnlySpan<float>) =
            if x.Length <> h.Dimension then
                invalidArg (nameof x) (sprintf "%s: a state has %d values, got %d" h.Name h.Dimension x.Length)
            let state = x.ToArray()
            lock gate (fun () -> Hamiltonian.energyAt h state)
        member this.TimeDerivative(x: ReadOnlySpan<float>, dxdt: Span<float>) = this.BatchTimeDerivative(0.0, x, dxdt, 1)

/// The core's views of a Hamiltonian.
[<RequireQualifiedAccess>]
module ComposedSystem =
    /// The Hamiltonian as a float64 `IHamiltonianSystem`.
    let ofHamiltonian (h: Hamiltonian) = ComposedSystem h
