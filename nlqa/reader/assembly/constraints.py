"""Constraints said after the layer they constrain: 'Embedding(5000, 64) ... The embedding is
trainable=False', 'an Embedding(5000, 64) layer that is frozen'.

The prose reader attaches a setting to the layer phrase it stands in; a layer written as code
(or described earlier) and constrained in a later clause or sentence was left as it was. Here each
such constraint finds its layer: a layer kind named in the same sentence ('the embedding'), else
the layer written right before it, else right after it ('a frozen Embedding(...)').
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .assemble import about_positions
from ..prose.kinds import KIND_NAMES, _family

if TYPE_CHECKING:
    from ...core.spec import LayerSpec
    from ..prose.groups import Group

NEAR = 4                 # tokens between a layer and the constraint that follows or precedes it
NEGATIONS = {"not", "n't", "never", "un"}


def _target(ex, layers: list[tuple[LayerSpec, Group]], m) -> int | None:
    """The position in ``layers`` of the layer the FROZEN mention ``m`` is about, or None."""
    sentence = ex.sentence(m)
    spans = [(g.start, g.end) for _, g in layers]
    named = [k for k in ex.mentions("KIND") if ex.sentence(k) == sentence and not k.id.startswith("?")
             and not any(a <= k.start < b for a, b in spans)]     # 'the embedding', not a layer itself
    if named:
        nearest = min(named, key=lambda k: abs(k.start - m.start))
        same = [i for i, (spec, _) in enumerate(layers) if _family(spec.kind) == _family(nearest.id)]
        return same[0] if len(same) == 1 else None
    before = [i for i, (_, g) in enumerate(layers) if g.end <= m.start and m.start - g.end <= NEAR
              and ex.reading.sentence_of[max(g.end - 1, 0)] == sentence]
    if before:
        return before[-1]
    after = [i for i, (_, g) in enumerate(layers) if g.start >= m.end and g.start - m.end <= 1]
    return after[0] if after else None


def frozen_after(ex, layers: list[tuple[LayerSpec, Group]], assumptions: list[str]) -> list:
    """``layers`` with each layer a later (or separate) FROZEN mention is about made non-trainable."""
    doc = ex.reading.doc
    out = list(layers)
    for m in ex.mentions("FROZEN"):
        if about_positions(doc, m) or (m.start > 0 and doc[m.start - 1].lower_ in NEGATIONS):
            continue
        at = _target(ex, out, m)
        if at is None or not out[at][0].trainable:
            continue
        spec, group = out[at]
        out[at] = (spec.with_(trainable=False), group)
        assumptions.append(f"the {KIND_NAMES.get(spec.kind, spec.kind)} layer is frozen ('{m.text}'): its "
                           "parameters count as non-trainable")
    return out
