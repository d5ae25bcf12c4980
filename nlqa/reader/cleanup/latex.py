"""Math written in LaTeX ($C_{in}=256$, \\(x_t \\in \\mathbb{R}^{20}\\)) turned into plain text with pylatexenc.

Only the math spans are converted: the prose and any pasted code around them keep their backslashes.
pylatexenc is imported on the first question that has math, so start-up does not pay for it.
"""

from __future__ import annotations

import re
from functools import lru_cache

MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]{1,400}?)(?<![\s\\])\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)


@lru_cache(maxsize=1)
def _converter():
    from pylatexenc.latex2text import LatexNodes2Text
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def _plain(latex: str) -> str:
    try:
        return _converter().latex_to_text(latex)
    except Exception:  # pylatexenc gives up on some broken input: keep the text as written
        return latex


def latex_to_text(text: str) -> str:
    """``text`` with each math span replaced by its plain-text reading (unchanged without math)."""
    if "$" not in text and "\\(" not in text and "\\[" not in text:
        return text
    return MATH.sub(lambda m: " " + _plain(next(g for g in m.groups() if g is not None)) + " ", text)
