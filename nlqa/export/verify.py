"""``nlqa ask --verify``: build the network in PyTorch (and Keras, when installed) and compare.

The network is written by :mod:`nlqa.export.code` and run here: each layer's parameters and output
shape, as the framework reports them, beside the count nlqa's core makes under that framework's
convention. torch and keras are imported only inside this module's functions (the optional extra
``verify``); nothing on the plain ``nlqa ask`` path imports this module.
"""

from __future__ import annotations

import importlib.util
import math
import os
from dataclasses import dataclass, field
from typing import Any

from ..core.spec import NetworkSpec
from ..errors import ExportError, NlqaError
from .code import Exported, export

INSTALL = ("pip install torch==2.13.0 (PyTorch), or pip install 'nlqa[verify]' (PyTorch, and Keras with the "
           "JAX backend)")
STEPS = 5          # time steps of the sample input when the question gives none
BATCH = 2
NAMES = {"pytorch": "PyTorch", "keras": "Keras"}


class FrameworkMissing(NlqaError):
    """Neither PyTorch nor Keras can be imported."""

    def __str__(self) -> str:
        return ("--verify builds the network in PyTorch or Keras, and neither is installed. Install them "
                "with: " + INSTALL)


@dataclass(frozen=True)
class LayerCheck:
    index: int                 # 1-based as listed (0: a layer nlqa implies, e.g. a Flatten)
    kind: str
    nlqa: int
    framework: int
    nlqa_shape: tuple
    framework_shape: tuple

    @property
    def agrees(self) -> bool:
        return self.nlqa == self.framework and tuple(self.nlqa_shape) == tuple(self.framework_shape)


@dataclass(frozen=True)
class FrameworkCheck:
    framework: str
    layers: tuple[LayerCheck, ...] = ()
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)   # quantity -> (nlqa, framework)
    refused: str = ""          # why the framework cannot express the network
    input: tuple = ()          # the sample input it was run on (no batch axis, channels last)

    @property
    def agrees(self) -> bool:
        return not self.refused and all(c.agrees for c in self.layers) and all(a == b for a, b in self.totals.values())

    def to_dict(self) -> dict[str, Any]:
        return {"framework": self.framework, "agrees": self.agrees, "refused": self.refused or None,
                "input": list(self.input),
                "layers": [{"index": c.index, "kind": c.kind, "nlqa": c.nlqa, "framework": c.framework,
                            "nlqa_shape": list(c.nlqa_shape), "framework_shape": list(c.framework_shape)}
                           for c in self.layers],
                "totals": {k: {"nlqa": a, "framework": b} for k, (a, b) in self.totals.items()}}


def installed() -> tuple[str, ...]:
    """The frameworks this interpreter can import (without importing them)."""
    out = []
    if importlib.util.find_spec("torch") is not None:
        out.append("pytorch")
    if importlib.util.find_spec("keras") is not None and _keras_backend() is not None:
        out.append("keras")
    return tuple(out)


def _keras_backend() -> str | None:
    """The Keras backend to use: KERAS_BACKEND when set, else JAX, else PyTorch, when installed."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    for backend, module in (("jax", "jax"), ("torch", "torch"), ("tensorflow", "tensorflow")):
        if importlib.util.find_spec(module) is not None:
            return backend
    return None


def verify(spec: NetworkSpec, frameworks: tuple[str, ...] | None = None) -> list[FrameworkCheck]:
    """Build ``spec`` in each framework (default: those installed) and compare, layer by layer."""
    frameworks = installed() if frameworks is None else frameworks
    if not frameworks:
        raise FrameworkMissing()
    out = []
    for framework in frameworks:
        try:
            exported = export(spec, framework, steps=STEPS)
        except ExportError as exc:
            out.append(FrameworkCheck(framework, refused=exc.problem))
            continue
        run = run_pytorch if framework == "pytorch" else run_keras
        out.append(run(exported))
    return out


def _check(exported: Exported, measured: list[tuple[int, tuple]], totals: dict[str, int]) -> FrameworkCheck:
    layers = tuple(LayerCheck(c.index, c.spec.kind, c.params, params, tuple(c.output_shape), shape)
                   for c, (params, shape) in zip(exported.count.layers, measured))
    ours = exported.count.totals
    return FrameworkCheck(exported.framework, layers, {k: (ours[k], v) for k, v in totals.items()},
                          input=tuple(exported.count.spec.input))


def run_pytorch(exported: Exported) -> FrameworkCheck:
    """Run the exported PyTorch definition: each member's parameters, each layer's output shape."""
    import torch
    space: dict[str, Any] = {}
    exec(compile(exported.definition, "<nlqa --code pytorch>", "exec"), space)   # nlqa's own generated code
    model = space["model"].eval()
    x = _torch_input(torch, exported)
    measured = []
    with torch.no_grad():
        whole = model(x)
        for lines, (member,), layout in zip(exported.forward, exported.members, exported.layouts):
            scope = {"x": x, "self": model, "torch": torch}
            for line in lines:
                exec(line, scope)
            x = scope["x"]
            shape = tuple(x.shape[1:])
            if layout == "first" and len(shape) > 1:
                shape = shape[1:] + shape[:1]
            measured.append((sum(p.numel() for p in getattr(model, member).parameters()), shape))
    if tuple(whole.shape) != tuple(x.shape):
        raise AssertionError(f"the exported forward gives {tuple(whole.shape)}, its layers {tuple(x.shape)}")
    params = list(model.parameters())
    totals = {"total_parameters": sum(p.numel() for p in params),
              "trainable_parameters": sum(p.numel() for p in params if p.requires_grad)}
    return _check(exported, measured, totals)


def _torch_input(torch, exported: Exported):
    shape = tuple(exported.count.spec.input)
    if exported.count.layers and exported.count.layers[0].spec.kind == "Embedding":
        return torch.zeros((BATCH,) + shape, dtype=torch.long)
    if exported.input_layout == "first" and len(shape) > 1:
        shape = shape[-1:] + shape[:-1]
    return torch.randn((BATCH,) + shape)


def run_keras(exported: Exported) -> FrameworkCheck:
    """Run the exported Keras definition: each layer's parameters and symbolic output shape."""
    backend = _keras_backend()
    if backend:
        os.environ.setdefault("KERAS_BACKEND", backend)
    importlib.import_module("keras")      # the definition imports it too; first here, so a failure is plain
    space: dict[str, Any] = {}
    exec(compile(exported.definition, "<nlqa --code keras>", "exec"), space)   # nlqa's own generated code
    model = space["model"]
    measured = []
    for positions in exported.members:
        group = [model.layers[p] for p in positions]
        measured.append((sum(layer.count_params() for layer in group), tuple(group[-1].output.shape[1:])))
    totals = {"total_parameters": model.count_params(),
              "trainable_parameters": sum(math.prod(w.shape) for w in model.trainable_weights)}
    return _check(exported, measured, totals)
