"""Separate layers or networks listed as items and asked about each: one answer per item.

"Calculate the output dimensions for each of the following convolutional layers applied to an input
of shape (1, 3, 64, 64): a) nn.Conv2d(3, 32, 5) b) nn.Conv2d(3, 32, 3, padding=1) ...". Read as one
network the items chain, and the chain does not fit (the second layer declares 3 input channels,
the first gives 32).

The rule: every item of a labelled list (:mod:`nlqa.reader.cleanup.items`) holds a layer, the text around
the list asks about each ("for each layer", "each of the following") and sizes no layer itself, and
either
  - the items do not read as one network (the whole reading is not answered), or
  - that text calls them separate cases ("for each of the following", "each architecture"), each item
    reads alone, and each declares its own input size when that text makes them one network's layers
    ("the following layers of a CNN");
then each item is read as its own network, sharing the text around the list (the input, the
question asked). The answer is the first item's (``value`` is the first quantity asked); every item
is one ``parts`` entry, with its ``label``. An item that cannot be read is named: the question is
asked back, never answered with only the items that could be read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .answer import Answer, answer_from
from .reader.extract import Extraction, extract
from .reader.cleanup.items import ItemList, asks_each, item_list, says_one_network, says_separate


def _holds_layer(text: str) -> bool:
    """Whether an item's own text names a layer: a layer call of code or a layer word of prose."""
    from .reader.code.notation import read_code
    from .reader.prose.mentions import read
    from .reader.cleanup.normalize import normalize
    code = read_code(text)
    return bool(code.layers) or any(m.label == "KIND" for m in read(normalize(code.text)).mentions)


def _declares_input(listed: ItemList, n: int, x: Extraction) -> bool:
    """Whether item ``n`` restates the size of its own input: its first layer declares it (PyTorch
    in_channels / in_features) or the item itself states an input."""
    from .reader.prose.mentions import read
    from .reader.cleanup.normalize import normalize
    layers = [layer for layer in (x.spec.layers if x.spec else ()) if not layer.implicit]
    if layers and layers[0].in_features is not None:
        return True
    return any(m.label == "INPUT" for m in read(normalize(listed.text(n))).mentions)


def separate_items(question: str, framework: str | None, whole: Answer, id: Any = None) -> Answer | None:
    """The answer to ``question`` read item by item, or None when its items are not separate
    networks (no labelled list, items that are options or sub-questions, or layers of one network).
    ``whole`` is the answer to the question read as one network."""
    listed = item_list(question)
    if listed is None:
        return None
    around = listed.alone(None)   # the text before and after the list
    if not asks_each(around) or (whole.status == "answered" and not says_separate(around)):
        return None      # a choice among the items ("which of the following"), or one network's layers
    if not all(_holds_layer(listed.text(n)) for n in range(len(listed.items))):
        return None      # options or sub-questions, not layers
    shared = answer_from(extract(around, framework), id=id)
    if shared.status == "answered" and any(n.get("layer") is not None for n in shared.numbers):
        return None      # the text around the list sizes a network's layers: the items are about it
    readings = [extract(listed.alone(n), framework) for n in range(len(listed.items))]
    answers = [answer_from(x, id=id) for x in readings]
    if whole.status == "answered" and not all(
            a.status == "answered" and (_declares_input(listed, n, x) or not says_one_network(around))
            for n, (a, x) in enumerate(zip(answers, readings))):
        return None      # items that chain: one network's layers
    failed = [n for n, a in enumerate(answers) if a.status != "answered"]
    if failed:
        return _ask_about_item(question, listed, answers, failed, id)
    return _combined(question, listed, answers)


def _label(listed: ItemList, n: int) -> str:
    return f"({listed.items[n].label})"


def _item_text(listed: ItemList, n: int, width: int = 70) -> str:
    text = " ".join(listed.text(n).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _combined(question: str, listed: ItemList, answers: list[Answer]) -> Answer:
    from .reader.ledger import account
    first = answers[0]
    labels = [_label(listed, n) for n in range(len(answers))]
    parts = tuple({"quantity": a.quantity, "value": a.value, "layer": a.layer, "label": listed.items[n].label}
                  for n, a in enumerate(answers))
    steps: list[str] = []
    for n, a in enumerate(answers):
        steps.append(f"Item {labels[n]}: {_item_text(listed, n)}")
        steps.extend(f"  {line}" for line in a.steps)
    note = (f"the items {labels[0]}–{labels[-1]} are read as separate networks, each on the input the question "
            f"gives; the answer is item {labels[0]}'s, the first asked, and every item is one part")
    assumptions = [note, *first.assumptions]
    for n, a in enumerate(answers[1:], 1):
        assumptions.extend(f"{labels[n]} {text}" for text in a.assumptions if text not in first.assumptions)
    numbers = _numbers(listed, answers, account)
    extraction = dict(first.extraction or {}, numbers=list(numbers),
                      items=[{"label": item.label, "text": listed.text(n)} for n, item in enumerate(listed.items)])
    return replace(first, question=question, parts=parts, steps=tuple(steps), assumptions=tuple(assumptions),
                   numbers=numbers, extraction=extraction)


def _numbers(listed: ItemList, answers: list[Answer], account) -> tuple[dict, ...]:
    """The ledger of the whole question: each item's numbers from its own reading, the numbers
    around the list from the first item's (each item's question keeps every offset)."""
    spans = [(item.start, item.end) for item in listed.items]
    placed: list[tuple[int, dict]] = []
    for n, a in enumerate(answers):
        entries = account(listed.alone(n))
        for entry, shown in zip(entries, a.numbers):
            inside = next((k for k, (s, e) in enumerate(spans) if s <= entry.start < e), None)
            if inside == n or (inside is None and n == 0):
                placed.append((entry.start, dict(shown, item=listed.items[n].label) if inside == n else shown))
    return tuple(shown for _, shown in sorted(placed, key=lambda p: p[0]))


def _ask_about_item(question: str, listed: ItemList, answers: list[Answer], failed: list[int], id: Any) -> Answer:
    """Items read apart, one or more of which could not be read: say which, and what it lacks."""
    labels = [_label(listed, n) for n in range(len(answers))]
    missing = tuple(f"item {labels[n]} '{_item_text(listed, n)}' was not understood: "
                    + ("; ".join(answers[n].missing) or answers[n].message or answers[n].status) for n in failed)
    read = [f"{labels[n]} {_value_words(a)}" for n, a in enumerate(answers) if a.status == "answered"]
    message = (f"Understood: the items {labels[0]}–{labels[-1]} as separate networks"
               + (f"; read: {', '.join(read)}" if read else "") + f". Missing: {'; '.join(missing)}. "
               "Ask again with that item's layer written out in full, e.g. 'nn.Conv2d(3, 32, kernel_size=3)'.")
    return Answer(question, "needs_clarification", id=id, quantity=answers[failed[0]].quantity,
                  missing=missing, message=message)


def _value_words(a: Answer) -> str:
    from .render.common import part_phrase
    return part_phrase(a.quantity, a.value, a.unit, a.layer)
