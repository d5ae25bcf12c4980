"""Exceptions that carry what was understood, what is missing and how to ask again."""

from __future__ import annotations


class NlqaError(Exception):
    """Base class of nlqa's own errors."""


class GrammarError(NlqaError):
    """A grammar data file is malformed: names the file, the line and the entry."""

    def __init__(self, filename: str, lineno: int, problem: str):
        self.filename, self.lineno, self.problem = filename, lineno, problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.filename}:{self.lineno}" if self.lineno else self.filename
        return f"grammar file {where}: {self.problem}"


class SpecError(NlqaError):
    """A network spec the core cannot count (unknown layer kind, impossible size or shape)."""

    def __init__(self, problem: str, layer: int | None = None, hint: str = ""):
        self.problem, self.layer, self.hint = problem, layer, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"layer {self.layer}: " if self.layer else ""
        return f"{where}{self.problem}" + (f" {self.hint}" if self.hint else "")


class MissingInfo(NlqaError):
    """The question does not determine the answer."""

    def __init__(self, understood: str, missing: list[str], hint: str = ""):
        self.understood, self.missing, self.hint = understood, list(missing), hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"Understood: {self.understood}. Missing: {', '.join(self.missing)}."
        return text + (f" Try adding: {self.hint}" if self.hint else "")


class ExportError(NlqaError):
    """A network nlqa counted that a framework cannot express as code (``nlqa ask --code``)."""

    def __init__(self, framework: str, problem: str, layer: int | None = None):
        self.framework, self.problem, self.layer = framework, problem, layer
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"layer {self.layer}: " if self.layer else ""
        return f"no {self.framework} code written: {where}{self.problem}"
