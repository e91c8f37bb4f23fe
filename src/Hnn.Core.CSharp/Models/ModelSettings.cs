namespace Hnn.Models;

/// <summary>Which vector field a <see cref="HamiltonianNet"/> produces from its two scalar outputs (F1, F2).</summary>
public enum FieldType
{
    /// <summary>dx/dt = M·∇F2: energy-conserving; F2 is the learned Hamiltonian (the paper's default).</summary>
    Solenoidal,
    /// <summary>dx/dt = ∇F1: curl-free.</summary>
    Conservative,
    /// <summary>The sum of both (a Helmholtz decomposition).</summary>
    Both,
}

/// <summary>The kinds of model this library trains.</summary>
public enum ModelKind
{
    /// <summary>An MLP whose output is dx/dt.</summary>
    Baseline,
    /// <summary>A Hamiltonian neural network.</summary>
    Hnn,
    /// <summary>
    /// A dissipative HNN (Sosanya &amp; Greydanus 2022): a learned Hamiltonian H and dissipation D, field M·∇H + ∇D.
    /// </summary>
    DissipativeHnn,
    /// <summary>
    /// A sampled HNN (Rahma, Datar &amp; Dietrich 2024): one hidden layer whose weights are drawn, not trained
    /// (<see cref="Sampled.LayerSampler"/>), and whose output layer is solved by linear least squares
    /// (<see cref="Sampled.SampledFit"/>). <see cref="ModelSettings.HiddenDim"/> is its width.
    /// </summary>
    SampledHnn,
    /// <summary>The sampled counterpart of <see cref="DissipativeHnn"/>: sampled H and D, field M·∇H + ∇D, solved by least squares.</summary>
    SampledDissipativeHnn,
}

/// <summary>Everything needed to rebuild a model's architecture; saved beside its weights.</summary>
/// <param name="Kind">Baseline, HNN, dissipative HNN, or one of their sampled counterparts.</param>
/// <param name="InputDim">State dimension (2·degrees of freedom).</param>
/// <param name="HiddenDim">Width of the two hidden layers (paper: 200); for a sampled model, the width of its one hidden layer.</param>
/// <param name="Nonlinearity">Hidden-layer nonlinearity (paper: tanh); a sampled model takes tanh or sigmoid.</param>
/// <param name="Field">For HNNs, which field to produce (a dissipative HNN always produces both).</param>
/// <param name="CanonicalCoordinates">For HNNs, M = [[0, I], [−I, 0]] if true, else the antisymmetric alternative.</param>
/// <param name="MomentumSymmetric">
/// For HNNs (beyond the paper): learn H(q, p) = ½(F(q, p) + F(q, −p)), even in p, so the learned flow is
/// time-reversible under a momentum flip by construction, as the flow of every H = T(p²) + V(q) is.
/// </param>
public sealed record ModelSettings(
    ModelKind Kind,
    int InputDim,
    int HiddenDim = 200,
    Nonlinearity Nonlinearity = Nonlinearity.Tanh,
    FieldType Field = FieldType.Solenoidal,
    bool CanonicalCoordinates = true,
    bool MomentumSymmetric = false)
{
    /// <summary>Checks sizes; the message names the bad value.</summary>
    /// <exception cref="ArgumentException">
    /// A size is not positive, an HNN's state dimension is odd, or a sampled model has an activation it cannot sample.
    /// </exception>
    public ModelSettings Validate()
    {
        if (InputDim < 1) throw new ArgumentException($"input dimension must be positive, got {InputDim}");
        if (HiddenDim < 1) throw new ArgumentException($"hidden dimension must be positive, got {HiddenDim}");
        bool sampled = Kind is ModelKind.SampledHnn or ModelKind.SampledDissipativeHnn;
        if (sampled) Sampled.SampledActivation.Check(Nonlinearity);
        bool hamiltonian = sampled || Kind is ModelKind.Hnn or ModelKind.DissipativeHnn;
        if (hamiltonian && MomentumSymmetric && InputDim % 2 != 0)
            throw new ArgumentException($"a momentum-symmetric HNN needs an even state dimension (q, p), got {InputDim}");
        if (hamiltonian && Field != FieldType.Conservative && CanonicalCoordinates && InputDim % 2 != 0)
            throw new ArgumentException($"a canonical HNN needs an even state dimension (q, p), got {InputDim}");
        return this;
    }
}
