"""``nlqa chat``: conversations whose follow-ups edit the last network (grammar in followups.toml)."""

from .session import Reply, Session

__all__ = ["Reply", "Session"]
