"""The chat model behind the generative writer: built from settings, checked by `doctor`.

`make_chat_writer(settings)` is the one entry point the pipeline uses: it returns None when
`ASSISTANT_LLM_PROVIDER=none` (the extractive writer answers) and otherwise a `ChatModelWriter`
over LangChain's own classes — `langchain_openai.ChatOpenAI(base_url=...)` for every
OpenAI-compatible server (llama.cpp, vLLM, LM Studio, hosted APIs), `langchain_ollama.ChatOllama`
for Ollama. Building it contacts nothing; the first answer does, with a timeout on every call.

Every failure becomes an `LLMUnavailableError` whose message is one line naming the problem and
the fix (`describe_failure`). The API key is a `SecretStr`: it is passed to the client and never
logged, shown or put in a message (`redact`).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from assistant.errors import LLMUnavailableError
from assistant.settings import Settings

log = logging.getLogger(__name__)

OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
LOCAL_KEY = "not-needed"  # OpenAI-compatible local servers ignore the key, but the client requires one
PROBE_PROMPT = "Reply with the single word OK."
DETAIL_CHARS = 160


# ---------------------------------------------------------------------------------------- helpers
def _api_key(settings: Settings) -> str | None:
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else ""
    return key or None


def base_url(settings: Settings) -> str:
    """The endpoint the settings point at, with the provider's default filled in."""
    if settings.llm_base_url:
        return settings.llm_base_url
    return OLLAMA_DEFAULT_URL if settings.llm_provider == "ollama" else OPENAI_DEFAULT_URL


def describe_llm(settings: Settings) -> str:
    """One line for logs and `doctor`: provider, endpoint, model. Never the key."""
    if settings.llm_provider == "none":
        return "none (extractive writer)"
    model = settings.llm_model or "(first listed)"
    return f"{settings.llm_provider} {base_url(settings)}, model {model}"


_KEYLIKE = re.compile(r"\b(sk|pk|key|token)[-_][A-Za-z0-9_*.\-]{6,}", re.I)


def redact(text: str, secret: str | None = None) -> str:
    """Remove the API key (and anything that looks like one) from a message."""
    if secret:
        text = text.replace(secret, "***")
    return _KEYLIKE.sub(lambda m: m.group(1) + "-***", text)


def _one_line(text: str, limit: int = DETAIL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _status_of(exc: BaseException) -> int | None:
    for attr in ("status_code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    response = getattr(exc, "response", None)
    value = getattr(response, "status_code", None)
    return value if isinstance(value, int) else None


def describe_failure(exc: BaseException, *, url: str, model: str, timeout_s: float | None = None,
                     secret: str | None = None) -> str:
    """One line naming what went wrong with the model call and how to fix it."""
    name = type(exc).__name__
    detail = _one_line(redact(str(exc), secret))
    where = f"the language model server at {url}"
    status = _status_of(exc)
    lowered = f"{name} {detail}".lower()
    if isinstance(exc, TimeoutError) or "timeout" in lowered or "timed out" in lowered:
        limit = f" within {timeout_s:g} s" if timeout_s else " in time"
        return (f"{where} did not answer{limit}; raise ASSISTANT_LLM_TIMEOUT_S, use a smaller model, "
                "or check that the server is not overloaded")
    if status in (401, 403) or "authentication" in lowered or "api key" in lowered or "api_key" in lowered:
        return f"{where} refused the request ({detail}); set a valid ASSISTANT_LLM_API_KEY"
    if status == 404 or ("not found" in lowered and "model" in lowered):
        return (f"the model '{model or '(unset)'}' is not available at {url} ({detail}); set ASSISTANT_LLM_MODEL "
                "to a model the server lists" + (f", or run `ollama pull {model}`" if ":11434" in url else ""))
    if ("connect" in lowered or "connection" in lowered or isinstance(exc, ConnectionError)
            or "refused" in lowered or "unreachable" in lowered):
        return (f"{where} cannot be reached ({detail}); start it (bash scripts/llm-server.sh) or fix "
                "ASSISTANT_LLM_BASE_URL")
    if status == 400 or "context" in lowered and "exceed" in lowered:
        return (f"{where} rejected the request ({detail}); the prompt may be longer than the model's context: "
                "lower ASSISTANT_K or use a model with a longer context")
    if status is not None and status >= 500:
        return f"{where} failed with HTTP {status} ({detail}); check the server's log"
    return f"the language model call failed ({name}: {detail}); check {url} and ASSISTANT_LLM_* settings"


# ---------------------------------------------------------------------------------------- models
def list_models(settings: Settings, timeout_s: float = 5.0) -> list[str]:
    """Model names the endpoint lists (OpenAI `GET /models`, Ollama `GET /api/tags`)."""
    import httpx

    url = base_url(settings)
    key = _api_key(settings)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    timeout = min(timeout_s, settings.llm_timeout_s)
    if settings.llm_provider == "ollama":
        response = httpx.get(f"{url}/api/tags", headers=headers, timeout=timeout)
        response.raise_for_status()
        return [str(m.get("name") or m.get("model")) for m in response.json().get("models", [])]
    response = httpx.get(f"{url}/models", headers=headers, timeout=timeout)
    response.raise_for_status()
    return [str(m.get("id")) for m in response.json().get("data", [])]


def resolve_model(settings: Settings) -> str:
    """ASSISTANT_LLM_MODEL, or the first model the server lists when it is empty."""
    if settings.llm_model:
        return settings.llm_model
    url = base_url(settings)
    try:
        names = list_models(settings)
    except Exception as exc:
        raise LLMUnavailableError(describe_failure(exc, url=url, model="", timeout_s=settings.llm_timeout_s,
                                                   secret=_api_key(settings))) from None
    if not names:
        raise LLMUnavailableError(f"the server at {url} lists no model; load one or set ASSISTANT_LLM_MODEL")
    return names[0]


def check_config(settings: Settings) -> None:
    """Raise LLMUnavailableError when the settings cannot work whatever the server does."""
    if settings.llm_provider == "openai" and not settings.llm_base_url and not _api_key(settings):
        raise LLMUnavailableError("ASSISTANT_LLM_PROVIDER=openai needs ASSISTANT_LLM_BASE_URL (a local or "
                                  "self-hosted server) or ASSISTANT_LLM_API_KEY (the hosted API)")


def make_chat_model(settings: Settings, model: str | None = None) -> Any:
    """A LangChain chat model for the settings; contacts nothing. Timeouts and few retries always."""
    provider = settings.llm_provider
    model = model if model is not None else settings.llm_model
    key = _api_key(settings)
    if provider == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:  # pragma: no cover - a dependency of the package
            raise LLMUnavailableError("langchain-openai is not installed; run `bash scripts/setup.sh`") from None
        check_config(settings)
        url = base_url(settings)
        # langchain-openai sends the limit as `max_completion_tokens` (the hosted API's name); local
        # servers (llama.cpp, LM Studio, older vLLM) read only `max_tokens` and would not stop.
        extra = {} if "api.openai.com" in url else {"max_tokens": settings.llm_max_tokens}
        return ChatOpenAI(
            model=model or "default",
            base_url=url,
            api_key=key or LOCAL_KEY,
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
            extra_body=extra or None,
        )
    if provider == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError:  # pragma: no cover
            raise LLMUnavailableError("langchain-ollama is not installed; run `bash scripts/setup.sh`") from None
        client_kwargs: dict[str, Any] = {"timeout": settings.llm_timeout_s}
        if key:
            client_kwargs["headers"] = {"Authorization": f"Bearer {key}"}
        return ChatOllama(
            model=model or "",
            base_url=base_url(settings),
            temperature=settings.llm_temperature,
            num_predict=settings.llm_max_tokens,
            client_kwargs=client_kwargs,
        )
    raise LLMUnavailableError(f"ASSISTANT_LLM_PROVIDER={provider!r} has no chat model; use openai or ollama")


def make_chat_writer(settings: Settings, catalogue: Any = None) -> Any:
    """The chat-model writer for the settings, or None when ASSISTANT_LLM_PROVIDER=none.

    `catalogue` (the assistant's loaded chip catalogue) is used for the bound tools; without it the
    catalogue is loaded from settings.chips_csv when that file exists. Nothing is contacted and nothing
    raised here: the chat model is built at the first answer (with ASSISTANT_LLM_MODEL empty, its name is
    asked from the server then) and any problem surfaces there as an LLMUnavailableError.
    """
    if settings.llm_provider == "none":
        return None
    from assistant.writers.chat import ChatModelWriter

    tools: list[Any] = []
    try:
        from assistant.tools.langchain import build_tools

        if catalogue is None and settings.chips_csv.exists():
            from assistant.tools import load_catalogue

            catalogue = load_catalogue(settings.chips_csv)
        if catalogue is not None:
            tools = build_tools(catalogue)
    except Exception as exc:  # tools are optional: the writer still answers from passages
        log.warning("tools not bound to the chat model: %s", exc)

    def llm() -> Any:  # built at the first answer: a bad setting or a server started later shows there,
        # as an LLMUnavailableError the pipeline turns into the extractive answer, never at start-up
        check_config(settings)
        return make_chat_model(settings, resolve_model(settings))

    return ChatModelWriter(llm, tools=tools, timeout_s=settings.llm_timeout_s,
                           max_tokens=settings.llm_max_tokens, label=describe_llm(settings),
                           secret=_api_key(settings), max_passages=settings.llm_max_passages)


# ---------------------------------------------------------------------------------------- doctor
def check_llm(settings: Settings, probe: bool = True) -> list[str]:
    """Problems with the configured model endpoint, each with its fix; [] when it answers.

    Checks, in order: the settings make sense; the server is reachable (it lists its models);
    the model is there; it answers a one-line prompt within ASSISTANT_LLM_TIMEOUT_S.
    """
    if settings.llm_provider == "none":
        return []
    url = base_url(settings)
    key = _api_key(settings)
    problems: list[str] = []
    try:
        check_config(settings)
    except LLMUnavailableError as exc:
        return [f"{exc} (e.g. http://127.0.0.1:8080/v1 for bash scripts/llm-server.sh)"]
    listed: list[str] | None = None
    try:
        listed = list_models(settings)
    except Exception as exc:
        status = _status_of(exc)
        if status is None or status >= 500 or status in (401, 403):
            return [describe_failure(exc, url=url, model=settings.llm_model, timeout_s=settings.llm_timeout_s,
                                     secret=key)]
        # a server without a model list (404/405) may still answer: the probe decides
    model = settings.llm_model
    if not model:
        if not listed:
            return [f"the server at {url} lists no model and ASSISTANT_LLM_MODEL is empty; set ASSISTANT_LLM_MODEL"]
        model = listed[0]
    if not probe:
        return problems
    try:
        llm = make_chat_model(settings, model)
        llm = _with_limits(llm, max_tokens=8)
        started = time.monotonic()
        reply = llm.invoke(PROBE_PROMPT)
        log.info("model %s answered the probe in %.1f s", model, time.monotonic() - started)
    except LLMUnavailableError as exc:
        return [str(exc)]
    except Exception as exc:
        message = describe_failure(exc, url=url, model=model, timeout_s=settings.llm_timeout_s, secret=key)
        if listed and settings.llm_model and settings.llm_model not in listed:
            message += f" (the server lists: {', '.join(listed[:5])})"
        return [message]
    if not str(getattr(reply, "content", "") or "").strip():
        problems.append(f"the model '{model}' at {url} answered with empty text; use another model or check "
                        "the server's chat format (scripts/llm-server.sh uses chatml-function-calling)")
    return problems


def _with_limits(llm: Any, max_tokens: int) -> Any:
    """A copy of the chat model with a small reply limit (for probes)."""
    update: dict[str, Any] = {"num_predict": max_tokens} if hasattr(llm, "num_predict") else {"max_tokens": max_tokens}
    if getattr(llm, "extra_body", None):
        update["extra_body"] = {**llm.extra_body, "max_tokens": max_tokens}
    try:
        return llm.model_copy(update=update)
    except Exception:  # pragma: no cover - every LangChain chat model is a pydantic model
        return llm
