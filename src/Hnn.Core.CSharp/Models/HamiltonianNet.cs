using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models;

/// <summary>
/// A Hamiltonian neural network (Greydanus, Dzamba, Yosinski 2019): an MLP outputs two scalars F1, F2
/// of the state, and the vector field is built from their input gradients by autograd —
/// solenoidal M·∇F2 (F2 is the learned Hamiltonian), conservative ∇F1, or both.
/// </summary>
public class HamiltonianNet : DynamicsModel
{
    private readonly Mlp mlp;
    private readonly Tensor mTransposed;

    /// <summary>Creates an HNN of the given settings (its kind is set to <see cref="ModelKind.Hnn"/>).</summary>
    public HamiltonianNet(ModelSettings settings)
        : this(nameof(HamiltonianNet), settings with { Kind = ModelKind.Hnn }) { }

    /// <summary>For models built on the same two-scalar network (see <see cref="DissipativeHnn"/>).</summary>
    private protected HamiltonianNet(string name, ModelSettings settings)
        : base(name, settings)
    {
        mlp = new Mlp(settings.InputDim, settings.HiddenDim, 2, settings.Nonlinearity);
        mTransposed = Structure(settings.InputDim, settings.CanonicalCoordinates).t().contiguous();
        RegisterComponents();
    }

    /// <summary>
    /// The structure matrix M: canonical [[0, I], [−I, 0]], or the reference's Levi-Civita-style
    /// antisymmetric alternative for non-canonical coordinates. float32, [n, n].
    /// </summary>
    public static Tensor Structure(int n, bool canonical)
    {
        var m = new float[n, n];
        if (canonical)
        {
            int h = n / 2;
            for (int i = 0; i < h; i++)
            {
                m[i, h + i] = 1f;
                m[h + i, i] = -1f;
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j)
                    continue;
                float v = 1f;
                if (i % 2 == 0)
                    v = -v;
                if (j % 2 == 0)
                    v = -v;
                if (j > i)
                    v = -v;
                m[i, j] = v;
            }
        }
        return tensor(m);
    }

    /// <summary>The two learned scalar functions (F1, F2) at each state: [N, 2] (symmetrised in p if so configured).</summary>
    public Tensor Potentials(Tensor x)
    {
        if (!Settings.MomentumSymmetric)
            return mlp.forward(x);
        using var scope = NewDisposeScope();
        return mlp.forward(x).Plus(mlp.forward(FlipMomenta(x))).Times(0.5).MoveToOuterDisposeScope();
    }

    /// <summary>M·g for gradients g [N, D]: the symplectic (solenoidal) field of a scalar with gradient g.</summary>
    private protected Tensor Symplectic(Tensor gradient) => gradient.matmul(mTransposed);

    /// <summary>The learned Hamiltonian F2 at each state: [N].</summary>
    public Tensor Hamiltonian(Tensor x)
    {
        using var f = Potentials(x);
        return f.select(1, 1);
    }

    /// <summary>
    /// The field from the MLP's input gradients written out as tensor ops (<see cref="Mlp.InputGradient"/>): the
    /// same values as <see cref="TimeDerivativeByAutograd"/>, differentiable with respect to the weights, faster.
    /// <paramref name="createGraph"/> only decides whether the result keeps its graph.
    /// </summary>
    public override Tensor TimeDerivative(Tensor x, bool createGraph)
    {
        using var scope = NewDisposeScope();
        using var gradMode = createGraph ? enable_grad() : no_grad();
        if (Settings.Field == FieldType.Both && !Settings.MomentumSymmetric)
        {
            // Both gradients from one forward pass.
            var gradients = mlp.InputGradients(x);
            return gradients.select(1, 0).Plus(Symplectic(gradients.select(1, 1))).MoveToOuterDisposeScope();
        }
        Tensor? field = null;
        if (Settings.Field != FieldType.Solenoidal)
            field = Gradient(x, 0);
        if (Settings.Field != FieldType.Conservative)
        {
            var solenoidal = Symplectic(Gradient(x, 1));
            field = field is null ? solenoidal : field.Plus(solenoidal);
        }
        return field!.MoveToOuterDisposeScope();
    }

    /// <summary>∇ of output column c; for a momentum-symmetric net ½(∇F(x) + R∇F(Rx)), R flipping the momenta.</summary>
    private protected Tensor Gradient(Tensor x, int column)
    {
        if (!Settings.MomentumSymmetric)
            return mlp.InputGradient(x, column);
        return mlp.InputGradient(x, column).Plus(FlipMomenta(mlp.InputGradient(FlipMomenta(x), column))).Times(0.5);
    }

    /// <summary>(q, p) → (q, −p) for states [N, D]. Not a stored tensor, so the saved weights stay those of the paper's HNN.</summary>
    static Tensor FlipMomenta(Tensor x)
    {
        long n = x.shape[1] / 2;
        return cat([x.narrow(1, 0, n), -x.narrow(1, n, n)], 1);
    }

    /// <summary>The field by autograd (gradients of F1, F2 with respect to the input), as the reference computes it.</summary>
    public Tensor TimeDerivativeByAutograd(Tensor x, bool createGraph)
    {
        using var gradMode = enable_grad();
        var input = x.requires_grad ? x : x.detach().requires_grad_(true);
        using var f = Potentials(input);
        var field = Settings.Field;
        Tensor? conservative = null,
            solenoidal = null;
        if (field != FieldType.Solenoidal)
        {
            using var f1 = f.select(1, 0).sum();
            conservative = autograd.grad([f1], [input], retain_graph: createGraph || field == FieldType.Both, create_graph: createGraph)[0];
        }
        if (field != FieldType.Conservative)
        {
            using var f2 = f.select(1, 1).sum();
            using var dF2 = autograd.grad([f2], [input], retain_graph: createGraph, create_graph: createGraph)[0];
            solenoidal = Symplectic(dF2);
        }
        if (!ReferenceEquals(input, x))
            input.Dispose();
        if (conservative is null)
            return solenoidal!;
        if (solenoidal is null)
            return conservative;
        var sum = conservative.Plus(solenoidal);
        conservative.Dispose();
        solenoidal.Dispose();
        return sum;
    }
}
