"""Several things asked at once: the parts of a question, in the order asked.

"How many parameters and what is the output shape?", "trainable and non-trainable parameters",
"the parameters of each layer". The first part is the quantity the reader chose (the Extraction's
``quantity`` and ``layer``: `value` stays the first part asked); each further quantity mention
of an asking sentence, set apart from the others by a joiner ("and", ",", "?"), is one more
part; a quantity beside "each layer" is one part per listed layer. Vocabulary: grammars/parts.toml.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ...resources import load_toml
from ..prose import docwords

if TYPE_CHECKING:
    from .asked import Request
    from ..read import Read
    from ..extraction import Extraction
    from ..prose.mentions import Mention

PARAMETER_PARTS = ("total_parameters", "trainable_parameters", "layer_parameters")


@lru_cache(maxsize=None)
def grammar() -> dict[str, Any]:
    table = load_toml("parts.toml")
    for key in ("each_layer", "not_after", "joiners", "quantities"):
        if not isinstance(table.get(key), list):
            raise ValueError(f"grammars/parts.toml: '{key}' must be a list of strings")
    return {"each_layer": tuple(tuple(p.split()) for p in table["each_layer"]),
            "after": int(table["after_window"]), "before": int(table["before_window"]),
            "not_after": frozenset(table["not_after"]), "joiners": frozenset(table["joiners"]),
            "totals": tuple(tuple(p.split()) for p in table.get("totals", ())),
            "quantities": frozenset(table["quantities"])}


def parts_asked(reader: Read, request: Request, x: Extraction) -> list[tuple[str, int | None]]:
    """The parts ``x`` asks, as (quantity, layer) pairs; one pair when one thing is asked."""
    if x.status != "answered" or x.quantity is None or x.spec is None:
        return []
    first = (x.quantity, x.layer)
    g = grammar()
    if x.quantity not in g["quantities"]:
        return [first]
    chosen = request.mention
    if chosen is None:
        return [first]
    listed = list(range(1, 1 + sum(not layer.implicit for layer in x.spec.layers)))
    parts: list[tuple[str, int | None]] = []
    if x.layer is None and len(listed) > 1 and _each_layer(reader, chosen):
        per = "output_shape" if x.quantity == "output_shape" else "layer_parameters"
        parts = [(per, i) for i in listed]
    else:
        parts = [first]
    for m in _further(reader, request.sentence, chosen):
        quantity = _resolved(reader, m)
        if quantity not in g["quantities"]:
            continue
        layer = x.layer
        if layer is not None and quantity in PARAMETER_PARTS:
            quantity = "layer_parameters"
        if layer is None and len(listed) > 1 and _each_layer(reader, m):
            new = [("output_shape" if quantity == "output_shape" else "layer_parameters", i) for i in listed]
        else:
            new = [(quantity, layer)]
        parts += [p for p in new if p not in parts]
    if x.quantity == "trainable_parameters" and _both_trainable(reader, chosen):
        parts += [p for p in [("non_trainable_parameters", x.layer)] if p not in parts]
    if any(layer is not None for _, layer in parts) and x.layer is None and _total_asked(reader, chosen):
        parts.append(("total_parameters", None))   # "... each layer have, and how many in total?"
    return parts


def _total_asked(reader: Read, chosen: Mention) -> bool:
    """A total phrase after a joiner, later in the sentence of the quantity asked."""
    g = grammar()
    words = docwords.lower(reader.reading.doc)
    sentence = reader.sentence(chosen)
    joined = False
    for i in range(chosen.end, len(words)):
        if reader.reading.sentence_of[i] != sentence:
            break
        joined = joined or words[i] in g["joiners"]
        if joined and any(tuple(words[i:i + len(p)]) == p for p in g["totals"]):
            return True
    return False


def _further(reader: Read, asked: int | None, chosen: Mention) -> list[Mention]:
    """The other quantity mentions asked: in the asking sentences, after a joiner."""
    g = grammar()
    quantities = reader.mentions("QUANTITY")
    if all(m is chosen for m in quantities):
        return []   # no other quantity mention (the sentences asking need not be found)
    words = docwords.lower(reader.reading.doc)
    asking = _asking_sentences(reader, asked)
    out, previous = [], chosen
    for m in quantities:
        if m is chosen or reader.sentence(m) not in asking or (
                m.start < chosen.start and reader.sentence(m) == reader.sentence(chosen)):
            continue
        between = set(words[previous.end:m.start])
        if reader.sentence(m) == reader.sentence(previous) and not between & g["joiners"]:
            continue  # "the weights of the recurrent matrix": one phrase
        out.append(m)
        previous = m
    return out


def _asking_sentences(reader: Read, asked: int | None) -> set[int]:
    """The sentence the reader found asking, and every other sentence with a question word and a
    quantity that is a question itself (it ends with '?', or the parts are marked "a) ... b) ..."):
    "What is the output shape? How many parameters does it have?"."""
    from .asked import PART_MARK
    from ..prose.mentions import vocab
    doc, qwords = reader.reading.doc, vocab()["question_words"]
    out = {asked} if asked is not None else set()
    quantity_sentences = {reader.sentence(m) for m in reader.mentions("QUANTITY")}
    sentence_of = reader.reading.sentence_of
    ends: dict[int, str] = {}
    for i, word in enumerate(docwords.texts(doc)):
        ends[sentence_of[i]] = word
    marked = bool(PART_MARK.search(docwords.text(doc)))
    for i, word in enumerate(docwords.lower(doc)):
        s = sentence_of[i]
        if word in qwords and s in quantity_sentences and (marked or ends.get(s) == "?"):
            out.add(s)
    return out


def _resolved(reader: Read, m: Mention) -> str:
    """A further quantity mention with the modifiers just before it ("non-trainable parameters")."""
    near = {q.id for q in reader.mentions("QMOD") if m.start - 4 <= q.start < m.start}
    if m.id in ("total_parameters", "weights"):
        if "non_trainable" in near:
            return "non_trainable_parameters"
        if "trainable" in near:
            return "trainable_parameters"
    return m.id


def _both_trainable(reader: Read, chosen: Mention) -> bool:
    """ "trainable and non-trainable parameters": the modifiers before one quantity ask two parts."""
    ids = {q.id for q in reader.mentions("QMOD") if chosen.start - 6 <= q.start < chosen.start
           and reader.sentence(q) == reader.sentence(chosen)}
    return {"trainable", "non_trainable"} <= ids


def _each_layer(reader: Read, m: Mention) -> bool:
    """Whether an "each layer" phrase stands beside the quantity mention ``m`` in its sentence."""
    g = grammar()
    words = docwords.lower(reader.reading.doc)
    sentence = reader.sentence(m)
    for phrase in g["each_layer"]:
        n = len(phrase)
        for start in range(max(m.start - g["before"], 0), min(m.end + g["after"], len(words) - n + 1)):
            if tuple(words[start:start + n]) != phrase or reader.reading.sentence_of[start] != sentence:
                continue
            if m.start <= start < m.end:
                continue
            before = words[max(start - 2, 0):start]
            if any(w in g["not_after"] or w.replace(",", "").isdecimal() for w in before):
                continue  # "64 units per layer", "16 neurons in each layer": a size
            return True
    return False
