"""Who owns an upload. Uploads are private: every write, listing and search of the user collection
is restricted to one owner id.

- "local": the Python API and the CLI on this machine (the default);
- "user:<name>": a user the UI authenticated (ASSISTANT_UI_AUTH, or a future multi-user auth);
- "session:<id>": an anonymous browser session of the UI (its uploads are purged when abandoned).
"""

from __future__ import annotations

import hashlib
from typing import Any

LOCAL = "local"
MAX_OWNER_CHARS = 200


def check_owner(owner: Any) -> str:
    """The owner id, or ValueError for anything that is not a short, printable, non-empty string."""
    if not isinstance(owner, str) or not owner.strip():
        raise ValueError(f"owner must be a non-empty string, not {owner!r}")
    if len(owner) > MAX_OWNER_CHARS or not owner.isprintable():
        raise ValueError("owner must be printable and at most 200 characters")
    return owner


def user_owner(username: str) -> str:
    return "user:" + username


def session_owner(session_hash: str) -> str:
    """A browser session's owner id; hashed so that the id stored beside the documents does not
    reveal the session token itself."""
    return "session:" + hashlib.sha256(session_hash.encode("utf-8", "surrogatepass")).hexdigest()[:32]
