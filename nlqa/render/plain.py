"""Plain text: what a pipe, a file or NO_COLOR gets. Sections separated by one blank line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import CHECKS_TITLE, LAYER_ALIGN, LAYER_HEADERS, View, explain_lines, format_table, view_of

if TYPE_CHECKING:
    from ..answer import Answer


def _section(title: str, lines: list[str]) -> list[str]:
    return [title, *lines] if lines else []


def plain_sections(view: View) -> list[list[str]]:
    """The answer as a list of sections, each a list of lines."""
    sections = [[f"Question: {view.question}"]]
    if not view.answered:
        block = [view.title + ":", *(f"  {line}" for line in view.message.splitlines())]
        if view.missing:
            block += ["  Missing:", *(f"    - {m}" for m in view.missing)]
        sections.append(block)
    if view.layers:
        rows = list(view.layers) + ([view.totals] if view.totals else [])
        sections.append(_section("Layers", format_table(LAYER_HEADERS, rows, LAYER_ALIGN)))
    sections.append(_section("Derivation", [f"  {s}" for s in view.steps]))
    if view.answered:
        sections.append([f"Answer: {view.answer}"])
    sections.append(_section(CHECKS_TITLE, [f"  - {c}" for c in view.checks]))
    sections.append(_section("Assumptions", [f"  - {a}" for a in view.assumptions]))
    sections.append(_section("Other readings", [f"  - {r}: {v}" for r, v in view.alternatives]))
    sections.append(_section("Related questions", [f"  {i}. {q}" for i, q in enumerate(view.related, 1)]))
    if view.tip:
        sections.append([f"Tip: {view.tip}"])
    return [s for s in sections if s]


def render_plain(answer: Answer) -> str:
    """The answer as plain text, ending with a newline."""
    return "\n\n".join("\n".join(s) for s in plain_sections(view_of(answer))) + "\n"


def render_explain_plain(extraction: dict | None) -> str:
    """What the reader extracted (``nlqa ask --explain``), one 'label: text' line each."""
    pairs = explain_lines(extraction)
    width = max(len(label) for label, _ in pairs)
    return "Reader\n" + "\n".join(f"  {label.ljust(width)}  {text}" for label, text in pairs) + "\n"
