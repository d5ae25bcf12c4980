"""Renderers: each reads an Answer and returns text (or a rich renderable); none changes it."""

from .common import clean
from .jsonout import render_json
from .markdown import render_markdown
from .plain import render_explain_plain, render_plain
from .terminal import THEME, AnswerView, ExplainView, make_console

__all__ = ["AnswerView", "ExplainView", "THEME", "clean", "make_console", "render_explain_plain",
           "render_json", "render_markdown", "render_plain"]
