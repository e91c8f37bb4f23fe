// Elementary functions that read like math on TorchSharp tensors and on floats alike, so a Hamiltonian can be
// written as `p ** 2.0 / 2.0 + 1.0 - cos q`.
namespace Hnn

open System
open TorchSharp
open Hnn.Tensors

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
    static member ElementwisePow(x: torch.Tensor, y: float) = x.Power y
    static member ElementwisePow(x: torch.Tensor, y: int) = x.Power(float y)
    static member ElementwisePow(x: torch.Tensor, y: torch.Tensor) = x.pow y
    static member ElementwisePow(x: float, y: torch.Tensor) = y.FullLike(x).pow y

/// The overloads behind TensorMath's `+`, `-`, `*` and `/`: tensor with tensor, tensor with a number (through
/// `Hnn.Tensors.Scalars`, which keeps TorchSharp's native Scalar alive for the call: TorchSharp's own operators do
/// not, see docs/torchsharp-scalars.md), and the usual .NET types with themselves.
[<AbstractClass; Sealed>]
type ArithmeticDispatch =
    static member Add(x: torch.Tensor, y: torch.Tensor) = x.Plus y
    static member Add(x: torch.Tensor, y: float) = x.Plus y
    static member Add(x: float, y: torch.Tensor) = y.Plus x
    static member Add(x: torch.Tensor, y: float32) = x.Plus(float y)
    static member Add(x: float32, y: torch.Tensor) = y.Plus(float x)
    static member Add(x: torch.Tensor, y: int) = x.Plus(float y)
    static member Add(x: int, y: torch.Tensor) = y.Plus(float x)
    static member Subtract(x: torch.Tensor, y: torch.Tensor) = x.sub y
    static member Subtract(x: torch.Tensor, y: float) = x.Minus y
    static member Subtract(x: float, y: torch.Tensor) = y.Subtracted x
    static member Subtract(x: torch.Tensor, y: float32) = x.Minus(float y)
    static member Subtract(x: float32, y: torch.Tensor) = y.Subtracted(float x)
    static member Subtract(x: torch.Tensor, y: int) = x.Minus(float y)
    static member Subtract(x: int, y: torch.Tensor) = y.Subtracted(float x)
    static member Multiply(x: torch.Tensor, y: torch.Tensor) = x.mul y
    static member Multiply(x: torch.Tensor, y: float) = x.Times y
    static member Multiply(x: float, y: torch.Tensor) = y.Times x
    static member Multiply(x: torch.Tensor, y: float32) = x.Times(float y)
    static member Multiply(x: float32, y: torch.Tensor) = y.Times(float x)
    static member Multiply(x: torch.Tensor, y: int) = x.Times(float y)
    static member Multiply(x: int, y: torch.Tensor) = y.Times(float x)
    static member Divide(x: torch.Tensor, y: torch.Tensor) = x.div y
    static member Divide(x: torch.Tensor, y: float) = x.DividedBy y
    static member Divide(x: float, y: torch.Tensor) = y.Dividing x
    static member Divide(x: torch.Tensor, y: float32) = x.DividedBy(float y)
    static member Divide(x: float32, y: torch.Tensor) = y.Dividing(float x)
    static member Divide(x: torch.Tensor, y: int) = x.DividedBy(float y)
    static member Divide(x: int, y: torch.Tensor) = y.Dividing(float x)
    static member Add(x: float, y: float) = Operators.(+) x y
    static member Add(x: float32, y: float32) = Operators.(+) x y
    static member Add(x: decimal, y: decimal) = Operators.(+) x y
    static member Add(x: int, y: int) = Operators.(+) x y
    static member Add(x: int64, y: int64) = Operators.(+) x y
    static member Add(x: int16, y: int16) = Operators.(+) x y
    static member Add(x: sbyte, y: sbyte) = Operators.(+) x y
    static member Add(x: byte, y: byte) = Operators.(+) x y
    static member Add(x: uint16, y: uint16) = Operators.(+) x y
    static member Add(x: uint32, y: uint32) = Operators.(+) x y
    static member Add(x: uint64, y: uint64) = Operators.(+) x y
    static member Add(x: nativeint, y: nativeint) = Operators.(+) x y
    static member Add(x: unativeint, y: unativeint) = Operators.(+) x y
    static member Add(x: bigint, y: bigint) = Operators.(+) x y
    static member Subtract(x: float, y: float) = Operators.(-) x y
    static member Subtract(x: float32, y: float32) = Operators.(-) x y
    static member Subtract(x: decimal, y: decimal) = Operators.(-) x y
    static member Subtract(x: int, y: int) = Operators.(-) x y
    static member Subtract(x: int64, y: int64) = Operators.(-) x y
    static member Subtract(x: int16, y: int16) = Operators.(-) x y
    static member Subtract(x: sbyte, y: sbyte) = Operators.(-) x y
    static member Subtract(x: byte, y: byte) = Operators.(-) x y
    static member Subtract(x: uint16, y: uint16) = Operators.(-) x y
    static member Subtract(x: uint32, y: uint32) = Operators.(-) x y
    static member Subtract(x: uint64, y: uint64) = Operators.(-) x y
    static member Subtract(x: nativeint, y: nativeint) = Operators.(-) x y
    static member Subtract(x: unativeint, y: unativeint) = Operators.(-) x y
    static member Subtract(x: bigint, y: bigint) = Operators.(-) x y
    static member Multiply(x: float, y: float) = Operators.(*) x y
    static member Multiply(x: float32, y: float32) = Operators.(*) x y
    static member Multiply(x: decimal, y: decimal) = Operators.(*) x y
    static member Multiply(x: int, y: int) = Operators.(*) x y
    static member Multiply(x: int64, y: int64) = Operators.(*) x y
    static member Multiply(x: int16, y: int16) = Operators.(*) x y
    static member Multiply(x: sbyte, y: sbyte) = Operators.(*) x y
    static member Multiply(x: byte, y: byte) = Operators.(*) x y
    static member Multiply(x: uint16, y: uint16) = Operators.(*) x y
    static member Multiply(x: uint32, y: uint32) = Operators.(*) x y
    static member Multiply(x: uint64, y: uint64) = Operators.(*) x y
    static member Multiply(x: nativeint, y: nativeint) = Operators.(*) x y
    static member Multiply(x: unativeint, y: unativeint) = Operators.(*) x y
    static member Multiply(x: bigint, y: bigint) = Operators.(*) x y
    static member Divide(x: float, y: float) = Operators.(/) x y
    static member Divide(x: float32, y: float32) = Operators.(/) x y
    static member Divide(x: decimal, y: decimal) = Operators.(/) x y
    static member Divide(x: int, y: int) = Operators.(/) x y
    static member Divide(x: int64, y: int64) = Operators.(/) x y
    static member Divide(x: int16, y: int16) = Operators.(/) x y
    static member Divide(x: sbyte, y: sbyte) = Operators.(/) x y
    static member Divide(x: byte, y: byte) = Operators.(/) x y
    static member Divide(x: uint16, y: uint16) = Operators.(/) x y
    static member Divide(x: uint32, y: uint32) = Operators.(/) x y
    static member Divide(x: uint64, y: uint64) = Operators.(/) x y
    static member Divide(x: nativeint, y: nativeint) = Operators.(/) x y
    static member Divide(x: unativeint, y: unativeint) = Operators.(/) x y
    static member Divide(x: bigint, y: bigint) = Operators.(/) x y
    static member Add(x: string, y: string) = Operators.(+) x y
    static member Add(x: DateTime, y: TimeSpan) = Operators.(+) x y
    static member Add(x: DateTimeOffset, y: TimeSpan) = Operators.(+) x y
    static member Add(x: TimeSpan, y: TimeSpan) = Operators.(+) x y
    static member Subtract(x: DateTime, y: DateTime) = Operators.(-) x y
    static member Subtract(x: DateTime, y: TimeSpan) = Operators.(-) x y
    static member Subtract(x: DateTimeOffset, y: DateTimeOffset) = Operators.(-) x y
    static member Subtract(x: DateTimeOffset, y: TimeSpan) = Operators.(-) x y
    static member Subtract(x: TimeSpan, y: TimeSpan) = Operators.(-) x y
    static member Multiply(x: TimeSpan, y: float) = Operators.(*) x y
    static member Divide(x: TimeSpan, y: float) = Operators.(/) x y
    static member Divide(x: TimeSpan, y: TimeSpan) = Operators.(/) x y

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
        /// Calls `W.Add`, `X.Add` or `Y.Add`.
        let inline add (_: ^W) (x: ^X) (y: ^Y) : ^R = ((^W or ^X or ^Y): (static member Add: ^X * ^Y -> ^R) (x, y))
        /// Calls `W.Subtract`, `X.Subtract` or `Y.Subtract`.
        let inline subtract (_: ^W) (x: ^X) (y: ^Y) : ^R = ((^W or ^X or ^Y): (static member Subtract: ^X * ^Y -> ^R) (x, y))
        /// Calls `W.Multiply`, `X.Multiply` or `Y.Multiply`.
        let inline multiply (_: ^W) (x: ^X) (y: ^Y) : ^R = ((^W or ^X or ^Y): (static member Multiply: ^X * ^Y -> ^R) (x, y))
        /// Calls `W.Divide`, `X.Divide` or `Y.Divide`.
        let inline divide (_: ^W) (x: ^X) (y: ^Y) : ^R = ((^W or ^X or ^Y): (static member Divide: ^X * ^Y -> ^R) (x, y))
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
    /// Addition: tensor + tensor, tensor + number, number + tensor (Scalars kept alive), and the usual .NET types
    /// (numbers, strings, DateTime/TimeSpan). A type of your own with its own `+` needs `Operators.(+)` where
    /// `Hnn` is open.
    let inline (+) x y = Dispatch.add Unchecked.defaultof<ArithmeticDispatch> x y
    /// Subtraction (as `+`).
    let inline (-) x y = Dispatch.subtract Unchecked.defaultof<ArithmeticDispatch> x y
    /// Multiplication (as `+`).
    let inline (*) x y = Dispatch.multiply Unchecked.defaultof<ArithmeticDispatch> x y
    /// Division (as `+`).
    let inline (/) x y = Dispatch.divide Unchecked.defaultof<ArithmeticDispatch> x y
    /// Power: tensor ** float, tensor ** int, tensor ** tensor, float ** tensor, float ** float.
    let inline ( ** ) x y = Dispatch.pow Unchecked.defaultof<MathDispatch> x y

    /// Column i of a batch [N, n] as a vector [N] (e.g. `col 0 q` is the first coordinate of every state).
    let col (i: int) (x: torch.Tensor) = x.select (1, int64 i)

    /// Sum over the coordinates of a batch [N, n] → [N] (e.g. `total (p ** 2.0) / 2.0` is the kinetic energy).
    let total (x: torch.Tensor) = x.sum (1L)
