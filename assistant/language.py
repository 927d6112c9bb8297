"""A cheap language guess, so fixed messages answer in the user's language."""

from __future__ import annotations

import re
from pathlib import Path

_FR = set("le la les des du une est sont dans pour avec quel quelle quels quelles combien pourquoi comment "
          "qui que quoi au aux et ou sur par ces cette été puces données chinoises américaines".split())
_EN = set("the is are of in for with what which how many why who was were did does to and on by".split())


def detect_language(text: str) -> str:
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", text.lower())
    fr = sum(w in _FR for w in words) + 2 * bool(re.search(r"[àâçéèêëîïôûùœ]", text.lower()))
    en = sum(w in _EN for w in words)
    return "fr" if fr > en else "en"


def _fold(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


class Glossary:
    """French → English domain terms: a French question is searched with both, so the English
    embedding model and the English documents can still answer it."""

    def __init__(self, entries: dict[str, str]) -> None:
        folded = {_fold(k): v for k, v in entries.items()}
        keys = sorted(folded, key=len, reverse=True)  # longest phrase first
        self._pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])") if keys else None
        self._entries = folded

    @classmethod
    def load(cls, path: "Path") -> "Glossary":
        import yaml

        return cls({str(k): str(v) for k, v in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items()})

    def english_terms(self, text: str) -> str:
        if self._pattern is None:
            return ""
        seen: list[str] = []
        for match in self._pattern.finditer(_fold(text)):
            value = self._entries[match.group(1)]
            if value not in seen:
                seen.append(value)
        return " ".join(seen)
