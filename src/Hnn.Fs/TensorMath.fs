// Elementary functions that read like math on TorchSharp tensors and on floats alike, so a Hamiltonian can be
// written as `p ** 2.0 / 2.0 + 1.0 - cos q`.
namespace Hnn

open System
open TorchSharp

/// The overloads the generic functions of `TensorMath` dispatch to: one static member per function and type
/// (float, float32, Tensor; `abs` also int, int64 and decimal). F# finds `cos`, `**` … through such members, which
/// `torch.Tensor` lacks.
[<AbstractClass; Sealed>]
type MathDispatch =
    static member ElementwiseCos(x: float) = Math.Cos x
    static member ElementwiseCos(x: float32) = MathF.Cos x
    static member ElementwiseCos(x: torch.Tensor) = x.cos ()
    static member ElementwiseSin(x: float) = Math.Sin x
    static member ElementwiseSin(x: float32) = MathF.Sin x
    static member ElementwiseSin(x: torch.Tensor) = x.sin ()
    static member ElementwiseTan(x: float) = Math.Tan x
    static member ElementwiseTan(x: float32) = MathF.Tan x
    static member ElementwiseTan(x: torch.Tensor) = x.tan ()
    static member ElementwiseExp(x: float) = Math.Exp x
    static member ElementwiseExp(x: float32) = MathF.Exp x
    static member ElementwiseExp(x: torch.Tensor) = x.exp ()
    static member ElementwiseLog(x: float) = Math.Log x
    static member ElementwiseLog(x: float32) = MathF.Log x
    static member ElementwiseLog(x: torch.Tensor) = x.log ()
    static member ElementwiseSqrt(x: float) = Math.Sqrt x
    static member ElementwiseSqrt(x: float32) = MathF.Sqrt x
    static member ElementwiseSqrt(x: torch.Tensor) = x.sqrt ()
    static member ElementwiseTanh(x: float) = Math.Tanh x
    static member ElementwiseTanh(x: float32) = MathF.Tanh x
    static member ElementwiseTanh(x: torch.Tensor) = x.tanh ()
    static member ElementwiseCosh(x: float) = Math.Cosh x
    static member ElementwiseCosh(x: float32) = MathF.Cosh x
    static member ElementwiseCosh(x: torch.Tensor) = x.cosh ()
    static member ElementwiseSinh(x: float) = Math.Sinh x
    static member ElementwiseSinh(x: float32) = MathF.Sinh x
    static member ElementwiseSinh(x: torch.Tensor) = x.sinh ()
    static member ElementwiseAbs(x: float) = Math.Abs x
    static member ElementwiseAbs(x: float32) = MathF.Abs x
    static member ElementwiseAbs(x: int) = Math.Abs x
    static member ElementwiseAbs(x: int64) = Math.Abs x
    static member ElementwiseAbs(x: decimal) = Math.Abs x
    static member ElementwiseAbs(x: torch.Tensor) = x.abs ()
    static member ElementwisePow(x: float, y: float) = Math.Pow(x, y)
    static member ElementwisePow(x: float32, y: float32) = MathF.Pow(x, y)
    static member ElementwisePow(x: torch.Tensor, y: float) = x.pow (Scalar.op_Implicit y)
    static member ElementwisePow(x: torch.Tensor, y: int) = x.pow (Scalar.op_Implicit y)
    static member ElementwisePow(x: torch.Tensor, y: torch.Tensor) = x.pow y
    static member ElementwisePow(x: float, y: torch.Tensor) = (torch.full_like(y, Scalar.op_Implicit x)).pow y

/// `cos`, `sin`, `tan`, `exp`, `log`, `sqrt`, `tanh`, `cosh`, `sinh`, `abs` and `**` for tensors (elementwise) and
/// floats, plus `col` and `total` to take coordinates apart and sum them. Opened automatically with `Hnn`; it
/// shadows the F# core functions of the same names, which keep working on float and float32.
[<AutoOpen>]
module TensorMath =
    /// The dispatch plumbing behind the functions below (public only because inline functions need it).
    module Dispatch =
        /// Calls `W.ElementwiseCos` or `X.ElementwiseCos`.
        let inline cos (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseCos: ^X -> ^R) x)
        /// Calls `W.ElementwiseSin` or `X.ElementwiseSin`.
        let inline sin (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseSin: ^X -> ^R) x)
        /// Calls `W.ElementwiseTan` or `X.ElementwiseTan`.
        let inline tan (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseTan: ^X -> ^R) x)
        /// Calls `W.ElementwiseExp` or `X.ElementwiseExp`.
        let inline exp (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseExp: ^X -> ^R) x)
        /// Calls `W.ElementwiseLog` or `X.ElementwiseLog`.
        let inline log (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseLog: ^X -> ^R) x)
        /// Calls `W.ElementwiseSqrt` or `X.ElementwiseSqrt`.
        let inline sqrt (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseSqrt: ^X -> ^R) x)
        /// Calls `W.ElementwiseTanh` or `X.ElementwiseTanh`.
        let inline tanh (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseTanh: ^X -> ^R) x)
        /// Calls `W.ElementwiseCosh` or `X.ElementwiseCosh`.
        let inline cosh (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseCosh: ^X -> ^R) x)
        /// Calls `W.ElementwiseSinh` or `X.ElementwiseSinh`.
        let inline sinh (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseSinh: ^X -> ^R) x)
        /// Calls `W.ElementwiseAbs` or `X.ElementwiseAbs`.
        let inline abs (_: ^W) (x: ^X) : ^R = ((^W or ^X): (static member ElementwiseAbs: ^X -> ^R) x)
        /// Calls `W.ElementwisePow`, `X.ElementwisePow` or `Y.ElementwisePow`.
        let inline pow (_: ^W) (x: ^X) (y: ^Y) : ^R = ((^W or ^X or ^Y): (static member ElementwisePow: ^X * ^Y -> ^R) (x, y))

    /// Cosine (elementwise on tensors).
    let inline cos x = Dispatch.cos Unchecked.defaultof<MathDispatch> x
    /// Sine.
    let inline sin x = Dispatch.sin Unchecked.defaultof<MathDispatch> x
    /// Tangent.
    let inline tan x = Dispatch.tan Unchecked.defaultof<MathDispatch> x
    /// Exponential.
    let inline exp x = Dispatch.exp Unchecked.defaultof<MathDispatch> x
    /// Natural logarithm.
    let inline log x = Dispatch.log Unchecked.defaultof<MathDispatch> x
    /// Square root.
    let inline sqrt x = Dispatch.sqrt Unchecked.defaultof<MathDispatch> x
    /// Hyperbolic tangent.
    let inline tanh x = Dispatch.tanh Unchecked.defaultof<MathDispatch> x
    /// Hyperbolic cosine.
    let inline cosh x = Dispatch.cosh Unchecked.defaultof<MathDispatch> x
    /// Hyperbolic sine.
    let inline sinh x = Dispatch.sinh Unchecked.defaultof<MathDispatch> x
    /// Absolute value.
    let inline abs x = Dispatch.abs Unchecked.defaultof<MathDispatch> x
    /// Power: tensor ** float, tensor ** int, tensor ** tensor, float ** tensor, float ** float.
    let inline ( ** ) x y = Dispatch.pow Unchecked.defaultof<MathDispatch> x y

    /// Column i of a batch [N, n] as a vector [N] (e.g. `col 0 q` is the first coordinate of every state).
    let col (i: int) (x: torch.Tensor) = x.select(1, int64 i)

    /// Sum over the coordinates of a batch [N, n] → [N] (e.g. `total (p ** 2.0) / 2.0` is the kinetic energy).
    let total (x: torch.Tensor) = x.sum(1L)
