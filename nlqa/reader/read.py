"""What the first stages make of one question, handed to every later stage.

Clean-up (a "what if" variant and pasted pipe output blanked, code relined), code reading (the
``ast`` reader, :mod:`nlqa.reader.code.notation`) and prose reading (mentions, :mod:`nlqa.reader.prose.mentions`)
each return their own data; :func:`read_question` runs them in that order and returns a
:class:`Read`. Later stages (the question asked, the network's assembly, the spec) take a
``Read`` and return their own results; none of them writes into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .prose.attach import attached
from .code.notation import CodeReading, read_code
from .code.layout import channels_last
from .prose.mentions import Mention, Reading, read
from .cleanup.normalize import normalize
from .cleanup.relines import relined
from .code.source import blank_pipe_output
from .cleanup.variants import without_variants


@dataclass(frozen=True)
class Read:
    """One question as the clean-up, code and prose stages read it."""

    question: str                  # the text the stages read: variants and pipe output blanked, code relined
    written: str                   # as asked (relining keeps every offset: the ledger reads either)
    framework: str | None          # the --framework option, if given
    code: CodeReading
    text: str                      # the prose, normalised, with code replaced by placeholders
    reading: Reading
    layout_note: str | None = None
    by_label: dict[str, tuple[Mention, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Mention]] = {}
        for m in self.reading.mentions:
            index.setdefault(m.label, []).append(m)
        object.__setattr__(self, "by_label", {label: tuple(ms) for label, ms in index.items()})

    def mentions(self, *labels: str) -> list[Mention]:
        """The mentions with these labels, in text order."""
        if len(labels) == 1:
            return list(self.by_label.get(labels[0], ()))
        return [m for m in self.reading.mentions if m.label in labels]

    def sentence(self, m: Mention) -> int:
        return self.reading.sentence_of[m.start]

    def with_mentions(self, mentions: list[Mention]) -> Read:
        """The same reading with ``mentions`` in place of its own (a later stage's relabelling)."""
        return replace(self, reading=replace(self.reading, mentions=list(mentions)))


def read_question(question: str, framework: str | None = None) -> Read:
    """Clean-up, code reading and prose reading of ``question``."""
    cleaned = relined(blank_pipe_output(without_variants(question)))
    code, layout_note = channels_last(read_code(cleaned), cleaned)
    text = normalize(code.text)
    return Read(cleaned, question, framework, code, text, attached(read(text)), layout_note)
