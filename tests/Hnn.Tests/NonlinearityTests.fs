module Hnn.Tests.NonlinearityTests

open Expecto
open Hnn.Models
open TorchSharp

[<Tests>]
let tests =
    testList "nonlinearities" [
        test "tanh computed as 2σ(2x) − 1 equals torch's tanh to float32 rounding over [−20, 20]" {
            use _scope = torch.NewDisposeScope()
            let x = torch.linspace(-20.0, 20.0, 400001L)
            let gap = (Nonlinearity.Tanh.Apply x - x.tanh()).abs().max().item<float32> ()
            Expect.isLessThanOrEqual gap 2e-7f "max |2σ(2x) − 1 − tanh x| (float32)"
        }

        test "tanh computed as 2σ(2x) − 1 equals torch's tanh to float64 rounding" {
            use _scope = torch.NewDisposeScope()
            let x = torch.linspace(-20.0, 20.0, 400001L, dtype = torch.ScalarType.Float64)
            let gap = (Nonlinearity.Tanh.Apply x - x.tanh()).abs().max().item<float> ()
            Expect.isLessThanOrEqual gap 1e-15 "max |2σ(2x) − 1 − tanh x| (float64)"
        }

        test "tanh's derivative from its value, 1 − tanh², matches autograd" {
            use _scope = torch.NewDisposeScope()
            let x = torch.linspace(-5.0, 5.0, 1001L, dtype = torch.ScalarType.Float64).requires_grad_(true)
            let y = Nonlinearity.Tanh.Apply x
            let grad = torch.autograd.grad([| y.sum() |], [| x |])[0]
            let written = Nonlinearity.Tanh.Derivative(x, y.detach())
            let gap = (grad - written).abs().max().item<float> ()
            Expect.isLessThanOrEqual gap 1e-14 "max |autograd − (1 − y²)|"
        }
    ]
