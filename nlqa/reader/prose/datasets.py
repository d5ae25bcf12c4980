"""What a named dataset tells about the network: how many classes its output layer has.

(The input shape a dataset implies is read in :mod:`nlqa.reader.assembly.build`.) Both tables are
grammars/datasets.toml; an output layer is sized from the dataset only when the question names an
output layer ("the softmax output", "an output layer") and gives it no size of its own.
"""

from __future__ import annotations

from ...resources import load_toml
from .mentions import Mention, vocab


def dataset_classes(doc) -> tuple[int, str] | None:
    """``(k, assumption)`` for the first dataset the text names that has k classes, else None."""
    table = load_toml("datasets.toml").get("classes", {})
    for token in doc:
        k = table.get(token.lower_)
        if k:
            return k, f"{token.text} has {k} classes: an output layer of {k} units"
    return None


def output_named(doc, roles: list[Mention]) -> bool:
    """Whether the text names an output layer ("softmax output", "output layer", "dense output")."""
    words = set(vocab()["output_layer_words"])
    for m in roles:
        if m.id != "output":
            continue
        near = {doc[i].lower_ for i in range(max(m.start - 2, 0), min(m.end + 1, len(doc))) if i not in range(m.start, m.end)}
        if near & words:
            return True
    return False
