"""The streams, terminal facts and environment the CLI runs in; tests pass their own ``Env``.

Modelled on httpie's ``Environment``: nothing in ``nlqa.cli`` touches ``sys.stdin``/``sys.stdout``
or ``os.environ`` directly, so ``main(argv, env=Env(stdin=..., stdout=StringIO(), ...))`` runs the
whole command in-process.
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any, Iterator, Mapping


def decode(data: bytes | str) -> str:
    """Bytes from a pipe or file as text: UTF-8, undecodable bytes become U+FFFD, never an error."""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


@dataclass
class Env:
    """Where the CLI reads and writes. Defaults are the process's own streams and environment."""

    stdin: IO[Any] | None = field(default_factory=lambda: sys.stdin)
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    stdin_isatty: bool | None = None           # None: ask the stream
    stdout_isatty: bool | None = None
    no_color: bool | None = None               # None: NO_COLOR set and non-empty (no-color.org)
    width: int | None = None                   # None: the terminal's width

    def __post_init__(self) -> None:
        if self.stdin_isatty is None:
            self.stdin_isatty = _isatty(self.stdin)
        if self.stdout_isatty is None:
            self.stdout_isatty = _isatty(self.stdout)
        if self.no_color is None:
            self.no_color = bool(self.environ.get("NO_COLOR"))

    @property
    def rich_output(self) -> bool:
        """Rich rendering only for a terminal that has not asked for NO_COLOR."""
        return bool(self.stdout_isatty and not self.no_color)

    def _binary_stdin(self) -> IO[Any]:
        if self.stdin is None:
            return io.BytesIO()
        return getattr(self.stdin, "buffer", self.stdin)

    def read_stdin(self) -> str:
        """All of stdin as text (binary-safe)."""
        return decode(self._binary_stdin().read())

    def read_stdin_bounded(self, max_chars: int) -> tuple[str, bool]:
        """At most ``max_chars`` + 1 characters of stdin (binary-safe) and whether more were cut:
        a huge input is never held in memory whole."""
        import codecs
        stream = self._binary_stdin()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        parts, size = [], 0
        while size <= max_chars:
            data = stream.read(min(1 << 16, 4 * (max_chars + 1 - size)))
            if not data:
                parts.append(decoder.decode(b"", final=True))
                break
            text = decoder.decode(data) if isinstance(data, bytes) else data
            parts.append(text)
            size += len(text)
        text = "".join(parts)
        return text[:max_chars + 1], len(text) > max_chars

    def stdin_lines(self) -> Iterator[str]:
        """Stdin one line at a time as it arrives (binary-safe), for streaming ``batch``."""
        for line in self._binary_stdin():
            yield decode(line)

    def console(self):
        """A rich console on stdout with nlqa's theme."""
        from ..render import make_console
        return make_console(self.stdout, terminal=self.stdout_isatty, no_color=bool(self.no_color),
                            width=self.width)

    def error(self, message: str) -> None:
        """One line on stderr, prefixed with the program name."""
        from ..render.common import clean
        self.stderr.write(f"nlqa: {' '.join(clean(message).split())}\n")
        self.stderr.flush()
