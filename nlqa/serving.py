"""The answer to 'KV cache of Llama-2-7B at 4k context' and 'VRAM to serve it': bytes with the derivation.

The counting is nlqa.core.serving's (the cache's shape comes from the counted spec); this module
states the settings used (data type, context, batch) and what is left out.
"""

from __future__ import annotations

from typing import Any

from .core import NetworkCount
from .core.lora import lora_terms
from .core.serving import cache_shape, kv_cache_bytes
from .reader.extraction import Extraction

QUANTIZED = ("int8", "int4")


def lora_answer(x: Extraction, count: NetworkCount) -> dict[str, Any]:
    """Trainable LoRA parameters: r·(d_in + d_out) per adapted matrix and layer, and their share."""
    lora = x.memory["lora"]
    terms = lora_terms(count.spec, lora["rank"], lora["targets"])
    total = count.totals["total_parameters"]
    value = sum(t.value for t in terms)
    steps = [f"LoRA rank r = {lora['rank']} on {', '.join(t + '_proj' for t in lora['targets'])}; the "
             f"{total:,} base parameters are frozen"]
    steps += [f"  {t.label}: {t.expression}" for t in terms]
    steps.append(f"Trainable: {' + '.join(f'{t.value:,}' for t in terms)} = {value:,}" if len(terms) > 1
                 else f"Trainable: {value:,}")
    steps.append(f"Share: {value:,} / ({total:,} + {value:,}) = {100 * value / (total + value):.3f}% of all "
                 f"parameters ({100 * value / total:.3f}% of the base model)")
    return dict(status="answered", value=value, unit=None, framework=count.spec.framework, steps=tuple(steps),
                assumptions=tuple(x.assumptions) + ("the adapters have no biases; the base weights stay frozen",),
                totals=count.totals, tip="A LoRA adapter on a d_in × d_out matrix adds A (d_in × r) and B "
                "(r × d_out): r·(d_in + d_out) trainable parameters.")


def serving_answer(x: Extraction, count: NetworkCount, param_steps: list[str]) -> dict[str, Any]:
    """The fields of the Answer (status, value, steps, assumptions...) for a KV-cache or serving question."""
    from .units import dtype_bytes, readable, weights_bytes

    if x.quantity == "lora_parameters":
        return lora_answer(x, count)

    assumptions = []
    dtype = x.memory.get("dtype")
    if not dtype:
        dtype = "float16"
        assumptions.append("no data type named for the cache: float16 (2 bytes per value), as inference keeps it")
    tokens = x.memory["context"]
    batch = x.memory.get("batch") or 1
    if not x.memory.get("batch"):
        assumptions.append("batch 1 (one sequence)")
    shape = cache_shape(count.spec)
    per = dtype_bytes(dtype)
    cache, steps = kv_cache_bytes(shape, tokens, batch, per)
    steps.insert(0, f"From the configuration: {shape.layers} layers, {shape.kv_heads} key/value heads of width "
                    f"{shape.head_dim}; context {tokens:,} tokens, batch {batch}, {dtype}")
    value = cache
    unit = x.memory.get("unit")
    if x.quantity == "serving_memory_bytes":
        params = count.totals["total_parameters"]
        weights = weights_bytes(params, dtype)
        steps = param_steps + [f"Weights in {dtype}: {params:,} × {per} = {weights:,} B"] + steps
        value = weights + cache
        steps.append(f"Serving total: weights {weights:,} B + KV cache {cache:,} B = {value:,} B")
        if dtype in QUANTIZED:
            assumptions.append(f"{dtype} weights without their quantization scales (and zero points)")
    steps.append(f"= {readable(value, unit)} (MB = 10⁶ B, MiB = 2²⁰ B)")
    assumptions.append("activations and the framework's workspace are left out")
    return dict(status="answered", value=value, unit="B", framework=count.spec.framework, steps=tuple(steps),
                assumptions=tuple(x.assumptions) + tuple(assumptions), totals=count.totals,
                tip="KV cache = 2 × layers × kv_heads × head_dim × tokens × batch × bytes: grouped-query attention "
                    "shrinks it by heads / kv_heads.")
