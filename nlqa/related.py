"""Follow-up questions built from the network just answered, and a one-line tip.

The questions are written with ``grammars/templates.toml`` in words nlqa itself reads, so every
related question can be asked back (the tests check that each one is answered).
"""

from __future__ import annotations

from .core.spec import LayerSpec, NetworkSpec
from .resources import load_toml

RECURRENT = ("SimpleRNN", "LSTM", "GRU")


def describe(spec: NetworkSpec) -> str:
    """The network in words: 'A network takes an input of 3 features and has ...'."""
    t = load_toml("templates.toml")
    shape = spec.input
    if len(shape) == 2 and shape[0] is not None:
        what = t["input_sequence"].format(steps=shape[0], features=shape[1])
    else:
        what = t["input_features"].format(features=shape[-1])
    layers = [describe_layer(layer, t) for layer in spec.layers if layer.kind in t["kinds"]]
    joined = layers[0] if len(layers) == 1 else ", ".join(layers[:-1]) + " and " + layers[-1]
    return t["network"].format(input=what, layers=joined)


def describe_layer(layer: LayerSpec, t: dict) -> str:
    first = "bidirectional" if layer.bidirectional else t["kinds"][layer.kind]
    article = "an" if first.split()[0] in t["an_before"] else "a"
    text = t["layer"].format(article=article, bidirectional="bidirectional " if layer.bidirectional else "",
                             kind=t["kinds"][layer.kind], units=layer.units,
                             unit_word="unit" if layer.units == 1 else "units")
    return text + (t["no_bias"] if not layer.bias else "")


def _question(spec: NetworkSpec, quantity: str, layer_question: bool = False) -> str:
    t = load_toml("templates.toml")
    template = t["layer_question"] if layer_question else t["question"]
    return template.format(network=describe(spec), framework=t["frameworks"][spec.framework],
                           quantity=t["quantities"].get(quantity, "parameters"))


def _describable(spec: NetworkSpec) -> bool:
    kinds = load_toml("templates.toml")["kinds"]
    return all(layer.kind in kinds or layer.implicit for layer in spec.layers) and spec.input is not None


def related_questions(spec: NetworkSpec, quantity: str) -> list[str]:
    """Five questions about variants of ``spec`` (other layer kind, framework, direction...)."""
    if not _describable(spec) or any(l.implicit for l in spec.layers):
        return []
    quantity = quantity if quantity in ("total_parameters", "trainable_parameters") else "trainable_parameters"
    layers = list(spec.layers)
    kinds = {l.kind for l in layers}
    variants: list[NetworkSpec] = []
    if kinds & set(RECURRENT):
        for other in ("LSTM", "GRU", "SimpleRNN"):
            if other not in kinds:
                variants.append(spec.with_(layers=[l.with_(kind=other) if l.kind in RECURRENT else l
                                                   for l in layers]))
        variants.append(spec.with_(framework="pytorch" if spec.framework != "pytorch" else "textbook"))
        if not any(l.bidirectional for l in layers):
            variants.append(spec.with_(layers=[l.with_(bidirectional=True) if l.kind in RECURRENT else l
                                               for l in layers]))
    else:
        hidden = layers[:-1]
        variants.append(spec.with_(layers=[l.with_(units=l.units * 2) for l in hidden] + layers[-1:]))
        variants.append(spec.with_(layers=layers[:-1] + [LayerSpec("Dense", layers[-1].units * 2 if len(layers) == 1 else layers[0].units)] + layers[-1:]))
        variants.append(spec.with_(layers=[l.with_(bias=False) for l in layers]))
    questions = [_question(v, quantity) for v in variants]
    questions.append(_question(spec, "weights"))
    if len(layers) > 1:
        questions.append(_question(spec, quantity, layer_question=True))
    seen, out = set(), []
    for q in questions:
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out[:5]


def tip_for(spec: NetworkSpec) -> str:
    table = load_toml("tips.toml")
    kinds = {layer.kind for layer in spec.layers}
    for kind in table["order"]:
        if kind in kinds:
            return table["tips"][kind]
    return ""
