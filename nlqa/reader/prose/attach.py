"""Sizes re-attached to the noun their clause names (a stage between the mentions and the network).

The phrase patterns read a size with the words right around it: "of size 2x2x3", "shape
256x256x60", "1000 activations". Said bare like that, the size belongs to the noun its clause is
about, a few words before it: "3 filters, each of size 2x2x3" sizes the filters (a kernel), "outputs
a tensor of shape 256x256x60" is the output, "the first hidden layer has 1000 activations" sizes
that layer. This stage looks back from each such size, inside its sentence, for the nearest head
noun (grammars/vocab.toml [heads]) and returns the mentions with the size moved to what it
quantifies. A size with no head noun before it stays as the patterns read it.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from ...resources import load_toml
from . import docwords
from .kinds import _family
from .mentions import Mention, Reading

LOOK_BACK = 6   # words before a bare size that may name what it sizes


@lru_cache(maxsize=1)
def _heads() -> dict[str, frozenset[str]]:
    return {role: frozenset(words) for role, words in load_toml("vocab.toml")["heads"].items()}


def _head(reading: Reading, m: Mention) -> str | None:
    """The role of the nearest head noun before ``m`` in its sentence, or None."""
    heads, doc = _heads(), reading.doc
    sentence = reading.sentence_of[m.start]
    for i in range(m.start - 1, max(m.start - LOOK_BACK, 0) - 1, -1):
        if reading.sentence_of[i] != sentence:
            return None
        word = doc[i].lower_
        for role in ("input", "kernel", "output", "layer"):  # (the negators are no head)
            if word in heads[role]:
                return role
        if i in reading.covered and reading.covered[i].label not in ("KIND", "ROLE"):
            return None     # another size stands between: the clause has moved on
    return None


def _negated(reading: Reading, m: Mention) -> bool:
    """A layer kind the question says the network lacks: "with no batch normalization", "without dropout"."""
    if m.label != "KIND" or m.start == 0:
        return False
    return reading.doc[m.start - 1].lower_ in _heads()["negators"]


SIZE_LABELS = ("CONV", "UNITS", "INPUT", "TF", "EMBED")


def _not_a_size(reading: Reading, m: Mention) -> bool:
    """"Exercise 5.2 - Feature Map Size": a number that numbers the question, or a fraction, sizes nothing."""
    if m.label not in SIZE_LABELS:
        return False
    if isinstance(m.value, float) and not m.value.is_integer() and m.id not in ("rate", "dropout"):
        return True
    first = next((i for i in range(m.start, m.end) if reading.doc[i].like_num), None)
    return first is not None and first > 0 and reading.doc[first - 1].lower_ in _heads()["numbering"]


POOLS = {"MaxPool", "AvgPool", "GlobalAvgPool", "GlobalMaxPool"}


def _same_layer_again(reading: Reading, m: Mention, previous: Mention | None) -> bool:
    """"Pool layer: max pool 2x2", "FC1: fully connected, 20 units": a layer's label and then its
    description name one layer; the description (the later, more specific word) stands."""
    if previous is None or m.label != "KIND" or previous.label != "KIND":
        return False
    between = [t.text for t in reading.doc[previous.end:m.start]]
    family = (lambda k: "pool" if k in POOLS else _family(k))
    return ":" in between and len(between) <= 3 and family(m.id) == family(previous.id) \
        and not any(t in ("\n\n", ".", ";") for t in between)


def _sizes_in_layers(reading: Reading) -> list[Mention]:
    """"30 neurons in the input layer", "4 in the hidden layer", "1 in the output layer": a size placed
    in a layer the sentence names by its role sizes that layer (the input's features, a hidden layer's
    units, the outputs)."""
    roles = {m.start: m for m in reading.mentions if m.label == "ROLE" and m.id in ("input", "hidden", "output")}
    if not roles:
        return []   # no layer named by its role: nothing to place a size in
    doc, v = reading.doc, load_toml("vocab.toml")
    nouns, places = set(v["unit_nouns"]) | {"neuron", "unit", "node"}, set(_heads()["placed"])
    texts, lower, n = docwords.texts(doc), docwords.lower(doc), len(doc)
    made = []
    for i, text in enumerate(texts):
        if not text.isdecimal() or i in reading.covered:
            continue
        j = i + 1 + (i + 1 < n and lower[i + 1] in nouns and (i + 1) not in reading.covered)
        if j >= n or lower[j] not in places:
            continue
        k = j + 1 + (j + 1 < n and lower[j + 1] in ("the", "its", "their", "each"))
        role = roles.get(k)
        if role is None or k + 1 >= n or lower[k + 1] not in ("layer", "layers"):
            continue
        label, key = {"input": ("INPUT", "features"), "output": ("OUTPUT", "placed"),
                      "hidden": ("UNITS", "placed")}[role.id]   # "placed": it sizes the layer after it
        made.append(Mention(label, key, i, j, int(text), doc[i:j].text))
    return made


SUBJECT_REACH = 24   # words from "the input" to its "is" in one sentence ("the input to a ... layer is 32x32x16")


def _subject_shapes(reading: Reading) -> list[Mention]:
    """"If the input to a max pooling layer with a 2x2 window and stride 2 is 32x32x16": a shape that
    completes "the input ... is" sizes the input, however long the words between (its own clause)."""
    from .mentions import shape
    doc, v = reading.doc, load_toml("vocab.toml")
    links, fillers = set(v["subject_links"]), set(v["subject_link_fillers"])
    if any(m.label == "INPUT" for m in reading.mentions):
        return []
    subjects = [m.end for m in reading.mentions if m.label == "ROLE" and m.id == "input" and m.start > 0
                and doc[m.start - 1].lower_ in ("the", "its", "our", "my")]
    # "if the previous layer('s) output is (7, 7, 64)": what the layer before gives is the input
    subjects += [t.i + 2 for t in doc if t.lower_ in v["previous_words"] and t.i + 1 < len(doc)
                 and doc[t.i + 1].lower_ in ("layer", "layer's")]
    for end in sorted(subjects):
        for i in range(end, min(end + SUBJECT_REACH, len(doc))):
            if reading.sentence_of[i] != reading.sentence_of[end - 1]:
                break
            if doc[i].lower_ not in links:
                continue
            j = i + 1
            while j < len(doc) and doc[j].lower_ in fillers:
                j += 1
            value = shape(doc[j].text) if j < len(doc) and j not in reading.covered else None
            if value is not None:
                return [Mention("INPUT", "shape", j, j + 1, value, doc[j].text)]
            break
    return []


def _conv_depth(reading: Reading, m: Mention) -> bool:
    """"depth 16" said of a convolution (the nearest layer kind before it in its sentence) is its number
    of filters (output depth); said of a transformer it is its number of layers."""
    if m.label != "TF" or m.id != "layers" or not m.text.lower().startswith("depth"):
        return False
    kind = next((k for k in reversed(reading.mentions) if k.label in ("KIND", "NETWORK", "MODEL") and k.end <= m.start
                 and reading.sentence_of[k.start] == reading.sentence_of[m.start]), None)
    return kind is not None and kind.label != "MODEL" and _family(kind.id) == "conv"


def _window_of(reading: Reading, m: Mention) -> str | None:
    """"an average pooling layer of size 4x4", "a conv layer of size 3x3": a 2-D size said of a pooling or
    convolution layer is its window (``pool``) or kernel, not the input."""
    doc = reading.doc
    kind = next((k for k in reversed(reading.mentions) if k.label == "KIND" and k.end <= m.start), None)
    between = [t.lower_ for t in doc[kind.end:m.start]] if kind is not None else None
    if between not in ([], ["of"], ["layer", "of"], ["with"], ["layer", "with"]):
        return None     # the size must be said of the layer itself ("a pooling layer of size 4x4")
    if kind is None or not isinstance(m.value, tuple) or len(m.value) > 3:
        return None
    if kind.id in POOLS:
        return "pool"
    return "kernel" if _family(kind.id) == "conv" else None


def attached(reading: Reading) -> Reading:
    """The reading with bare sizes moved to the noun their clause names, and the layer kinds the
    question says the network lacks left out."""
    out: list[Mention] = []
    changed = False
    kinds = [m for m in reading.mentions if m.label == "KIND"]
    relabelled = {id(kinds[k - 1]) for k in range(1, len(kinds))
                  if _same_layer_again(reading, kinds[k], kinds[k - 1])}
    for m in reading.mentions:
        if _negated(reading, m) or _not_a_size(reading, m) or id(m) in relabelled:
            changed = True
            continue
        role = None
        if m.label == "INPUT" and m.id == "shape" and "input" not in m.text.lower():
            role = _head(reading, m)
        elif m.label == "INPUT" and m.id == "features" and isinstance(m.value, int) and \
                m.text.lower().split()[-1:] == ["activations"]:
            role = _head(reading, m)     # "the first hidden layer has 1000 activations": that layer's units
            role = role if role == "layer" else None
        if _conv_depth(reading, m):   # "the first conv layer has depth 16": its filters, not transformer layers
            out.append(Mention("CONV", "filters", m.start, m.end, m.value, m.text))
            changed = True
            continue
        window = _window_of(reading, m) if role == "layer" and isinstance(m.value, tuple) else None
        if window is not None:
            out.append(Mention("CONV", window, m.start, m.end, m.value, m.text))   # "a pooling layer of size 4x4"
        elif role == "kernel" and isinstance(m.value, tuple):
            out.append(Mention("CONV", "kernel", m.start, m.end, m.value, m.text))   # "filters, each of size 2x2x3"
        elif role == "output":
            out.append(Mention("OUTSHAPE", "stated", m.start, m.end, m.value, m.text))  # what a layer gives, not its input
        elif role == "layer" and m.id == "features":
            out.append(Mention("UNITS", "units", m.start, m.end, m.value, m.text))   # "the hidden layer has 1000 activations"
        else:
            out.append(m)
            continue
        changed = True
    placed = _sizes_in_layers(reading) + _subject_shapes(reading)
    if placed:
        out, changed = sorted(out + placed, key=lambda m: m.start), True
    if not changed:
        return reading
    covered = {i: m for m in out for i in range(m.start, m.end)}
    return replace(reading, mentions=out, covered=covered)
