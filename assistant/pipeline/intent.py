"""Nearest-exemplar intent classification: does a question part ask for a stated fact (`lookup`)
or for a calculation by one of the tool families?

The exemplars are a labelled data file (`assistant/prompts/intents.yaml`), embedded once with the
same sentence encoder as the corpus. A part takes the label with the highest vote among its k
nearest exemplars, each weighted by exp(similarity / temperature) (a softmax over the neighbours). Chip names are masked as CHIP in both, so a label follows the
shape of the question, not the chip it names. `leave_one_out()` measures how well the labels
generalise to phrasings that are not in the file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from assistant.prompts import load

LOOKUP = "lookup"


@dataclass(frozen=True)
class IntentVote:
    label: str
    score: float  # the winning label's share of the vote, 0..1
    scores: dict[str, float]  # every label's share


class IntentClassifier:
    """`classify(text)` → IntentVote. `embed` maps a list of texts to unit vectors (n × d), used once
    for the exemplars; `embed_one` embeds one question (the query path's single-thread encoder)."""

    def __init__(self, embed: Callable[[list[str]], Any], exemplars: dict[str, list[str]] | None = None,
                 k: int = 5, temperature: float = 0.05, embed_one: Callable[[str], Any] | None = None) -> None:
        data = exemplars if exemplars is not None else load("intents.yaml")
        self.labels: list[str] = []
        texts: list[str] = []
        for label, phrasings in data.items():
            for text in phrasings:
                self.labels.append(str(label))
                texts.append(str(text))
        self.texts = texts
        self.k = k
        self.temperature = temperature
        self._embed = embed
        self._embed_one = embed_one or (lambda text: embed([text])[0])
        self.matrix = np.asarray(embed(texts), dtype=np.float32)

    def _vote(self, sims: np.ndarray, exclude: int | None = None) -> IntentVote:
        order = np.argsort(-sims)
        votes: dict[str, float] = defaultdict(float)
        taken = 0
        top = max(float(s) for j, s in enumerate(sims) if j != exclude)
        for i in order:
            if i == exclude:
                continue
            # softmax weights: a near-identical exemplar outweighs several loosely similar ones
            votes[self.labels[i]] += float(np.exp((float(sims[i]) - top) / self.temperature))
            taken += 1
            if taken >= self.k:
                break
        total = sum(votes.values()) or 1.0
        shares = {label: v / total for label, v in votes.items()}
        label = max(shares, key=shares.get) if shares else LOOKUP
        return IntentVote(label, shares.get(label, 0.0), shares)

    def with_exemplars(self, exemplars: dict[str, list[str]]) -> "IntentClassifier":
        """Another classifier over other labelled texts, with the same encoder and vote."""
        return IntentClassifier(self._embed, exemplars, k=self.k, temperature=self.temperature,
                                embed_one=self._embed_one)

    def classify(self, text: str) -> IntentVote:
        vector = np.asarray(self._embed_one(text), dtype=np.float32)
        return self._vote(self.matrix @ vector)

    def leave_one_out(self) -> float:
        """Share of exemplars whose label is recovered from the others alone."""
        sims = self.matrix @ self.matrix.T
        right = sum(self._vote(sims[i], exclude=i).label == self.labels[i] for i in range(len(self.labels)))
        return right / len(self.labels) if self.labels else 0.0
