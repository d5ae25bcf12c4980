"""What the reader understood of a question: the Extraction and its alternative readings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.spec import NetworkSpec


@dataclass
class Alternative:
    reading: str
    spec: NetworkSpec | None = None
    quantity: str | None = None
    layers_removed: tuple[str, ...] = ()   # layer kinds the reading leaves out ("Pooler")
    minus_terms: tuple[str, ...] = ()      # term labels the reading subtracts ("token embeddings")


@dataclass
class Extraction:
    """What the reader understood of a question."""

    question: str
    spec: NetworkSpec | None = None
    quantity: str | None = None
    layer: int | None = None
    status: str = "answered"                 # answered | needs_clarification | unsupported
    missing: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    reason: str = ""                         # for unsupported
    understood: list[str] = field(default_factory=list)
    framework_source: str = "default"        # default | text | code | option | summary
    table_lines: frozenset = frozenset()     # 0-based lines of a pasted summary table
    mentions: list[tuple[str, str, str]] = field(default_factory=list)  # for --explain
    memory: dict[str, Any] = field(default_factory=dict)  # dtype, unit, optimizer, precision
    operations: dict[str, Any] = field(default_factory=dict)  # MACs/FLOPs: asked, sequence, per_step, batch
    param_count: int | None = None           # a model given only by its size ("a 7B model")
    number_spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, role): a model's name
    superseded: tuple[int, ...] = ()          # values of settings the question changes later ("heads: 8" → 16)
    parts: list[tuple[str, int | None]] = field(default_factory=list)  # (quantity, layer) per part asked, in order
    parts_for: tuple | None = None           # the (quantity, layer) the parts were read for (a chat edit
                                             # that changes either makes them stale)

    def asked_parts(self) -> list[tuple[str, int | None]]:
        """The parts asked, or the one quantity asked when the parts are not this reading's."""
        if self.parts and self.parts_for == (self.quantity, self.layer):
            return list(self.parts)
        return [(self.quantity, self.layer)] if self.quantity else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "quantity": self.quantity, "layer": self.layer,
            "spec": self.spec.to_dict() if self.spec else None, "missing": self.missing,
            "assumptions": self.assumptions, "understood": self.understood,
            "framework_source": self.framework_source,
            "alternatives": [{"reading": a.reading, "spec": a.spec.to_dict() if a.spec else None,
                              "quantity": a.quantity} for a in self.alternatives],
            "mentions": [{"label": l, "id": i, "text": t} for l, i, t in self.mentions],
            "parts": [{"quantity": q, "layer": n} for q, n in self.parts],
        }
