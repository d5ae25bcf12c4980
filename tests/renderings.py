"""Every form an answer is shown in, as text: for tests that check each renderer shows something."""

from __future__ import annotations

import io

from nlqa.batchout import Csv, Markdown
from nlqa.render import AnswerView, make_console, render_markdown, render_plain
from nlqa.render.brief import brief_lines


def every_rendering(answer) -> dict[str, str]:
    """The answer as plain text, Markdown, the rich terminal, a chat follow-up, CSV and batch Markdown."""
    console_out = io.StringIO()
    make_console(console_out, width=400, no_color=True).print(AnswerView(answer))
    return {"plain": render_plain(answer), "markdown": render_markdown(answer).replace("\\", ""),
            "rich": console_out.getvalue(), "brief": "\n".join(brief_lines(answer, None)),
            "csv": Csv().record(answer), "batch-markdown": Markdown().record(answer).replace("\\", "")}
