using static TorchSharp.torch;

namespace Hnn.Models.Sampled;

/// <summary>
/// A sampled hidden layer: neuron k computes σ(wₖ·x + bₖ). float64, like the least-squares fit that uses it.
/// </summary>
/// <param name="Weights">wₖ as rows, [M, D].</param>
/// <param name="Biases">bₖ, [M].</param>
/// <param name="Activation">σ: tanh or sigmoid (<see cref="SampledActivation"/>).</param>
/// <param name="From">For SWIM layers, the index of each neuron's first state x1 among the states it was sampled from; null for ELM.</param>
/// <param name="To">For SWIM layers, the index of each neuron's second state x2; null for ELM.</param>
public sealed record SampledLayer(Tensor Weights, Tensor Biases, Nonlinearity Activation, Tensor? From = null, Tensor? To = null)
    : IDisposable
{
    /// <summary>The number of neurons M.</summary>
    public int Width => (int)Weights.shape[0];

    /// <summary>The input dimension D.</summary>
    public int InputDim => (int)Weights.shape[1];

    /// <summary>The first <paramref name="width"/> neurons (views). A prefix of an i.i.d. sample is a sample of that width.</summary>
    public SampledLayer Take(int width) =>
        new(Weights.narrow(0, 0, width), Biases.narrow(0, 0, width), Activation, From?.narrow(0, 0, width), To?.narrow(0, 0, width));

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Weights.Dispose();
        Biases.Dispose();
        From?.Dispose();
        To?.Dispose();
    }
}
