"""A question about a named model ("How many parameters does ResNet-50 have?"): its extraction.

The model's configuration comes from the registry (``grammars/models/``); what the question says
("with 10 classes", "a 64k vocabulary") overrides it, and every value used is stated. Memory
questions keep the reader's reading of the data type; a KV cache needs a context length.
"""

from __future__ import annotations

from ...core import count_network
from ...core.registry import ModelEntry, registry
from ..extraction import Alternative, Extraction
from ..prose.modelnames import NameReading, asks, own_arithmetic, read_lora, setting

COMMON_DTYPES = ("float32", "float16", "bfloat16", "int8", "int4")
CONFIG_WORDS = (("layers", "layers"), ("width", "width"), ("heads", "heads"), ("kv_heads", "key/value heads"),
                ("head_dim", "head width"), ("ff", "feed-forward width"), ("experts", "experts"),
                ("active_experts", "experts per token"), ("vocab", "vocabulary"), ("positions", "positions"),
                ("embedding", "embedding width"), ("classes", "classes"))


def _config_text(entry: ModelEntry, config: dict) -> str:
    parts = [f"{word} {config[k]:,}" for k, word in CONFIG_WORDS if isinstance(config.get(k), int)
             and not isinstance(config.get(k), bool)]
    if entry.layout in ("decoder", "t5"):
        parts.append("gated (SwiGLU/GeGLU) feed-forward" if config.get("gated") else "plain feed-forward")
        parts.append("RMSNorm" if config.get("rms") else "LayerNorm")
        parts.append("head tied to the token embedding" if config.get("tied") else "untied output head")
    if entry.layout == "resnet":
        parts.append(f"{config['block']} blocks {config['blocks']}")
    return ", ".join(parts)


def _nominal(name: str) -> int | None:
    """The size a name states ("Llama-2-70B": 70,000,000,000; "Mixtral 8x7B" states none exactly)."""
    import re
    m = re.search(r"(?<![x\d.])(\d+(?:\.\d+)?)\s*([bm])\b", name.lower())
    return int(float(m.group(1)) * {"b": 10**9, "m": 10**6}[m.group(2)]) if m else None


def unknown_model(x: Extraction, names: NameReading) -> Extraction:
    """'ResNet-51': no published configuration nlqa knows; refuse, naming the closest known models."""
    u = names.unknown[0]
    x.status = "unsupported"
    x.reason = (f"nlqa knows no model named '{u.text}' (its registry has no published configuration by that "
                f"name); the closest it knows: {', '.join(u.closest)}. Ask about one of those, or describe the "
                "network (its layers and sizes).")
    x.number_spans = [(u.start, u.end, "model_name")]
    return x


def family_only(x: Extraction, names: NameReading, quantity: str | None) -> Extraction:
    """'How many parameters does ResNet have?': which model of the family is meant."""
    f = names.families[0]
    x.status, x.quantity = "needs_clarification", quantity
    x.understood = [f"the model family '{f.text}'"]
    x.missing.append(f"which model of the family is meant ({', '.join(f.closest)})")
    return x


def named_model(x: Extraction, names: NameReading, quantity: str | None, memory: str | None) -> Extraction | None:
    """The extraction of a question about a named model; None when the question turns out to describe its
    own network (a count that is not the model's, with the asker's arithmetic)."""
    entry = names.entry
    question = x.question
    first = names.named[0]
    x.number_spans = [(n.start, n.end, "model_name") for n in names.named]
    x.understood = [entry.name]
    if first.typo:
        x.assumptions.append(f"'{first.text}' read as {entry.name}")
    overrides, settings, said = {}, {}, []
    for key, (value, text, start, end) in names.overrides.items():
        layouts, word = setting(key)
        if not layouts:
            settings[key] = value
            x.number_spans.append((start, end, key))
            if text.lower().endswith("k") and key == "context":
                said.append(f"'{text}' read as {value:,} tokens (k = 1,024 for a context length)")
        elif entry.layout in layouts and entry.config.get(key) is not None:
            overrides[key] = value
            x.number_spans.append((start, end, "override"))
            k_note = f" ('{text}' read as {value:,}: k = 1,000)" if text.lower().endswith("k") else ""
            said.append(f"{word} {value:,} as the question says (the published {entry.name} has "
                        f"{entry.config[key]:,}){k_note}")
    distinct = list(dict.fromkeys(n.id for n in names.named))
    if len(distinct) > 1:
        x.status = "needs_clarification"
        x.missing.append("which one model to count (the question names " + ", ".join(
            registry()[i].name for i in distinct) + "); ask about each in its own question")
        return x
    config = {**entry.config, **overrides}
    spec = entry.spec(overrides)
    total = count_network(spec).totals["total_parameters"]
    if asks(question, "parts") and not asks(question, "lora") and x.quantity != "non_embedding_parameters" and (
            quantity != "non_embedding_parameters"):
        x.status = "needs_clarification"
        x.quantity = quantity or memory
        x.missing.append(f"the whole model: nlqa counts {entry.name} whole ({total:,} parameters), not one of "
                         "its parts; for a part, describe it (its layers and sizes)")
        return x
    nominal = _nominal(first.text)
    for value, text, start, end in names.quoted:
        x.number_spans.append((start, end, "quoted_count"))
        if abs(value - total) <= total * 0.005:
            continue
        if nominal and value == nominal:
            x.assumptions.append(f"the '{text}' of the name is a rounded, nominal size: the exact count is {total:,}")
            continue
        if own_arithmetic(question):
            return None  # the asker's own network, worked out in the question: read as a description
        x.status = "needs_clarification"
        x.missing.append(f"how the model that gives {text} differs from {entry.name} as published ({total:,} "
                         "parameters): its number of classes, vocabulary, layers, or which parts are counted")
        return x
    x.spec = spec
    x.framework_source = "default"
    x.assumptions.append(f"{entry.name} as published ({entry.source}): {_config_text(entry, entry.config)}")
    if not overrides:
        x.assumptions.append(f"counted from that configuration; the reference count is {entry.reference:,} "
                             f"({entry.verified})")
    x.assumptions += said
    moe = bool(config.get("experts"))
    if asks(question, "lora"):
        rank, targets, named = read_lora(question)
        x.quantity = "lora_parameters"
        if rank is None:
            x.status = "needs_clarification"
            x.missing.append("the LoRA rank r, e.g. 'r=8'")
            return x
        x.number_spans.append((rank[1], rank[2], "lora_rank"))
        x.memory["lora"] = {"rank": rank[0], "targets": targets}
        if not named:
            x.assumptions.append("no matrices named: LoRA on the query and value projections (q_proj, v_proj), "
                                 "PEFT's default for Llama-style models")
        return x
    if memory == "memory_bytes" and quantity and not x.memory.get("dtype") and not asks(question, "memory_words"):
        memory = None  # "How big is T5-large in parameters?": a count
    kv, total = asks(question, "kv_cache"), asks(question, "serving_total")
    if kv or (memory and settings.get("context")):
        x.quantity = "kv_cache_bytes" if kv and not total else "serving_memory_bytes"
        x.memory.update({k: v for k, v in settings.items()})
        if not settings.get("context"):
            x.status = "needs_clarification"
            x.missing.append(f"the context length (tokens) the KV cache holds, e.g. 'at 4k context' "
                             f"({entry.name} was trained for {entry.context:,} tokens)" if entry.context else
                             "the context length (tokens) the KV cache holds, e.g. 'at 4k context'")
        return x
    if memory:
        x.quantity = memory
        if settings.get("group"):
            x.memory["group"] = settings["group"]
        if memory == "training_memory_bytes" and asks(question, "optimizer_8bit"):
            x.memory["optimizer"] = "adam8bit"  # "8-bit AdamW": both moments in one byte each
        if memory == "memory_bytes" and not x.memory.get("dtype"):
            from ...units import readable, weights_bytes
            params = count_network(spec).totals["total_parameters"]
            values = "; ".join(f"{d} {readable(weights_bytes(params, d))}" for d in COMMON_DTYPES)
            x.status = "needs_clarification"
            x.missing.append(f"the precision of the weights ({entry.name}, {params:,} parameters: {values}; "
                             "quantization scales left out)")
        return x
    if quantity is None and not asks(question, "active"):
        x.status = "unsupported"
        x.reason = (f"the question names {entry.name} but asks for no quantity nlqa counts: it answers its "
                    f"parameters ('How many parameters does {entry.name} have?') or the memory of its weights.")
        return x
    x.quantity = quantity or "total_parameters"
    if moe:
        if asks(question, "active") and "total" not in question.lower():
            x.quantity = "active_parameters"
            x.alternatives.append(Alternative("all experts (total)", spec, "total_parameters"))
        else:
            x.alternatives.append(Alternative(
                f"active per token (shared weights, router and {config['active_experts']} of {config['experts']} "
                "experts)", spec, "active_parameters"))
    return x
