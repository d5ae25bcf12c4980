"""The weights *between* two layers: "between the input and hidden layer", "connecting the hidden layer
to the output layer", "from layer 2 to the output layer", "between the two hidden layers".

Such a phrase names the later of two adjacent layers, and asks for the weights that feed it (its
biases are not "between" anything). The words that open and join the pair are data
(``between_words``, ``pair_joiners`` in grammars/vocab.toml); each side is read by the same
reference reader as "the second hidden layer". Which layer the pair names is decided when the
network is known (:func:`pair_index`): the two must be adjacent, else the layer is asked back.
"""

from __future__ import annotations

from typing import Any, Callable

OneReference = Callable[[int], "tuple[dict[str, Any], int, bool]"]


def between_reference(one: OneReference, doc, sentence_of, asked: int, start: int,
                      v: dict) -> tuple[dict, set[int]] | None:
    """``({"pair": (first, second)}, tokens)`` for a pair of layers named in the asked sentence, or
    ``({"pair_of": side}, tokens)`` for "between the two hidden layers"; None when there is none."""
    n = len(doc)
    for t in range(start, n):
        if sentence_of[t] != asked or doc[t].lower_ not in v["between_words"]:
            continue
        j = _skip(doc, t + 1, v)
        first, j, _ = one(j)
        if not _names_a_layer(first):
            continue
        if j < n and doc[j].lower_ in ("layers",) and doc[t].lower_ == "between":
            return {"pair_of": first}, set(range(t, j + 1))   # "between the (two) hidden layers"
        if j >= n or doc[j].lower_ not in v["pair_joiners"]:
            continue
        second, end, whole = one(_skip(doc, j + 1, v))
        if not _names_a_layer(second):
            continue
        if end < n and doc[end].lower_ == "layers":
            end += 1
        elif not whole and not _ends_with_layer(doc, j - 1):
            continue   # "from the input to the output": a pair of layers needs the word "layer"
        return {"pair": (first, second)}, set(range(t, end))
    return None


def pair_index(resolve: Callable[[dict], "int | None"], ref: dict) -> int | None:
    """The layer (1-based among the listed layers) a pair names: the later of two adjacent layers,
    the input counting as layer 0. None when a side is unknown or the two are not adjacent."""
    if "pair_of" in ref:
        first, second = ({**ref["pair_of"], "ordinal": 1}, {**ref["pair_of"], "ordinal": 2})
        if resolve({**ref["pair_of"], "ordinal": 3}) is not None:
            return None    # "between the hidden layers" of three hidden layers: which two?
    else:
        first, second = ref["pair"]
    sides = [0 if side.get("role") == "input" and "kind" not in side else resolve(side) for side in (first, second)]
    if None in sides:
        return None
    low, high = sorted(sides)
    return high if high == low + 1 else None


def _names_a_layer(side: dict) -> bool:
    return bool(side) and "unknown" not in side and any(key in side for key in ("role", "kind", "ordinal"))


def _ends_with_layer(doc, i: int) -> bool:
    return i >= 0 and doc[i].lower_ in ("layer", "layers")


def _skip(doc, j: int, v: dict) -> int:
    """Past the determiners and counts that may open one side ("the", "the two", "both")."""
    while j < len(doc) and (doc[j].lower_ in v["reference_determiners"] or doc[j].lower_ in ("two", "2", "both")):
        j += 1
    return j
