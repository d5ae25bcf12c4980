"""The answer to 'how many FLOPs / MACs does this network need?': per-layer MACs, the total, the convention.

The counting is nlqa.core.flops's (one formula per layer kind, on the counted shapes); this module
puts the stated sequence length and batch into the network, writes the derivation, states the
convention of ``grammars/flops.toml`` in every answer and lists the other common readings
(MACs reported as "FLOPs", bias adds counted).
"""

from __future__ import annotations

from typing import Any

from .core import NetworkCount, count_network
from .core.flops import NetworkOps, SequenceLengthNeeded, count_macs
from .core.spec import NetworkSpec
from .errors import SpecError
from .reader.extraction import Extraction
from .resources import load_toml

FLOPS_QUANTITIES = ("macs", "flops")
SEQUENCE_KINDS = ("TokenEmbeddings", "Embedding", "SimpleRNN", "LSTM", "GRU", "MultiHeadAttention",
                  "TransformerEncoderLayer", "TransformerDecoderLayer", "GPTBlock", "TransformerBlock")


def convention_text() -> str:
    table = load_toml("flops.toml")
    return table["statement"].format(per=table["flops_per_mac"])


def at_sequence(spec: NetworkSpec, tokens: int | None) -> NetworkSpec:
    """``spec`` with its sequence axis set to ``tokens``: (None, F) → (T, F); a model's token input (P,)
    → (T,) (a preset's input is its maximum length, never the length of this forward pass)."""
    shape = tuple(spec.input or ())
    first = spec.layers[0].kind if spec.layers else ""
    if first == "TokenEmbeddings":
        return spec.with_(input=(tokens,))
    if tokens is None:
        return spec
    if len(shape) == 2 and (shape[0] is None or first in SEQUENCE_KINDS):
        return spec.with_(input=(tokens, shape[1]))
    if len(shape) == 1 and first in ("Embedding",):
        return spec.with_(input=(tokens,))
    if len(shape) == 1 and first in SEQUENCE_KINDS:
        return spec.with_(input=(tokens, shape[0]))
    return spec


def _layer_steps(ops: NetworkOps, label_of) -> list[str]:
    steps = []
    for row in ops.layers:
        c, o = row.count, row.ops
        name = f"Layer {c.index}" if c.index else "Implied layer"
        head = f"{name} — {label_of(c)}"
        if not o.terms:
            steps.append(head + ": 0 MACs (elementwise or lookup, not counted)" if c.spec.kind not in ("Flatten",)
                         else head + ": 0 MACs")
            continue
        steps.append(f"{head}: formula {o.formula}")
        steps += [f"  {t.label}: {t.expression}" for t in o.terms]
        if o.per_step is not None:
            steps.append(f"  per time step: {o.per_step:,} MACs; over {o.steps:,} steps: {o.steps:,} × "
                         f"{o.per_step:,} = {o.macs:,}")
        elif len(o.terms) > 1:
            steps.append(f"  layer MACs: {' + '.join(f'{t.value:,}' for t in o.terms)} = {o.macs:,}")
        else:
            steps.append(f"  layer MACs: {o.macs:,}")
    return steps


def _si(n: int) -> str:
    """4,089,184,256 → '4.09 G' (the prefixes FLOP counts are quoted with: k, M, G, T, P)."""
    for size, prefix in ((10**15, "P"), (10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if n >= size:
            return f"{n / size:.3g} {prefix}"
    return f"{n} "


def _alternatives(quantity: str, macs: int, bias: int, per: int, value: int) -> list[dict]:
    table = load_toml("flops.toml")["alternatives"]
    if quantity == "flops":
        readings = [(table["flops_as_macs"], macs), (table["flops_with_bias"], per * macs + bias)]
    else:
        readings = [(table["macs_as_flops"], per * macs), (table["macs_with_bias"], macs + bias)]
    out: list[dict] = []
    for reading, alt in readings:
        if alt != value and all(a["value"] != alt for a in out):
            out.append({"reading": reading, "value": alt})
    return out


def _other_readings(x: Extraction, tokens: int | None, batch: int, quantity: str, value: int) -> list[dict]:
    """The reader's other readings of the layers ("without the pooler"), counted in MACs or FLOPs, when
    they can be and differ. Readings of the input or of the framework's bias convention are left out:
    the sequence the question states, or the bias sets, would not be what they name."""
    per = load_toml("flops.toml")["flops_per_mac"]
    out: list[dict] = []
    main = x.spec
    for alt in x.alternatives:
        if alt.spec is None or alt.quantity is not None or alt.minus_terms or alt.layers_removed:
            continue
        if main is None or alt.spec.input != main.input or alt.spec.framework != main.framework:
            continue
        try:
            macs = count_macs(count_network(at_sequence(alt.spec, tokens))).macs * batch
        except SpecError:
            continue
        alt_value = macs if quantity == "macs" else per * macs
        if alt_value != value and all(a["value"] != alt_value for a in out):
            out.append({"reading": alt.reading, "value": alt_value})
    return out


def flops_answer(x: Extraction, count: NetworkCount, label_of, network_dict) -> dict[str, Any]:
    """The fields of the Answer for a MACs or FLOPs question (status, value, steps, assumptions...)."""
    settings = x.operations or {}
    table = load_toml("flops.toml")
    per = table["flops_per_mac"]
    tokens = 1 if settings.get("per_step") else settings.get("sequence")
    assumptions = list(x.assumptions)
    if settings.get("lengths") and not settings.get("per_step"):
        shown = " and ".join(f"{n:,}" for n in settings["lengths"])
        return dict(status="needs_clarification", framework=count.spec.framework,
                    missing=(f"which sequence length the MACs are for (the code sets it to {shown})",),
                    message=f"Understood: {', '.join(x.understood) or 'the network'}. Missing: which sequence length "
                            f"the MACs are for: the code runs it with {shown}, and the count grows with it. Ask again "
                            "with one, e.g. '... for a sequence of 100 tokens ...'.", assumptions=tuple(assumptions))
    try:
        spec = at_sequence(count.spec, tokens)
        counted = count_network(spec) if spec is not count.spec else count
        ops = count_macs(counted)
    except SequenceLengthNeeded as exc:
        return dict(status="needs_clarification", framework=count.spec.framework,
                    missing=("the sequence length (the number of time steps or tokens of one forward pass)",),
                    message=f"Understood: {', '.join(x.understood) or 'the network'}. Missing: the sequence length: "
                            f"{exc.problem} Ask again with it, e.g. '... over sequences of 50 time steps ...' or "
                            "'... for 128 tokens ...'.", assumptions=tuple(assumptions))
    except SpecError as exc:
        understood = ', '.join(x.understood) or 'the network'
        hint = ("Ask again with it, e.g. '... on 32x32 RGB images ...'." if "spatial size" in exc.problem else
                "nlqa counts the MACs of dense, convolution, recurrent, attention and transformer layers and of "
                "ResNet stages; ask about a network made of those.")
        return dict(status="needs_clarification", framework=count.spec.framework, missing=(str(exc),),
                    message=f"Understood: {understood}. Missing: {exc} {hint}", assumptions=tuple(assumptions))
    batch = settings.get("batch") or 1
    macs, bias = ops.macs * batch, ops.bias_adds * batch
    steps = _layer_steps(ops, label_of)
    rows = [r.ops.macs for r in ops.layers if r.ops.terms]
    line = f"Total MACs: {' + '.join(f'{v:,}' for v in rows)} = {ops.macs:,}" if len(rows) > 1 else \
        f"Total MACs: {ops.macs:,}"
    steps.append(line)
    if batch != 1:
        steps.append(f"Batch of {batch}: {batch} × {ops.macs:,} = {macs:,} MACs")
    steps.append(f"FLOPs: {per} × {macs:,} = {per * macs:,} (1 MAC = {per} FLOPs)")
    if per * macs >= 10**6:
        steps.append(f"≈ {_si(macs)}MACs = {_si(per * macs)}FLOPs")
    if bias:
        steps.append(f"Bias adds (not counted): {bias:,}")
    quantity = x.quantity
    value = macs if quantity == "macs" else per * macs
    asked = settings.get("asked") or [quantity]
    values = {"macs": macs, "flops": per * macs}
    parts = tuple({"quantity": q, "value": values[q], "layer": None} for q in asked) if len(asked) > 1 else ()
    assumptions.append("convention: " + convention_text())
    assumptions.append(table["torch_relation"])
    if settings.get("per_step"):
        assumptions.append(table["per_step"]["note"])
    elif tokens is not None and any(r.count.spec.kind in SEQUENCE_KINDS for r in ops.layers):
        assumptions.append(f"sequence length {tokens:,} as the question says")
    if batch == 1:
        assumptions.append("batch 1 (one input), a forward pass only")
    alternatives = _alternatives(quantity, macs, bias, per, value) + _other_readings(x, tokens, batch, quantity, value)
    network = network_dict(counted)
    for row, layer_ops in zip(network["layers"], ops.layers):
        row["macs"], row["flops"] = layer_ops.ops.macs * batch, per * layer_ops.ops.macs * batch
    totals = dict(counted.totals, macs=macs, flops=per * macs, bias_adds=bias)
    return dict(status="answered", value=value, unit=None, framework=counted.spec.framework, steps=tuple(steps),
                assumptions=tuple(assumptions), alternatives=tuple(alternatives),
                network=network, totals=totals, parts=parts,
                tip="A MAC is one multiply and one add: FLOPs = 2 × MACs. thop, ptflops and fvcore print MACs "
                    "and often call them FLOPs; torch.utils.flop_counter prints FLOPs (2 per MAC).")
