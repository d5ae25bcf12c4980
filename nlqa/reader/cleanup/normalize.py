"""Text clean-up before tokenization: HTML entities, markdown (:mod:`nlqa.reader.cleanup.markdown`), LaTeX,
rewrites from ``grammars/rewrites.tsv`` and numbers.

Number words become digits ("one hundred twenty-eight" → "128"), thousands separators go
("30,522" → "30522"), suffixes scale ("30k" → "30000", "1.5M" → "1500000").
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from ...errors import GrammarError
from .latex import latex_to_text
from .markdown import clauses
from ...resources import grammar_text, load_toml
from .needs import Needed, needs
from .typos import correct


@lru_cache(maxsize=None)
def rewrites() -> tuple[tuple[re.Pattern[str], str], ...]:
    rules = []
    for lineno, line in enumerate(grammar_text("rewrites.tsv").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        pattern, sep, replacement = line.partition("\t")
        if not sep:
            raise GrammarError("rewrites.tsv", lineno, "expected a pattern, a TAB and a replacement")
        try:
            rules.append((re.compile(pattern), replacement))
        except re.error as exc:
            raise GrammarError("rewrites.tsv", lineno, f"bad regular expression: {exc}") from None
    return tuple(rules)


@lru_cache(maxsize=None)
def _guarded_rewrites() -> tuple[tuple[re.Pattern[str], str, Needed], ...]:
    """Each rewrite with what every match of its pattern needs (nlqa.reader.cleanup.needs)."""
    return tuple((pattern, replacement, needs(pattern)) for pattern, replacement in rewrites())


@lru_cache(maxsize=None)
def _number_tables() -> tuple[dict[str, int], dict[str, int], dict[str, int], re.Pattern[str]]:
    table = load_toml("numbers.toml")
    words, scales, suffixes = table["words"], table["scales"], table["suffixes"]
    alternation = "|".join(sorted(list(words) + list(scales), key=len, reverse=True))
    run = re.compile(
        rf"\b(?:{alternation})(?:(?:\s+|-|\s+and\s+)(?:{alternation}))*\b", re.IGNORECASE)
    return words, scales, suffixes, run


def _words_to_numbers(run: str, words: dict[str, int], scales: dict[str, int]) -> str:
    """'one hundred and twenty-eight' → '128'; 'two four' → '2 4' (two numbers); 'fifteen and
    ten' → '15 and 10' ("and" joins one number only after a scale word)."""
    pieces = re.split(r"(\s+and\s+|[\s-]+)", run.lower())
    parts, joiners = pieces[0::2], [""] + [" and " if "and" in sep else " " for sep in pieces[1::2]]
    out: list[str] = []
    total = current = 0
    last = None  # "unit" | "ten" | "scale"
    started = False
    for part, joiner in zip(parts, joiners):
        if not part:
            continue
        if part in scales:
            current = max(current, 1) * scales[part]
            if scales[part] >= 1000:
                total, current = total + current, 0
            last, started = "scale", True
            continue
        value = words[part]
        kind = "ten" if value >= 20 and value % 10 == 0 else "unit"
        collides = started and (joiner == " and " and last != "scale" or (last == "unit") or (
            last == "ten" and kind == "ten") or (last == "ten" and value >= 10))
        if collides:
            out += [str(total + current), joiner if joiner == " and " else " "]
            total = current = 0
        current += value
        last, started = kind, True
    out.append(str(total + current))
    return "".join(out)


_E = load_toml("tokenizer.toml")["element"]
TUPLE = re.compile(rf"\(\s*{_E}(?:\s*,\s*{_E})+\s*,?\s*\)|\(\s*{_E}\s*,\s*\)")


SCALED = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
THOUSANDS = re.compile(r"(?<![\d,.(])(\d{1,3})((?:,\d{3})+)(?![\d,]*\))(?=\b)")
LONG_RUN = re.compile(r"(\S{64})(?=\S)")
PAIR = re.compile(r"(?<![\w.>-])(?<!-> )(\d+) -> (\d+)(?!\w|\.\d|-| ->|\s+(?:outputs?|classes|class|units?|neurons?|nodes?)\b)")
CHAIN = re.compile(r"(?<!-> )(?<![\w.-])\d+(?: -> \d+){2,}(?!\w|\.\d|\s*->)")
# a size named by a symbol and given its value elsewhere: "a hidden layer of width H ... For H = 64"
SYMBOL_VALUE = re.compile(r"(?<![\w.])([A-Z]|[a-z](?=\s*=)|[A-Za-z]_\{?[A-Za-z]+\}?|d_model|d_ff|d_k)\s*=\s*(\d+)(?!\w|\.\d)")
SYMBOL_WORDS = {"a", "A", "I", "i", "x", "X"}   # letters that are words, or a product sign, in prose


def with_symbol_values(text: str) -> str:
    """Each symbol given one value ("p = 10", "H = 64") written as that value where it first sizes
    something ("an input dimension p", "width H"); the assignments themselves stay as written."""
    values: dict[str, set[str]] = {}
    given_at: dict[str, int] = {}
    for m in SYMBOL_VALUE.finditer(text):
        values.setdefault(m.group(1), set()).add(m.group(2))
        given_at.setdefault(m.group(1), m.start())
    for symbol, found in values.items():
        if len(found) != 1 or symbol in SYMBOL_WORDS:
            continue
        value = next(iter(found))
        # the first place the symbol sizes something names it, if that comes before its value is given
        # ("width H ... For H = 64"); where the value is given in place ("f=2048"), later uses restate it
        use = re.compile(rf"(?<![\w.=(,\[]){re.escape(symbol)}(?![\w(\[]|\s*=)").search(text)
        given = next((m.start() for m in SYMBOL_VALUE.finditer(text) if m.group(1) == symbol), given_at[symbol])
        if use is not None and use.start() < given:
            text = text[:use.start()] + value + text[use.end():]
    return text


POWER = re.compile(r"(?<![\w.])(\d{1,4})\s*(?:\^|\*\*)\s*(\d{1,2})(?![\d.])")


# a first line of at most 150 characters without end punctuation, with more text after it
TITLE = re.compile(r"\A(\s*[^\n]{1,150}?[^\s.?!:;,(\[{=])[ \t]*\n(?=[ \t]*\S)")


# a "label: value" line of a fenced block, what a program printed ("Whole model: 124439808",
# "Head: 38597376"): its number ends the clause, so it never binds to the word starting the next line
FENCED = re.compile(r"(?ms)^[ \t]*(?:```|~~~)[^\n]*\n.*?^[ \t]*(?:```|~~~)")
LABEL_VALUE = re.compile(r"(?m)^([ \t]*[A-Za-z][\w .()/-]{0,40}:[ \t]*\d[\d,.]*)[ \t]*(?=\n[ \t]*\S)")


def normalize(text: str) -> str:
    """The text with messy notation rewritten, misspelt key words corrected and numbers in digits."""
    text = FENCED.sub(lambda m: LABEL_VALUE.sub(r"\1;", m.group(0)), text)  # printed "Head: 38597376": no "38597376 heads"
    text = LONG_RUN.sub(r"\1 ", text)  # the tokenizer is slow on very long unbroken runs
    if "&" in text:  # HTML entities of a scraped post: "&gt;", "&amp;", "&#39;", "&nbsp;"
        text = html.unescape(text).replace("\xa0", " ")
    text = latex_to_text(text)  # "$C_{in}=256$" -> "C_in=256" (pylatexenc, math spans only)
    text = with_symbol_values(text)  # "width H ... H = 64" -> "width 64 ... H = 64"
    text = POWER.sub(lambda m: str(int(m.group(1)) ** int(m.group(2))), text)  # "10**30", "10^3"
    text = THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)  # "30,522" -> "30522"
    text = SCALED.sub(_scaled_words, text)  # "1.3 billion" -> "1300000000"
    text = clauses(text)  # markdown: markup neutralised, a table row one phrase, a list item one clause
    lowered = None
    for pattern, replacement, needed in _guarded_rewrites():
        if needed.folded and lowered is None:
            lowered = text.lower()
        if needed.could_match(text, lowered):   # most rewrites find nothing: skip those that cannot
            new = pattern.sub(replacement, text)
            if new != text:
                text, lowered = new, None
    text = TUPLE.sub(lambda m: re.sub(r"\s+", "", m.group(0)), text)  # "(3, 1)" -> "(3,1)"
    text = CHAIN.sub(lambda m: re.sub(r"\s*->\s*", "-", m.group(0)), text)  # "3 -> 4 -> 1" -> "3-4-1"
    text = PAIR.sub(r"\1 inputs to \2 outputs", text)  # "a dense layer 128 -> 64"
    text = POWER.sub(lambda m: str(int(m.group(1)) ** int(m.group(2))), text)  # "10^3" -> "1000"
    text = TITLE.sub(r"\1\n\n", text, count=1)  # a post's title is a paragraph of its own
    text = re.sub(r"[ \t]*\n[ \t]*(?!\n)(?<!\n\n)", " ", text)  # a wrapped line is one sentence
    text = re.sub(r"[ \t]+", " ", text)
    words, scales, suffixes, run = _number_tables()
    text = run.sub(lambda m: _words_to_numbers(m.group(0), words, scales), text)
    text = correct(text)
    suffix_chars = "".join(re.escape(s) for s in suffixes)
    text = re.sub(rf"(?<![\w.])(\d+(?:\.\d+)?)([{suffix_chars}])(?![\w])",
                  lambda m: _scaled(m.group(1), suffixes[m.group(2)]), text)
    # a shape written with a suffixed number ("80k x 300") is one token too, as "80000x300"
    text = re.sub(r"(?<![\w.])(\d+)\s*[xX*]\s*(?=\d+(?![\w.]))", r"\1x", text)
    return text


def _scaled_words(m: re.Match) -> str:
    factor = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}[m.group(2).lower()]
    return _scaled(m.group(1), factor)


def _scaled(number: str, factor: int) -> str:
    whole, _, frac = number.partition(".")
    value = int(whole + frac) * factor // (10 ** len(frac))
    return str(value)
