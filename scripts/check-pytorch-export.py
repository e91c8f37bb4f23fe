#!/usr/bin/env python3
"""Loads weights written by `hnn export --format pytorch` into the reference implementation's class layout
(greydanus/hamiltonian-nn: HNN(input_dim, differentiable_model=MLP(...), ...)) and compares that model's outputs
with the values hnn wrote beside them (`--check-values`).

    hnn export --model results/models/spring-hnn.json --format pytorch spring-hnn.pt --check-values spring-hnn.check.json
    python3 scripts/check-pytorch-export.py spring-hnn.pt spring-hnn.check.json [resaved.pt]

With a third argument it also saves the loaded model's state dict there with torch.save, a file written by PyTorch
itself for `hnn import` to read back (the other direction).

Needs PyTorch (Debian: `apt-get install python3-torch`, then run it with /usr/bin/python3). The two classes below are
written for this check with the reference's attribute names (differentiable_model; linear1, linear2, linear3 without
bias), so that `load_state_dict(strict=True)` accepts exactly the reference's keys and shapes; their fields follow the
paper: dx/dt = grad F1 (conservative) + M grad F2 (solenoidal), M = [[0, I], [-I, 0]].
Exit code 0 when every output agrees to float32 round-off (relative 1e-4 of the largest value), else 1.
"""

import json
import sys

import torch

NONLINEARITIES = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "softplus": torch.nn.functional.softplus,
    "selu": torch.nn.functional.selu,
    "elu": torch.nn.functional.elu,
    "swish": lambda x: x * torch.sigmoid(x),
}


class MLP(torch.nn.Module):
    """Two hidden layers; the output layer has no bias."""

    def __init__(self, input_dim, hidden_dim, output_dim, nonlinearity="tanh"):
        super().__init__()
        self.linear1 = torch.nn.Linear(input_dim, hidden_dim)
        self.linear2 = torch.nn.Linear(hidden_dim, hidden_dim)
        self.linear3 = torch.nn.Linear(hidden_dim, output_dim, bias=False)
        self.sigma = NONLINEARITIES[nonlinearity]

    def forward(self, x):
        return self.linear3(self.sigma(self.linear2(self.sigma(self.linear1(x)))))


def structure(n, canonical):
    """M with dx/dt = M grad H: canonical [[0, I], [-I, 0]], or the antisymmetric sign pattern for other coordinates."""
    m = torch.zeros(n, n)
    if canonical:
        h = n // 2
        m[:h, h:] = torch.eye(h)
        m[h:, :h] = -torch.eye(h)
        return m
    for i in range(n):
        for j in range(n):
            if i != j:
                sign = (-1) ** ((i % 2 == 0) + (j % 2 == 0) + (j > i))
                m[i, j] = float(sign)
    return m


class HNN(torch.nn.Module):
    """The network is stored as `differentiable_model`; M is a plain attribute, so it is not in the state dict."""

    def __init__(self, input_dim, differentiable_model, field_type="solenoidal", baseline=False,
                 assume_canonical_coords=True):
        super().__init__()
        self.differentiable_model = differentiable_model
        self.baseline = baseline
        self.field_type = field_type
        self.M = structure(input_dim, assume_canonical_coords)

    def time_derivative(self, x):
        if self.baseline:
            return self.differentiable_model(x)
        x = x.detach().requires_grad_(True)
        out = self.differentiable_model(x)
        field = torch.zeros_like(x)
        if self.field_type != "solenoidal":
            field = field + torch.autograd.grad(out[:, 0].sum(), x, retain_graph=True)[0]
        if self.field_type != "conservative":
            field = field + torch.autograd.grad(out[:, 1].sum(), x)[0] @ self.M.t()
        return field.detach()


def load(path):
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch older than 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


def main(weights_path, values_path, resaved_path=None):
    with open(values_path) as f:
        values = json.load(f)
    ref = values["reference"]
    model = HNN(ref["input_dim"],
                differentiable_model=MLP(ref["input_dim"], ref["hidden_dim"], ref["output_dim"], ref["nonlinearity"]),
                field_type=ref["field_type"], baseline=ref["baseline"],
                assume_canonical_coords=ref["assume_canonical_coords"])
    state = load(weights_path)
    print(f"torch {torch.__version__}; {weights_path}: " +
          ", ".join(f"{k} {list(v.shape)} {str(v.dtype).replace('torch.', '')}" for k, v in state.items()))
    model.load_state_dict(state, strict=True)  # raises on any missing, unexpected or mis-shaped key
    print(f"loaded into {ref['constructor']} (strict: keys and shapes are the reference's)")

    x = torch.tensor(values["states"], dtype=torch.float32)
    with torch.no_grad():
        outputs = model.differentiable_model(x)
    derivatives = model.time_derivative(x)
    ok = True
    for name, ours, theirs in [("network outputs", values["network_outputs"], outputs),
                               ("time derivatives", values["time_derivatives"], derivatives)]:
        ours = torch.tensor(ours, dtype=torch.float64)
        theirs = theirs.to(torch.float64)
        diff = (ours - theirs).abs().max().item()
        scale = ours.abs().max().item()
        good = diff <= 1e-4 * max(scale, 1e-12)
        ok = ok and good
        print(f"{name}: {ours.shape[0]} states x {ours.shape[1]}, max |hnn - torch| = {diff:.3e}, "
              f"max |value| = {scale:.3e}, relative {diff / max(scale, 1e-12):.3e}: {'agree' if good else 'DIFFER'}")
    if resaved_path is not None:
        torch.save(model.state_dict(), resaved_path)
        print(f"saved the state dict again with torch.save: {resaved_path}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
