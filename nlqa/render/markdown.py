"""Markdown: for pasting into notes, issues and chats. User text is escaped, steps are a code block."""

from __future__ import annotations

from typing import TYPE_CHECKING

import re

from .common import CHECKS_TITLE, LAYER_ALIGN, LAYER_HEADERS, View, view_of

if TYPE_CHECKING:
    from ..answer import Answer

SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: str) -> str:
    """Text with Markdown's active characters backslash-escaped, one line."""
    return SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _table(view: View) -> list[str]:
    lines = ["| " + " | ".join(LAYER_HEADERS) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in LAYER_ALIGN) + "|"]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in view.layers]
    if view.totals:
        lines.append("| " + " | ".join(f"**{md_escape(c)}**" if c else "" for c in view.totals) + " |")
    return lines


def _fence(lines: tuple[str, ...], language: str = "text") -> list[str]:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + language, *lines, fence]


def _question(text: str) -> list[str]:
    """A one-line question inline; a pasted one (code, several lines) as a fenced block, its
    lines and indentation kept."""
    if "\n" not in text.strip():
        return [f"**Question:** {md_escape(text)}"]
    lines = tuple(text.strip("\n").splitlines())
    return ["**Question:**", "\n".join(_fence(lines))]


def render_markdown(answer: Answer) -> str:
    view = view_of(answer)
    out = _question(view.question)
    if not view.answered:
        out.append(f"**{view.title}.** {md_escape(view.message)}")
        if view.missing:
            out.append("Missing:\n\n" + "\n".join(f"- {md_escape(m)}" for m in view.missing))
    if view.layers:
        out.append("\n".join(_table(view)))
    if view.steps:
        out.append("**Derivation**\n\n" + "\n".join(_fence(view.steps)))
    if view.answered:
        out.append(f"**Answer: {md_escape(view.answer)}**")
    if view.checks:
        out.append(f"**{CHECKS_TITLE}**\n\n" + "\n".join(f"- {md_escape(c)}" for c in view.checks))
    if view.assumptions:
        out.append("**Assumptions**\n\n" + "\n".join(f"- {md_escape(a)}" for a in view.assumptions))
    if view.alternatives:
        out.append("**Other readings**\n\n" + "\n".join(f"- {md_escape(r)}: **{md_escape(v)}**"
                                                       for r, v in view.alternatives))
    if view.related:
        out.append("**Related questions**\n\n" + "\n".join(f"{i}. {md_escape(q)}"
                                                          for i, q in enumerate(view.related, 1)))
    if view.tip:
        out.append(f"> **Tip:** {md_escape(view.tip)}")
    return "\n\n".join(out) + "\n"
