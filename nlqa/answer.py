"""From a question to an Answer: extraction, counting, derivation, alternatives, follow-ups."""

from __future__ import annotations

from math import prod

import re
from dataclasses import dataclass, field, replace
from typing import Any

from .core import LayerCount, NetworkCount, count_network
from .inferred import implied_square_input
from .core.blocks import KINDS as BLOCK_KINDS
from .errors import SpecError
from .reader.extract import Extraction, extract
from .reader.ledger import account, incomplete, set_against, unread
from .reader.prose.kinds import KIND_NAMES
from .related import related_questions, tip_for

QUANTITY_WORDS = {
    "total_parameters": "parameters",
    "trainable_parameters": "trainable parameters",
    "non_trainable_parameters": "non-trainable parameters",
    "weights": "weights (biases not counted)",
    "biases": "biases",
    "connections": "connections (weights)",
    "layer_parameters": "parameters of one layer",
    "output_shape": "output shape",
    "weight_shape": "weight-matrix shape",
    "output_size": "values in the output (the output shape's product)",
    "neurons": "neurons (hidden and output units)",
    "gate_weights": "weights of one gate",
    "gate_biases": "biases of one gate",
    "gate_parameters": "parameters of one gate",
    "hidden_neurons": "hidden neurons",
    "neurons_with_inputs": "nodes, the input nodes included",
    "recurrent_weights": "recurrent (hidden-to-hidden) weights",
    "input_weights": "input-to-hidden weights",
    "qkv_parameters": "parameters of the query, key and value projections",
    "active_parameters": "active parameters (used per token)",
    "lora_parameters": "trainable LoRA parameters",
    "macs": "MACs (multiply-accumulates of one forward pass)",
    "flops": "FLOPs (of one forward pass)",
}
# the terms a quantity sums, by the end of their labels (nlqa.core): one kind of weight matrix
TERM_QUANTITIES = {"recurrent_weights": ("recurrent weights",), "input_weights": ("input weights",),
                   "qkv_parameters": ("query weights", "key weights", "value weights", "key and value weights",
                                      "query/key/value biases", "query/key biases", "value biases",
                                      "query biases", "key and value biases")}


def _term_in(label: str, quantity: str) -> bool:
    """Whether a term labelled ``label`` ("self-attention key weights × 12 layers") counts in ``quantity``."""
    label = label.split(" × ")[0]
    return any(label == end or label.endswith(" " + end) for end in TERM_QUANTITIES[quantity])
MAX_QUESTION_CHARS = 200_000
MEMORY_QUANTITIES = ("memory_bytes", "training_memory_bytes")
SERVING_QUANTITIES = ("kv_cache_bytes", "serving_memory_bytes", "lora_parameters")
HINTS = (  # what to add, by the first gap named
    ("differs from", "'ResNet-50 with 10 classes' or 'Llama-2-7B with a 64k vocabulary'"),
    ("which one model", "'How many parameters does ResNet-50 have?'"),
    ("the whole model", "'How many parameters does ResNet-50 have?' or 'a transformer block of width 4096 with 32 heads'"),
    ("which model of the family", "'How many parameters does ResNet-50 have?'"),
    ("precision", "'... in fp16 ...' or '... at int8 ...'"),
    ("context length", "'... at 4k context ...' or '... with 8,192 tokens ...'"),
    ("input", "'... takes an input of 10 features ...' or '... on 28x28 RGB images ...'"),
    ("filters", "'... a conv layer with 32 filters of 3x3 ...'"),
    ("kernel", "'... with 3x3 kernels ...'"),
    ("vocabulary", "'... a vocabulary of 10,000 words ...'"),
    ("dimension", "'... 64-dimensional embeddings ...'"),
    ("output", "'... and an output layer of 10 units (10 classes) ...'"),
    ("how many units", "'... an LSTM layer of 64 units ...'"),
    ("how many", "'... three hidden layers of 64 units each ...'"),
)


@dataclass(frozen=True)
class Answer:
    """Everything nlqa says about one question; renderers only read it."""

    question: str
    status: str                      # answered | needs_clarification | unsupported | error
    quantity: str | None = None
    value: Any = None
    unit: str | None = None
    layer: int | None = None
    framework: str = "textbook"
    network: dict | None = None
    totals: dict | None = None
    steps: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    alternatives: tuple[dict, ...] = ()
    missing: tuple[str, ...] = ()
    related_questions: tuple[str, ...] = ()
    tip: str = ""
    message: str = ""
    id: Any = None
    numbers: tuple[dict, ...] = ()   # the ledger: every number of the question and what it became
    parts: tuple[dict, ...] = ()     # each part asked: quantity, value, layer (the first is `value`)
    checks: tuple[dict, ...] = ()    # the asker's own numbers, each explained (nlqa.discrepancy)
    layer_rows: tuple[dict, ...] = field(default=(), compare=False)
    extraction: dict | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "question": self.question, "status": self.status, "quantity": self.quantity,
            "value": self.value, "unit": self.unit, "layer": self.layer, "framework": self.framework,
            "network": self.network, "totals": self.totals, "steps": list(self.steps),
            "assumptions": list(self.assumptions), "alternatives": list(self.alternatives),
            "missing": list(self.missing), "related_questions": list(self.related_questions),
            "tip": self.tip, "message": self.message, "numbers": list(self.numbers),
            "parts": list(self.parts), "checks": list(self.checks),
        }
        if self.id is not None:
            out = {"id": self.id, **out}
        return out



GATE_VALUES = {"gate_weights": ("weights",), "gate_biases": ("biases",), "gate_parameters": ("weights", "biases")}


def value_of(quantity: str, count: NetworkCount, layer: int | None) -> Any:
    """The number (or shape) a quantity names, for the whole network or one listed layer."""
    if quantity in TERM_QUANTITIES:  # one kind of weight matrix of the recurrent layers
        rows = [c for c in count.layers if layer is None or c.index == layer]
        return sum(t.value for c in rows for t in c.terms if _term_in(t.label, quantity))
    if quantity in GATE_VALUES:   # one gate of an LSTM/GRU layer: the layer's share per gate
        from .core.layers import RECURRENT_GATES
        row = next(c for c in count.layers if c.index == layer)
        kinds = GATE_VALUES[quantity]
        return sum(t.value for t in row.terms if t.kind in kinds and "projection" not in t.label) // RECURRENT_GATES[row.spec.kind]
    if quantity in ("neurons", "hidden_neurons", "neurons_with_inputs"):   # nlqa.core.neurons
        from .core.neurons import neurons
        return neurons(count, layer, hidden=quantity == "hidden_neurons", with_inputs=quantity == "neurons_with_inputs")
    if quantity == "output_size":   # "how many neurons are in the output volume": the shape's product
        shape = _shape_value(count.output_shape if layer is None else
                             next(c for c in count.layers if c.index == layer).output_shape)
        return prod(shape) if shape else None
    if quantity == "weight_shape":   # one dense layer's weight matrix (nlqa.core.weightshape)
        from .core.weightshape import weight_matrix
        shape = weight_matrix(next(c for c in count.layers if c.index == layer), count.spec.framework)
        return list(shape) if shape else None
    if layer is not None:
        row = next(c for c in count.layers if c.index == layer)
        return {"weights": row.weights, "connections": row.weights, "biases": row.biases,
                "trainable_parameters": row.trainable, "non_trainable_parameters": row.non_trainable,
                "output_shape": _shape_value(row.output_shape)}.get(quantity, row.params)
    totals = count.totals
    if quantity == "connections":
        return totals["weights"]
    if quantity == "output_shape":
        return _shape_value(count.output_shape)
    return totals.get(quantity, totals["total_parameters"])


def _shape_value(shape) -> list[int] | None:
    if any(side is None for side in shape):
        return None
    return list(shape)


def approx(n: int) -> str:
    """109,482,240 → '109.5M'; 7,000,000,000 → '7.0B'; beyond trillions, scientific notation."""
    if n >= 10**15:
        from decimal import Decimal          # exact: an int beyond the float range has no float
        return f"{Decimal(n):.3e}".replace("E+", "e+")
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "k")):
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(n)


def option_matching(x: Extraction, value: Any) -> str | None:
    """'(a) 620 (b) 1,860 ...' pasted with the question: which option the answer is."""
    import re
    options = []
    for label, _, text in x.mentions:
        if label == "OPTION":
            m = re.search(r"([A-Ea-e]|iv|i{1,3})\W*\s*(\d[\d,]*)\s*$", text)
            if m:
                options.append((m.group(1), int(m.group(2).replace(",", ""))))
    if not options:
        return None
    match = [letter for letter, number in options if number == value]
    if match:
        return f"Of the options given, ({match[0]}) {value:,} is the answer."
    return f"None of the options given ({', '.join(f'{n:,}' for _, n in options)}) equals {value:,}."


def _window(value, kind: str, dims_of: dict) -> str:
    """A kernel or pool as people write it: 3 on a 2-D layer is '3×3'."""
    sides = value if isinstance(value, tuple) else (value,)
    if len(sides) == 1:
        sides = sides * dims_of.get(kind, 1)
    return "×".join(str(k) for k in sides)


def _layer_label(c: LayerCount) -> str:
    from .core.conv import CONV_DIMS, POOL_DIMS
    spec = c.spec
    if spec.kind in BLOCK_KINDS:  # a named model's block: as the model calls it ("stage 2, Bottleneck × 4")
        repeat = f" × {spec.repeat}" if spec.repeat > 1 else ""
        stride = f", stride {spec.strides[0]}" if spec.strides and spec.strides[0] != 1 else ""
        return f"{spec.name or spec.kind} ({spec.kind}{repeat}{', width ' + format(spec.units, ',') if spec.units else ''}{stride})"
    name = KIND_NAMES.get(spec.kind, spec.kind)
    if spec.bidirectional:
        name = f"bidirectional {name}"
    if spec.kernel is not None:
        name += (f", {spec.units} filters of" if spec.units else ",") + " " + _window(spec.kernel, spec.kind, CONV_DIMS)
    elif spec.pool is not None:
        name += ", " + _window(spec.pool, spec.kind, POOL_DIMS) + " window"
    elif spec.kind == "Embedding":
        name += f", {spec.vocab:,} × {spec.units}"
    elif spec.units:
        name += f", {spec.units} unit{'s' if spec.units != 1 else ''}"
    if spec.implicit:
        name += " (implied)"
    return name


def _fmt_shape(shape) -> str:
    """A shape as Python writes it, no thousands separators: (1024, 768); an unknown side is '?',
    except the steps of a (steps, features) sequence, 'T'."""
    sides = ["T" if s is None and len(shape) == 2 and at == 0 else "?" if s is None else str(s)
             for at, s in enumerate(shape)]
    return "(" + ", ".join(sides) + (",)" if len(shape) == 1 else ")")


def derivation(count: NetworkCount, quantity: str, layer: int | None) -> list[str]:
    """The steps a tutor would write: each layer's terms, its total, then the sum."""
    steps = []
    for c in count.layers:
        label = f"Layer {c.index}" if c.index else "Implied layer"
        head = f"{label} — {_layer_label(c)}: input {_fmt_shape(c.input_shape)} → output {_fmt_shape(c.output_shape)}"
        if not c.terms:
            steps.append(head + "; no parameters.")
            continue
        if c.spec.kind in ("SimpleRNN", "LSTM", "GRU", "Dense"):
            i = c.input_shape[-1] if c.input_shape and c.input_shape[-1] is not None else c.spec.in_features
            head += f"; input size i = {i}, units u = {c.spec.units}; formula {c.formula}"
        steps.append(head)
        for t in c.terms:
            steps.append(f"  {t.label}: {t.expression}")
        if len(c.terms) > 1:
            steps.append(f"  layer total: {' + '.join(f'{t.value:,}' for t in c.terms)} = {c.params:,}")
        else:
            steps.append(f"  layer total: {c.params:,}")
    totals = count.totals
    rows = [c for c in count.layers if c.terms]
    if quantity == "output_size":
        shape = count.output_shape if layer is None else next(c for c in count.layers if c.index == layer).output_shape
        steps.append(f"Output shape (no batch dimension): {_fmt_shape(shape)}, holding "
                     + " × ".join(f"{side:,}" for side in shape) + f" = {value_of(quantity, count, layer):,} values")
    elif quantity == "output_shape":
        steps.append(f"Output shape (no batch dimension): {_fmt_shape(count.output_shape if layer is None else next(c for c in count.layers if c.index == layer).output_shape)}")
    elif quantity in TERM_QUANTITIES:
        parts = [t.value for c in rows if layer is None or c.index == layer for t in c.terms
                 if _term_in(t.label, quantity)]
        steps.append(f"{QUANTITY_WORDS[quantity].capitalize()}: " + " + ".join(f"{v:,}" for v in parts)
                     + (f" = {sum(parts):,}" if len(parts) > 1 else ""))
    elif quantity in ("neurons", "hidden_neurons", "neurons_with_inputs"):
        rows = [c for c in count.layers if c.spec.kind == "Dense" and (layer is None or c.index == layer)]
        if quantity == "hidden_neurons" and layer is None:
            rows = rows[:-1]
        steps.append(f"{QUANTITY_WORDS[quantity].capitalize()}: " + " + ".join(f"{c.spec.units:,}" for c in rows)
                     + f" = {value_of(quantity, count, layer):,}")
    elif quantity in GATE_VALUES:
        from .core.layers import RECURRENT_GATES
        row = next(c for c in count.layers if c.index == layer)
        g = RECURRENT_GATES[row.spec.kind]
        whole = sum(t.value for t in row.terms if t.kind in GATE_VALUES[quantity] and "projection" not in t.label)
        steps.append(f"One of the {g} gates of layer {layer}: {whole:,} / {g} = {whole // g:,} "
                     f"{QUANTITY_WORDS[quantity].split(' of ')[0]}")
    elif quantity == "weight_shape":
        from .core.weightshape import orientation
        shape = value_of(quantity, count, layer)
        row = next(c for c in count.layers if c.index == layer)
        steps.append(f"Weight matrix of layer {layer}, written {orientation(count.spec.framework)}: "
                     + (f"{shape[0]:,} × {shape[1]:,} ({row.weights:,} weights)" if shape else "none"))
    elif layer is not None:
        row = next(c for c in count.layers if c.index == layer)
        if quantity in ("weights", "connections", "biases"):
            steps.append(f"Layer {layer} has {value_of(quantity, count, layer):,} {QUANTITY_WORDS[quantity]}.")
        else:
            steps.append(f"Layer {layer} has {row.params:,} parameters.")
    elif quantity in ("weights", "connections"):
        steps.append("Weights: " + " + ".join(f"{c.weights:,}" for c in rows) + f" = {totals['weights']:,}")
    elif quantity == "biases":
        steps.append("Biases: " + " + ".join(f"{c.biases:,}" for c in rows) + f" = {totals['biases']:,}")
    else:
        summed = " + ".join(f"{c.params:,}" for c in rows)
        total_txt = f"{totals['total_parameters']:,}"
        line = f"Total: {summed} = {total_txt}" if len(rows) > 1 else f"Total: {total_txt}"
        if totals["total_parameters"] >= 1_000_000:
            line += f" ≈ {approx(totals['total_parameters'])}"
        steps.append(line)
        if quantity == "active_parameters" and "active_parameters" in totals:
            idle = totals["total_parameters"] - totals["active_parameters"]
            steps.append(f"Active per token: {totals['total_parameters']:,} − {idle:,} (the experts a token is not "
                         f"routed to) = {totals['active_parameters']:,}")
        if quantity == "trainable_parameters" and totals["non_trainable_parameters"] == 0:
            steps.append(f"All {totals['total_parameters']:,} parameters are trainable.")
    return steps


def network_dict(count: NetworkCount) -> dict:
    layers = []
    for c in count.layers:
        row = {"kind": c.spec.kind, "units": c.spec.units, "weights": c.weights, "biases": c.biases,
               "params": c.params, "trainable": c.trainable, "non_trainable": c.non_trainable,
               "output_shape": [s for s in c.output_shape]}
        if c.spec.bidirectional:
            row["bidirectional"] = True
        if c.spec.implicit:
            row["implicit"] = True
        layers.append(row)
    return {"input": list(count.spec.input), "layers": layers}


def _alt_count(x: Extraction, alt) -> tuple[NetworkCount, int] | None:
    try:
        count = count_network(alt.spec)
    except SpecError:
        return None
    minus = sum(t.value for c in count.layers for t in c.terms if t.label in alt.minus_terms)
    return count, minus


def alternative_values(x: Extraction, value: Any, to_bytes=None) -> list[dict]:
    """Each other reading with its value, when it differs from the answer's (no duplicates)."""
    out: list[dict] = []
    for alt in x.alternatives:
        counted = _alt_count(x, alt)
        if counted is None:
            continue
        count, minus = counted
        try:
            if to_bytes is not None:
                alt_value = to_bytes(count.totals["total_parameters"] - minus)
            else:
                alt_value = value_of(alt.quantity or x.quantity, count, x.layer)
                alt_value = alt_value - minus if isinstance(alt_value, int) else alt_value
        except StopIteration:
            continue
        if alt_value != value and all(a["value"] != alt_value for a in out):
            out.append({"reading": alt.reading, "value": alt_value})
    return out


def _memory_answer(x: Extraction, params: int, count: NetworkCount | None, base: dict) -> Answer:
    """Bytes of the weights (or of training state) for ``params`` parameters, with pint units."""
    from .units import readable, training_bytes, weights_bytes

    from .resources import load_toml
    dtype = x.memory.get("dtype") or "float32"
    assumptions = list(base.pop("assumptions"))
    precision = x.memory.get("precision", "fp32")
    if x.quantity == "training_memory_bytes" and precision == "mixed":
        half = x.memory.get("dtype") if x.memory.get("dtype") in ("float16", "bfloat16") else "float16"
        assumptions.append(f"mixed precision: {half} weights and gradients (2 bytes each) and an fp32 master "
                           "copy of the weights (4 bytes)" + ("" if x.memory.get("dtype") else
                                                               "; no data type named, float16 assumed"))
    elif x.quantity == "training_memory_bytes" and not x.memory.get("dtype"):
        assumptions.append("no data type named: float32 training (4-byte weights and 4-byte gradients)")
    elif not x.memory.get("dtype"):
        assumptions.append("no data type named: float32 (4 bytes per parameter)")
    steps = derivation(count, "total_parameters", None) if count is not None else [
        f"Parameters: {params:,} (as the question states)"]
    if x.quantity == "training_memory_bytes":
        optimizer = x.memory.get("optimizer") or "adam"
        if not x.memory.get("optimizer"):
            assumptions.append("no optimizer named: Adam (two fp32 states per parameter)")
        value, parts = training_bytes(params, optimizer, precision)
        per = sum(b for _, b in parts)
        steps.append("Bytes per parameter: " + " + ".join(f"{b} ({name})" for name, b in parts) + f" = {per}")
        steps.append(f"Training memory: {params:,} × {per} = {value:,} B")
        assumptions.append("an estimate of the weights' share only: activations are not included")
    else:
        from .units import dtype_bytes
        per = dtype_bytes(dtype)
        value = weights_bytes(params, dtype)
        per_txt = f"{per.numerator}/{per.denominator}" if per.denominator != 1 else f"{per.numerator}"
        steps.append(f"Bytes per parameter in {dtype}: {per_txt}")
        steps.append(f"Memory: {params:,} × {per_txt} = {value:,} B")
        group = x.memory.get("group")
        if dtype in ("int8", "int4") and group:
            groups = -(-params // group)
            steps.append(f"Quantization scales: ⌈{params:,} / {group}⌉ = {groups:,} groups × 2 B (an fp16 scale "
                         f"each) = {2 * groups:,} B")
            value += 2 * groups
            steps.append(f"Memory with the scales: {value - 2 * groups:,} + {2 * groups:,} = {value:,} B")
            assumptions.append(f"every weight quantized to {dtype} in groups of {group}, one fp16 scale per group; "
                               "zero points left out")
        elif dtype in ("int8", "int4"):
            assumptions.append(f"{dtype} weights without their quantization scales (and zero points), which "
                               "add a few bytes per group of weights")
    steps.append("= " + readable(value, x.memory.get("unit"), legend=True))
    if "summary" in x.question.lower() and "keras" in x.question.lower():
        assumptions.append("Keras' summary() prints sizes in 2²⁰-byte units labelled 'MB' (that is MiB)")
    framework = count.spec.framework if count is not None else "textbook"
    if x.quantity == "training_memory_bytes":
        to_bytes = lambda n: training_bytes(n, optimizer, x.memory.get("precision", "fp32"))[0]  # noqa: E731
    else:
        to_bytes = lambda n: weights_bytes(n, dtype)  # noqa: E731
    alternatives = tuple(alternative_values(x, value, to_bytes))
    return Answer(status="answered", value=value, unit="B", framework=framework, steps=tuple(steps),
                  alternatives=alternatives,
                  assumptions=tuple(assumptions), network=network_dict(count) if count else None,
                  totals=count.totals if count else None,
                  tip=load_toml("tips.toml")["quantities"][x.quantity], **base)


MODEL_NAME = re.compile(r"\b[A-Z][A-Za-z]*(?:-?\d+[A-Za-z]*|[a-z][A-Z][A-Za-z]*)\b")  # ResNet-50, VGG16, MobileNet


def known_models() -> str:
    """The named models nlqa counts (grammars/presets.toml), for a message naming another one."""
    from .resources import load_toml
    return ", ".join(name for name, table in load_toml("presets.toml").items() if "preset" not in table)


def _message(x: Extraction) -> str:
    if x.status == "unsupported":
        return f"nlqa cannot answer this: {x.reason}"
    understood = "; ".join(x.understood) if x.understood else _understood_from_mentions(x)
    read = " ".join(text for _, _, text in x.mentions)          # 'PyTorch', 'LSTM' are words nlqa read
    named = None if understood else next((m for m in MODEL_NAME.finditer(x.question) if m.group() not in read), None)
    if named and not x.spec:               # "how many parameters does ResNet-50 have?"
        return (f"Understood: nothing about a network yet ('{named.group()}' looks like the name of a "
                f"model nlqa does not know; the named models it counts are {known_models()}). "
                f"Missing: {'; '.join(x.missing)}. Ask about one of those models, or describe the network's "
                f"layers, e.g. '... takes 224x224 RGB images, a conv layer with 64 filters of 7x7 ...'.")
    first = x.missing[0] if x.missing else ""
    hint = next((h for key, h in HINTS if key in first), "the network's input size and each layer's kind and size")
    return (f"Understood: {understood or 'nothing about a network yet'}. "
            f"Missing: {'; '.join(x.missing)}. Ask again with that detail, e.g. {hint}.")


def _understood_from_mentions(x: Extraction) -> str:
    seen = []
    for label, ident, text in x.mentions:
        if label in ("KIND", "INPUT", "OUTPUT", "CLASSES", "SCALAR", "FRAMEWORK") and text not in seen:
            seen.append(text)
    return ", ".join(f"'{s}'" for s in seen[:8])


def out_of_range(question: str) -> str | None:
    """What to ask for instead of a literal longer than nlqa reads (a 5,000-digit number): named, never
    cut down to a smaller number; ``None`` when every number fits."""
    import re
    from .core.validate import table
    digits = len(str(table()[2])) - 1
    import math
    for power in re.finditer(r"(?<![\w.])(\d{1,12})\s*(?:\^|\*\*)\s*(\d{1,6})(?![\d.])", question):
        base, exponent = int(power.group(1)), int(power.group(2))
        size = math.floor(exponent * math.log10(base)) + 1 if base >= 2 else 1
        if size > digits:                  # "10**400 inputs": refused, never read as 10400
            return (f"a number of at most {digits} digits in place of {power.group()} (a {size:,}-digit number; "
                    f"nlqa reads sizes of up to {digits} digits)")
    match = re.search(r"\d[\d_]{%d,}" % digits, question)
    if match is None:
        return None
    text = match.group().replace("_", "")
    if len(text) <= digits:
        return None
    name = f"{text[:6]}…{text[-4:]}"
    return (f"a number of at most {digits} digits in place of the {len(text):,}-digit number {name} "
            f"(nlqa reads sizes of up to {digits} digits)")


def too_long(question: str, length: str, id: Any = None) -> Answer:
    """The answer to a question longer than nlqa reads (``length``: how long it is, in words)."""
    return Answer(question[:200] + "…", "unsupported", id=id,
                  message=f"The question is {length} characters long; nlqa reads questions "
                          f"up to {MAX_QUESTION_CHARS:,} characters. Paste only the network's description.")


def answer(question: str, framework: str | None = None, id: Any = None) -> Answer:
    """Answer one question. Never raises for odd text: problems become a status and a message."""
    if not isinstance(question, str) or not question.strip():
        return Answer(str(question or ""), "needs_clarification", id=id,
                      missing=("a question",),
                      message="The question is empty. Ask e.g. 'How many parameters does a dense layer "
                              "with 10 inputs and 5 units have?'")
    if len(question) > MAX_QUESTION_CHARS:
        return too_long(question, f"{len(question):,}", id)
    huge = out_of_range(question)
    if huge is not None:
        return Answer(question, "needs_clarification", id=id, missing=(huge,),
                      message=f"Understood: nothing yet. Missing: {huge}. Ask again with each size written out, "
                              f"e.g. 'nn.Linear(512, 10)'.")
    x = extract(question, framework)
    from .items import separate_items   # separate layers listed as items, asked about each
    whole = answer_from(x, id=id)
    items = separate_items(question, framework, whole, id)
    return items if items is not None else whole


def answer_from(x: Extraction, id: Any = None) -> Answer:
    """The Answer for what the reader understood, with its number ledger."""
    result, count = _answer_and_count(x, id)
    extra = {x.param_count: "parameter_count"} if x.param_count is not None else {}
    if x.quantity in SERVING_QUANTITIES and result.status == "answered" and isinstance(result.value, int):
        extra.setdefault(result.value, "quoted_count")  # "... = 393216": the asker quotes the count (not in `count`)
    ledger = account(x.question, count, extra, x.table_lines, x.superseded)
    if x.number_spans:  # the numbers of a model's name ("Llama-2-7B") and of the settings read beside it
        ledger = _span_roles(ledger, x.number_spans)
    if result.status == "answered":
        ledger = set_against(ledger, x.question, result.value)   # "should be 110, but it shows 220"
    numbers = tuple(e.to_dict() for e in ledger)
    extraction = dict(result.extraction or {}, numbers=list(numbers))
    left = unread(ledger) if result.status == "answered" else []
    if left:
        return _ask_about_unread(result, left, numbers, extraction)
    caveat = unused_caveat(ledger) if result.status == "answered" else None
    assumptions = result.assumptions + ((caveat,) if caveat else ())
    parts = result.parts
    if result.status == "answered" and not parts:
        from .parts import single_part
        parts = single_part(result.quantity, result.value, result.layer)
    from .discrepancy import checks
    found = checks(x.question, ledger, count, result.value, result.alternatives, result.layer,
                   _layer_label) if result.status == "answered" else ()
    return replace(result, numbers=numbers, extraction=extraction, assumptions=assumptions, parts=parts,
                   checks=found)


def _span_roles(ledger, spans: list[tuple[int, int, str]]):
    """Each ledger entry that starts inside one of ``spans`` takes that span's role."""
    from bisect import bisect_right
    spans = sorted(spans)
    starts = [a for a, _, _ in spans]
    out = []
    for e in ledger:
        i = bisect_right(starts, e.start) - 1
        out.append(replace(e, role=spans[i][2]) if i >= 0 and e.start < spans[i][1] else e)
    return tuple(out)


def _ask_about_unread(result: Answer, left, numbers, extraction) -> Answer:
    """A number in a sentence about the layers that the reading did not use: the reading is incomplete,
    so nlqa asks what it is instead of stating a value that may leave it out."""
    from .render.common import value_text
    shown = ", ".join(f"'{e.text}'" for e in left[:4])
    one = len(left) == 1
    network = result.network or {}
    layers = [f"{row['kind']} of {row['units']}" if row.get("units") else row["kind"]
              for row in network.get("layers", []) if not row.get("implicit")]
    reading = (f"input {tuple(network['input'])} → " if network.get("input") else "") + (
        " → ".join(layers) or "the network")
    missing = (f"what {shown} {'stands' if one else 'stand'} for: the reading did not use "
               f"{'it' if one else 'them'}, and read without {'it' if one else 'them'} the answer would be "
               f"{value_text(result.value)}{' ' + result.unit if result.unit else ''}",)
    message = (f"Understood: {reading}. Missing: {missing[0]}. Ask again with each number beside what it sizes, "
               "e.g. '... a dense layer of 10 units ...' or '... a 2x2 pooling window ...'.")
    extraction = dict(extraction, status="needs_clarification", missing=list(missing))
    return Answer(question=result.question, status="needs_clarification", quantity=result.quantity, id=result.id,
                  missing=missing, message=message, assumptions=result.assumptions, numbers=numbers,
                  extraction=extraction)


def unused_caveat(ledger) -> str | None:
    """The plain-words caveat for numbers in a clause about layers that the reading left unused."""
    left = incomplete(ledger)
    if not left:
        return None
    shown = ", ".join(f"'{e.text}'" for e in left[:4]) + (" ..." if len(left) > 4 else "")
    return (f"the reading did not use {shown} from a sentence about the layers: if "
            f"{'it describes' if len(left) == 1 else 'they describe'} the network, this answer leaves "
            f"{'it' if len(left) == 1 else 'them'} out")


def _operations_answer(x: Extraction, count: NetworkCount, base: dict) -> Answer:
    """MACs or FLOPs of a forward pass (nlqa.flops), with the convention stated."""
    from .flops import flops_answer
    fields = flops_answer(x, count, _layer_label, network_dict)
    return Answer(**{**base, **fields})


def _answer_and_count(x: Extraction, id: Any = None) -> tuple[Answer, NetworkCount | None]:
    question = x.question
    base = dict(question=question, id=id, quantity=x.quantity, assumptions=tuple(x.assumptions),
                extraction=x.to_dict())
    if x.status != "answered":
        return Answer(status=x.status, missing=tuple(x.missing), message=_message(x), **base), None
    if x.param_count is not None:
        return _memory_answer(x, x.param_count, None, base), None
    spec = x.spec
    try:
        count = count_network(spec)
    except SpecError as exc:
        return Answer(status="needs_clarification", missing=(str(exc),),
                      message=f"nlqa could not count this network: {exc}", **base), None
    if x.quantity != "output_shape":      # shapes only: an output-shape answer is never inferred
        implied = implied_square_input(spec)
        if implied is not None:
            spec, note = implied
            count = count_network(spec)
            base["assumptions"] = (*base["assumptions"], note)
    if x.quantity in MEMORY_QUANTITIES:
        return _memory_answer(x, count.totals["total_parameters"], count, base), count
    if x.quantity in ("macs", "flops"):
        return _operations_answer(x, count, base), count
    if x.quantity in SERVING_QUANTITIES:
        from .serving import serving_answer
        fields = serving_answer(x, count, derivation(count, "total_parameters", None))
        return Answer(**{**base, **fields}), count
    from .parts import part_steps, part_values
    parts = part_values(x.asked_parts(), count, value_of)
    quantity, layer = (parts[0]["quantity"], parts[0]["layer"]) if parts else (x.quantity, x.layer)
    base["quantity"] = quantity
    value = value_of(quantity, count, layer)
    if value is None:
        return Answer(status="needs_clarification", framework=spec.framework,
                      missing=("the number of time steps (sequence length)",),
                      message="The output shape depends on the number of time steps, which the question "
                              "does not give. Ask again with e.g. 'sequences of 20 time steps'.", **base), count
    alternatives = alternative_values(x, value) if (quantity, layer) == (x.quantity, x.layer) else []
    steps = derivation(count, quantity, layer) + part_steps(parts, count, derivation)
    option = option_matching(x, value) if isinstance(value, int) else None
    if option:
        steps.append(option)
    return Answer(
        status="answered", value=value, unit=None, layer=layer, framework=spec.framework, parts=parts,
        network=network_dict(count), totals=count.totals, steps=tuple(steps),
        alternatives=tuple(alternatives), related_questions=tuple(related_questions(spec, x.quantity)),
        tip=tip_for(spec), **base), count
