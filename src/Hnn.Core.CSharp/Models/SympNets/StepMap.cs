using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.SympNets;

/// <summary>
/// A learned map of one time step, x(t) → x(t + h), rather than a vector field: the SympNets. h is
/// <see cref="ModelSettings.StepSize"/>, fixed when the model is made from its data (the spacing of their consecutive
/// states, <see cref="Training.TrainingInputs"/>).
/// </summary>
/// <remarks>
/// A map fits the <see cref="DynamicsModel"/> abstraction in three places. Training: the trainer learns it from
/// one-step pairs (x(t), x(t + h)) of the data's timelines with the MSE of the next state, whatever the supervision
/// setting, and reports that MSE as its train and test loss. Evaluation: rollouts iterate <see cref="Step"/> and sample
/// at multiples of h (<see cref="Evaluation.ModelRollout"/>); an energy protocol whose times are not multiples of h is
/// sampled at the multiples of h over the same horizon. Everything else that asks for dx/dt (physics checks, field
/// plots) gets the secant field (Step(x) − x)/h: dx/dt + O(h), the map's mean velocity over a step.
/// </remarks>
public abstract class StepMap : DynamicsModel
{
    /// <summary>Creates the module; the settings must carry a step size.</summary>
    protected StepMap(string name, ModelSettings settings)
        : base(name, settings) { }

    /// <summary>h, the time one step advances.</summary>
    public double StepSize => Settings.StepSize ?? throw new InvalidOperationException("a step map without a step size");

    /// <summary>x(t + h) for states x(t) [N, D], differentiable with respect to the weights unless grad is off.</summary>
    public Tensor Step(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Map(x).MoveToOuterDisposeScope();
    }

    /// <summary>The modules whose composition is the map, first applied first.</summary>
    private protected abstract IEnumerable<ShearModule> Modules { get; }

    /// <summary>The map itself (called inside a dispose scope): the modules in turn, on the state's halves.</summary>
    private Tensor Map(Tensor x)
    {
        var halves = Halves.Of(x);
        foreach (var module in Modules)
            halves = module.Move(halves);
        return halves.Joined();
    }

    /// <summary>The secant field (Step(x) − x)/h: first-order in h, for code that needs a derivative (see the remarks).</summary>
    public override Tensor TimeDerivative(Tensor x, bool createGraph)
    {
        using var scope = NewDisposeScope();
        using var gradMode = createGraph ? enable_grad() : no_grad();
        return (Map(x) - x).DividedBy(StepSize).MoveToOuterDisposeScope();
    }
}
