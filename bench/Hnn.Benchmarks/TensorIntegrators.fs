/// The tensor integrators that roll out learned fields in the energy protocol: one step of each fixed-step
/// method and a Dormand–Prince solve, on a batch of states through a spring HNN in float64 (as the protocol runs it).
namespace Hnn.Benchmarks

open BenchmarkDotNet.Attributes
open Hnn.Evaluation
open Hnn.Integrators
open Hnn.Models
open TorchSharp

/// Tensor steppers on 1000 mass-spring states through an (untrained) HNN's field, float64.
type TensorIntegrators() =
    let mutable model: DynamicsModel = Unchecked.defaultof<_>
    let mutable field: System.Func<torch.Tensor, torch.Tensor> = Unchecked.defaultof<_>
    let mutable x0: torch.Tensor = Unchecked.defaultof<_>

    /// Torch intra-op threads.
    [<ParamsSource("ThreadCounts")>]
    member val Threads = 1 with get, set

    member _.ThreadCounts = Threads.counts

    [<GlobalSetup>]
    member this.Setup() =
        Threads.apply this.Threads
        use net = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
        model <- ModelField.ToFloat64 net
        field <- ModelField.Of model
        torch.random.manual_seed 1L |> ignore
        x0 <- torch.randn (1000L, 2L, dtype = torch.ScalarType.Float64)

    [<GlobalCleanup>]
    member _.Cleanup() =
        x0.Dispose()
        model.Dispose()

    member private _.Step(m: IFixedStepMethod) =
        use x = TensorOde.Step(m, field, x0, 1e-2)
        x.shape[0]

    /// One RK4 step (4 evaluations of the HNN's field).
    [<Benchmark>]
    member this.Rk4Step() = this.Step Rk4.Tableau

    /// One leapfrog step (2 evaluations: drift–kick methods evaluate the full field).
    [<Benchmark>]
    member this.LeapfrogStep() = this.Step Leapfrog.Tableau

    /// One Yoshida 4 step (4 evaluations).
    [<Benchmark>]
    member this.Yoshida4Step() = this.Step Yoshida4.Tableau

    /// Dormand–Prince 5(4) of the batch over one time unit, 5 output times, rtol = atol = 1e-9.
    [<Benchmark>]
    member _.DormandPrinceSolve() =
        use paths = TensorOde.Solve(field, x0, 0.0, System.ReadOnlySpan [| 0.0; 0.25; 0.5; 0.75; 1.0 |], 1e-9, 1e-9)
        paths.shape[1]
