using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Tensors;

/// <summary>
/// Tensor arithmetic with a number that owns the number's native <see cref="Scalar"/> for the whole call.
/// </summary>
/// <remarks>
/// TorchSharp's <c>x.add(1.0)</c>, <c>x * h</c>, <c>x.pow(2.0)</c> and kin convert the number to a <see cref="Scalar"/>
/// and pass its native handle to libtorch without keeping the managed object alive; that temporary is freed only by
/// its finalizer. A garbage collection while libtorch runs (set off by any other thread) can finalize it mid-call,
/// and libtorch then reads freed memory (seen here as c10's "toFloat" check failing in <c>add_Scalar</c>). TorchSharp
/// 0.107 does the same inside some tensor-only calls: <c>add(Tensor)</c> and <c>+</c> (an implicit alpha of 1),
/// <c>square()</c> (an exponent of 2), <c>addcdiv</c>. Each method here either uses a Scalar held for the whole
/// process (the constants 1 and 2) or creates the Scalar, calls TorchSharp, and disposes it after the call returns,
/// which keeps it reachable until then; each computes exactly what the TorchSharp call it replaces computes. The
/// project's code reaches those TorchSharp calls only through this class: a test reads the compiled code of Hnn.Core
/// and Hnn.Fs for calls that make Scalar temporaries.
/// </remarks>
public static class Scalars
{
    // Held by static fields, so never finalized: safe to hand libtorch at any time.
    internal static readonly Scalar One = 1.ToScalar();
    internal static readonly Scalar Two = 2.ToScalar();

    /// <summary>x + y (TorchSharp's <c>x + y</c>, whose implicit alpha = 1 is a temporary).</summary>
    public static Tensor Plus(this Tensor x, Tensor y) => x.add(y, One);

    /// <summary>x += y in place.</summary>
    public static Tensor PlusInPlace(this Tensor x, Tensor y) => x.add_(y, One);

    /// <summary>x², elementwise (TorchSharp's <c>square()</c>: libtorch's pow with exponent 2).</summary>
    public static Tensor Squared(this Tensor x) => x.pow(Two);

    /// <summary>x + value.</summary>
    public static Tensor Plus(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.add(s, One);
    }

    /// <summary>x + value for an integer value (an integer tensor stays integer, as with TorchSharp's <c>x + 1</c>).</summary>
    public static Tensor Plus(this Tensor x, long value)
    {
        using var s = value.ToScalar();
        return x.add(s, One);
    }

    /// <summary>x − value.</summary>
    public static Tensor Minus(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.sub(s);
    }

    /// <summary>value − x.</summary>
    public static Tensor Subtracted(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.neg().add_(s, One);
    }

    /// <summary>x · value.</summary>
    public static Tensor Times(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.mul(s);
    }

    /// <summary>x / value.</summary>
    public static Tensor DividedBy(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.div(s);
    }

    /// <summary>value / x.</summary>
    public static Tensor Dividing(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return full_like(x, s).div_(x);
    }

    /// <summary>x to the power <paramref name="exponent"/>, elementwise.</summary>
    public static Tensor Power(this Tensor x, double exponent)
    {
        using var s = exponent.ToScalar();
        return x.pow(s);
    }

    /// <summary>x + alpha · y (one fused libtorch call).</summary>
    public static Tensor AddScaled(this Tensor x, Tensor y, double alpha)
    {
        using var s = alpha.ToScalar();
        return x.add(y, s);
    }

    /// <summary>x + alpha · a ⊙ b (one fused libtorch call, addcmul).</summary>
    public static Tensor AddScaledProduct(this Tensor x, Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return x.addcmul(a, b, s);
    }

    /// <summary>x + alpha · y in place.</summary>
    public static Tensor AddScaledInPlace(this Tensor x, Tensor y, double alpha)
    {
        using var s = alpha.ToScalar();
        return x.add_(y, s);
    }

    /// <summary>x · value in place.</summary>
    public static Tensor TimesInPlace(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.mul_(s);
    }

    /// <summary>x + value in place.</summary>
    public static Tensor PlusInPlace(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.add_(s, One);
    }

    /// <summary>x clamped to [min, max] elementwise.</summary>
    public static Tensor ClampTo(this Tensor x, double min, double max)
    {
        using var lo = min.ToScalar();
        using var hi = max.ToScalar();
        return x.clamp(lo, hi);
    }

    /// <summary>max(x, min) elementwise.</summary>
    public static Tensor AtLeast(this Tensor x, double min)
    {
        using var lo = min.ToScalar();
        return x.clamp_min(lo);
    }

    /// <summary>A tensor of x's shape, type and device filled with <paramref name="value"/>.</summary>
    public static Tensor FullLike(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return full_like(x, s);
    }

    /// <summary>x &gt; value elementwise (a boolean tensor).</summary>
    public static Tensor GreaterThan(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.gt(s);
    }
}
