"""A cheap language guess, so fixed messages answer in the user's language."""

from __future__ import annotations

import re

_FR = set("le la les des du une est sont dans pour avec quel quelle quels quelles combien pourquoi comment "
          "qui que quoi au aux et ou sur par ces cette été puces données chinoises américaines".split())
_EN = set("the is are of in for with what which how many why who was were did does to and on by".split())


def detect_language(text: str) -> str:
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", text.lower())
    fr = sum(w in _FR for w in words) + 2 * bool(re.search(r"[àâçéèêëîïôûùœ]", text.lower()))
    en = sum(w in _EN for w in words)
    return "fr" if fr > en else "en"
