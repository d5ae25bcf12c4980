"""Re-verify every gold of the real-question corpus by building the network in PyTorch or Keras.

Run it with an interpreter that has the oracles (never nlqa's own venv: torch and keras are not
runtime dependencies)::

    python3 -m venv /tmp/oracle && /tmp/oracle/bin/pip install torch==2.13.0 keras jax jaxlib
    KERAS_BACKEND=jax /tmp/oracle/bin/python corpus/real/verify_golds.py corpus/real/*.jsonl

Each answered item carries ``"verify": "<oracle>: <code>"``:

- ``torch: <code>`` / ``keras: <code>``: Python evaluated with ``torch``, ``nn``, ``F``, ``keras``,
  ``layers`` (keras.layers), ``math`` and the helpers below in scope. One expression, or several
  statements that assign ``result``. The result is compared with ``expect.value``:
  a model or layer is counted for the item's quantity (total, trainable, non-trainable, weights,
  biases, connections, the parameters of one layer); a number or a shape is compared as it is.
- ``arith: <code>``: plain arithmetic on counts stated by a framework elsewhere (memory in bytes
  from a verified count, say); allowed only for memory quantities.
- ``torch-flops: <code>``: for the quantities ``macs`` and ``flops``. Statements that define ``model``
  and ``inputs`` (a tuple: ``model(*inputs)`` is run) or a function ``forward()``; the pass is run under
  ``torch.utils.flop_counter.FlopCounterMode`` (no_grad). Its total is the FLOPs (2 per multiply-
  accumulate, bias adds and elementwise operations ignored: nlqa's convention), half of it the MACs.
  FlopCounterMode counts 0 for ``nn.LSTM`` on CPU (a fused kernel): unroll ``nn.LSTMCell`` instead.

Items whose gold is ``needs_clarification`` or ``unsupported`` carry ``"verify": "none: <why>"``.

Helpers: ``P(m)`` all parameters, ``T(m)`` trainable, ``NT(m)`` non-trainable (Keras
non-trainable weights; PyTorch parameters with requires_grad False), ``W(m)`` weights only
(every parameter that is not a bias), ``B(m)`` biases only, ``kb(layer, shape)`` builds a
Keras layer on an input shape without batch, ``out(m, *shape)`` the output shape of a forward
pass on zeros with batch 1, without the batch dimension and channels-last for PyTorch images.

Exit status: 0 when every gold is reproduced, 1 otherwise (each failure is printed).
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

MODULE_QUANTITIES = {"total_parameters", "trainable_parameters", "non_trainable_parameters", "weights",
                     "biases", "connections", "layer_parameters"}
ARITH_QUANTITIES = {"memory_bytes", "training_memory_bytes"}
FLOPS_QUANTITIES = {"macs", "flops"}


def _is_torch(m) -> bool:
    return hasattr(m, "named_parameters")


def _keras_weights(m):
    return list(m.weights)


def P(m) -> int:
    if _is_torch(m):
        return sum(p.numel() for p in m.parameters())
    return int(sum(math.prod(w.shape) for w in _keras_weights(m)))


def T(m) -> int:
    if _is_torch(m):
        return sum(p.numel() for p in m.parameters() if p.requires_grad)
    return int(sum(math.prod(w.shape) for w in m.trainable_weights))


def NT(m) -> int:
    if _is_torch(m):
        return sum(p.numel() for p in m.parameters() if not p.requires_grad)
    return int(sum(math.prod(w.shape) for w in m.non_trainable_weights))


def _named(m):
    if _is_torch(m):
        return [(n, p.numel()) for n, p in m.named_parameters()]
    return [(w.path if hasattr(w, "path") else w.name, int(math.prod(w.shape))) for w in _keras_weights(m)]


def B(m) -> int:
    return sum(n for name, n in _named(m) if "bias" in name.split("/")[-1].split(".")[-1])


def W(m) -> int:
    return sum(n for name, n in _named(m) if "bias" not in name.split("/")[-1].split(".")[-1])


def kb(layer, shape):
    """A Keras layer built on ``shape`` (no batch dimension); returns the layer."""
    layer.build((None, *shape))
    return layer


def out(m, *shape):
    """Output shape of one forward pass on zeros, batch 1, without the batch dimension."""
    if _is_torch(m):
        import torch
        with torch.no_grad():
            y = m(torch.zeros(1, *shape))
        if isinstance(y, tuple):
            y = y[0]
        dims = list(y.shape[1:])
        return dims[1:] + dims[:1] if len(dims) in (3, 4) and len(shape) == len(dims) and len(shape) >= 3 else dims
    import numpy as np
    y = m(np.zeros((1, *shape), dtype="float32"))
    return [int(d) for d in y.shape[1:]]


def _namespace() -> dict:
    ns = {"math": math, "P": P, "T": T, "NT": NT, "W": W, "B": B, "kb": kb, "out": out}
    try:
        import torch
        from torch import nn
        import torch.nn.functional as F
        ns.update(torch=torch, nn=nn, F=F)
    except ImportError:
        pass
    try:
        import keras
        from keras import layers
        ns.update(keras=keras, layers=layers)
    except ImportError:
        pass
    return ns


def run(code: str, ns: dict):
    if "result" in code and ("\n" in code or ";" in code or "result =" in code):
        scope = dict(ns)
        exec(code, scope)
        return scope["result"]
    return eval(code, dict(ns))


def flop_count(code: str, ns: dict) -> int:
    """torch.utils.flop_counter's total for the forward pass ``code`` sets up (see the docstring)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    scope = dict(ns)
    exec(code, scope)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        if "forward" in scope:
            scope["forward"]()
        else:
            scope["model"](*scope["inputs"])
    return counter.get_total_flops()


def measured_flops(code: str, ns: dict, quantity: str) -> int:
    flops = flop_count(code, ns)
    if quantity == "flops":
        return flops
    if flops % 2:
        raise ValueError(f"an odd FLOP count {flops} is no whole number of MACs")
    return flops // 2


def measured(result, quantity: str):
    if isinstance(result, (int, float, list, tuple)) or type(result).__name__ in ("int64", "int32"):
        return list(result) if isinstance(result, tuple) else result
    if quantity in ("total_parameters", "layer_parameters"):
        return P(result)
    if quantity == "trainable_parameters":
        return T(result)
    if quantity == "non_trainable_parameters":
        return NT(result)
    if quantity in ("weights", "connections"):
        return W(result)
    if quantity == "biases":
        return B(result)
    raise ValueError(f"a model cannot give the quantity {quantity!r}; make the code compute the number")


def check(item: dict, ns: dict) -> str | None:
    """None when the item's gold is reproduced, else what went wrong."""
    expect = item.get("expect") or {}
    verify = item.get("verify")
    for field in ("id", "question", "source", "category"):
        if not item.get(field):
            return f"no {field}"
    if not isinstance(verify, str) or ":" not in verify:
        return "no verify field of the form '<oracle>: <code>'"
    oracle, code = (part.strip() for part in verify.split(":", 1))
    if expect.get("status") != "answered":
        return None if oracle == "none" and code else "an unanswerable item needs 'none: <why>'"
    if oracle not in ("torch", "keras", "arith", "torch-flops"):
        return f"unknown oracle {oracle!r}"
    if oracle == "arith" and expect.get("quantity") not in ARITH_QUANTITIES:
        return "arith is allowed only for memory quantities"
    if (oracle == "torch-flops") != (expect.get("quantity") in FLOPS_QUANTITIES):
        return "macs and flops golds are verified with torch-flops, and torch-flops verifies only those"
    if oracle.split("-")[0] in ns.get("_missing", ()):
        return f"the {oracle} oracle is not installed"
    try:
        if oracle == "torch-flops":
            got = measured_flops(code, ns, expect["quantity"])
        else:
            got = measured(run(code, ns), expect.get("quantity", ""))
    except Exception as exc:  # a broken verify line is a finding, not a crash of the whole run
        return f"{type(exc).__name__}: {exc}"
    if isinstance(got, float) and got.is_integer():
        got = int(got)
    want = expect.get("value")
    return None if got == want else f"oracle gives {got!r}, gold is {want!r}"


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted(Path(__file__).parent.glob("*.jsonl"))
    ns = _namespace()
    ns["_missing"] = {name for name, mod in (("torch", "torch"), ("keras", "keras")) if mod not in ns}
    failures, checked = 0, 0
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            problem = check(item, ns)
            checked += 1
            if problem:
                failures += 1
                print(f"{path}:{number}: {item.get('id')}: {problem}")
    print(f"{checked} golds checked, {failures} not reproduced")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
