"""PyTorch's ``print(model)`` output as code the code reader reads.

A printed module is not Python::

    Net(
      (features): Sequential(
        (0): Conv2d(3, 32, kernel_size=(3, 3), stride=(1, 1))
        (1): ReLU(inplace=True)
      )
      (fc): Linear(in_features=512, out_features=10, bias=True)
    )

but each leaf line holds the module's constructor call as PyTorch prints it. The block is rewritten,
line for line, into one ``nn.Sequential(...)`` of its leaves in printed order (nested containers
flattened), so its parameters are counted from the constructor arguments; the line count is kept,
so a line of the rewritten text is the same line of the question. A PyTorch parameter count never
needs the forward pass, but a printed module does not say how its children are wired: a network
whose leaves do not chain (a residual branch) is left for the core to refuse, never guessed.
"""

from __future__ import annotations

import re

HEAD = re.compile(r"^(?P<indent>\s*)(?:\((?P<name>[\w.\-]+)\):\s*)?(?P<cls>[A-Za-z_]\w*)\(\s*$")
LEAF = re.compile(r"^\s*\((?P<name>[\w.\-]+)\):\s*(?P<call>[A-Za-z_]\w*\(.*\))\s*$")
CLOSE = re.compile(r"^\s*\)\s*$")
MAX_BLOCK_LINES = 2_000


def _block_end(lines: list[str], start: int) -> int | None:
    """The index of the line closing the printed module that opens at ``start`` (None if unclosed)."""
    depth = 0
    for n in range(start, min(len(lines), start + MAX_BLOCK_LINES)):
        line = lines[n]
        if HEAD.match(line):
            depth += 1
        elif CLOSE.match(line):
            depth -= 1
            if depth == 0:
                return n
        elif not LEAF.match(line) and line.strip():
            return None
    return None


def _opens_child(line: str) -> bool:
    """ "(features): Sequential(": a named child module whose own children follow."""
    head = HEAD.match(line)
    return bool(head and head.group("name"))


def as_code(text: str) -> tuple[str, frozenset[int]]:
    """``text`` with each printed module rewritten as an ``nn.Sequential`` call, and the lines rewritten."""
    if "):" not in text:
        return text, frozenset()
    lines = text.split("\n")
    rewritten: set[int] = set()
    n = 0
    while n < len(lines):
        head = HEAD.match(lines[n])
        if not (head and not head.group("name") and n + 1 < len(lines)
                and (LEAF.match(lines[n + 1]) or _opens_child(lines[n + 1]))):
            n += 1
            continue
        end = _block_end(lines, n)
        if end is None:
            n += 1
            continue
        lines[n] = "model = nn.Sequential("
        for k in range(n + 1, end):
            leaf = LEAF.match(lines[k])
            lines[k] = f"    nn.{leaf.group('call')}," if leaf else ""
        lines[end] = ")"
        rewritten.update(range(n, end + 1))
        n = end + 1
    return "\n".join(lines), frozenset(rewritten)
