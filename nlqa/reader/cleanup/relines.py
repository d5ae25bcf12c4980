"""Code whose line breaks were lost, cut back into one statement per line.

Pages scraped from quiz sites and some forum copies keep a snippet's words but not its newlines:
``import tensorflow as tf input_tensor = tf.random.uniform([1, 64, 64, 3]) conv = ...``. Python
never puts two statements side by side with only a space between them, so on a line that does not
parse, a statement start outside brackets and strings (``name =``, ``import``, ``from ... import``,
or a call right after a closing bracket) that follows the end of an expression begins a new line.
The words that start a statement are data (``grammars/tokenizer.toml`` [relines]).

The cut replaces the space before each statement with a newline, so every character keeps its
offset (the number ledger points into the question). A line is cut only when every piece from
the first statement on then parses; otherwise it is left as written (prose with an "=" in it).
"""

from __future__ import annotations

import keyword
import re
from functools import lru_cache

from ...resources import load_toml
from ..code.source import parse_quietly


@lru_cache(maxsize=1)
def _starts() -> re.Pattern[str]:
    rules = load_toml("tokenizer.toml")["relines"]
    return re.compile("|".join(f"(?:{p})" for p in rules["statement_starts"]))


def _outside_brackets(line: str) -> list[bool]:
    """For each index, whether it stands outside brackets and string literals."""
    flags, depth, quote, i = [], 0, "", 0
    while i < len(line):
        ch = line[i]
        flags.append(depth == 0 and not quote)
        if quote:
            if ch == "\\":
                flags.append(False)
                i += 2
                continue
            if line.startswith(quote, i):
                flags += [False] * (len(quote) - 1)
                i += len(quote)
                quote = ""
                continue
        elif ch in "\"'":
            quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else ch
            flags += [False] * (len(quote) - 1)
            i += len(quote)
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        i += 1
    return flags[:len(line)]


def _ends_expression(before: str) -> bool:
    """The text before a space ends an expression: a bracket, a literal or a name that is not a keyword."""
    stripped = before.rstrip()
    if not stripped:
        return False
    if stripped[-1] in ")]}\"'":
        return True
    word = re.search(r"[A-Za-z_]\w*$|\d+$", stripped)
    return word is not None and not keyword.iskeyword(word.group(0))


def _parses(piece: str) -> bool:
    try:
        parse_quietly(piece)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _cut(line: str) -> str:
    if line.count("=") + line.count("import") + line.count(") ") < 2:
        # a cut needs two statements after the first word, each with its own "=", "import" or ") " first
        return line
    starts = [m.start() for m in _starts().finditer(line) if m.start() > 0 and line[m.start() - 1] == " "]
    if not starts or len(line) > 5_000 or _parses(line):
        return line
    outside = _outside_brackets(line)
    cuts = [at for at in starts if outside[at] and _ends_expression(line[:at])]
    if not cuts:
        return line
    pieces = [line[a:b].strip() for a, b in zip(cuts, cuts[1:] + [len(line)])]
    if len(pieces) < 2 or not all(_parses(p) for p in pieces):
        return line
    chars = list(line)
    for at in cuts:
        chars[at - 1] = "\n"
    return "".join(chars)


def relined(text: str) -> str:
    """``text`` with every run-together code line cut into statements (same length, same offsets)."""
    return "\n".join(_cut(line) for line in text.split("\n"))

