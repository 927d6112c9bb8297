"""One typed settings object, built once at the edge (CLI, UI, tests) and passed down.

Values come from `ASSISTANT_*` environment variables or a `.env` file. An invalid value
fails at start with a message that names the variable, not deep inside a query.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import SettingsError

ENV_PREFIX = "ASSISTANT_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of the assistant; defaults run the embedded stack with no configuration."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    data_dir: Path = Field(PROJECT_ROOT / "data", description="Where the embedded Chroma store lives.")
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Markdown corpus and data/chips.csv.")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; unset = embedded.")
    embedding_model: str = Field("", description="Local sentence-transformers folder; empty = the packaged all-MiniLM-L6-v2.")
    chunk_tokens: int = Field(200, ge=32, le=256, description="Word pieces per chunk (the model truncates at 256).")
    k: int = Field(6, ge=1, le=50, description="Chunks passed to the answer step.")
    candidates: int = Field(30, ge=1, le=200, description="Candidates per retrieval leg before fusion.")
    retrieval_mode: Literal["hybrid", "dense", "keyword"] = "hybrid"
    rrf_k: int = Field(60, ge=1)
    hnsw_ef_search: int = Field(400, ge=10, le=10_000, description="HNSW search breadth (index.store.EF_SEARCH: "
                                "Chroma's default 100 missed exact neighbours on this corpus).")
    answer_sentences: int = Field(4, ge=1, le=12)
    abstain_threshold: float = Field(0.38, ge=0.0, le=1.0, description="Minimum support score; calibrated by scripts/calibrate.py.")
    max_question_chars: int = Field(1000, ge=10)
    progress: bool = True
    ui_host: str = "127.0.0.1"
    ui_port: int = Field(7860, ge=1, le=65535)
    ui_auth: str | None = Field(None, description="user:password for basic auth in the UI.")
    upload_max_mb: float = Field(10.0, gt=0)
    upload_max_chunks: int = Field(2000, ge=1, description="Most chunks one upload may make (a 5 MB text makes ~8,000).")
    upload_ttl_hours: float = Field(24.0, gt=0, description="Uploads of anonymous browser sessions older than this are purged.")
    max_history_chars: int = Field(5000, ge=100, description="Longest accepted turn in a conversation history.")
    concurrency_limit: int = Field(2, ge=1, description="Concurrent UI requests; 2 measured best on 2 cores "
                                   "(scripts/benchmark_concurrency.py, docs/benchmark).")
    encoder_backend: Literal["torch", "onnx", "onnx-int8", "openvino"] = Field(
        "onnx-int8", description="Encoder runtime (measured by scripts/benchmark_encoders.py); index.Embedder also reads "
        "ASSISTANT_ENCODER_BACKEND itself.")
    keyword_cache_dir: Path | None = Field(
        None, description="Keyword index cache when a Chroma server is used (index/keyword.py reads "
        "ASSISTANT_KEYWORD_CACHE_DIR; default ~/.cache/compute-geopolitics-assistant/keyword).")
    llm_provider: Literal["none", "openai", "ollama"] = Field(
        "none", description="Writer model: none (extractive), openai (any OpenAI-compatible server) or ollama.")
    llm_base_url: str | None = Field(None, description="e.g. http://127.0.0.1:8080/v1 (openai) or http://127.0.0.1:11434 (ollama).")
    llm_model: str = Field("", description="Model name; empty = the first model the OpenAI-compatible server lists.")
    llm_api_key: SecretStr | None = Field(None, description="API key of a hosted endpoint; never logged or shown.")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    llm_max_tokens: int = Field(512, ge=16, le=16384, description="Most tokens in one reply; a longer reply is rejected.")
    llm_timeout_s: float = Field(120.0, gt=0, le=3600, description="Limit for one model call, seconds.")
    llm_max_retries: int = Field(1, ge=0, le=5)
    llm_max_passages: int = Field(4, ge=1, le=50, description="Most passages in the model's prompt (best first).")
    check_mode: Literal["drop", "mark"] = Field("drop", description="Sentences failing the check: removed, or kept marked unverified.")

    @field_validator("chroma_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must look like http://host:port")
        return value.rstrip("/")

    @field_validator("llm_base_url")
    @classmethod
    def _llm_url_has_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must look like http://host:port/v1")
        return value.rstrip("/")

    @property
    def chips_csv(self) -> Path:
        return self.corpus_dir / "data" / "chips.csv"

    @property
    def chroma_mode(self) -> str:
        return f"server {self.chroma_url}" if self.chroma_url else f"embedded {self.data_dir}"


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ENV_PREFIX + str(err["loc"][0]).upper() if err["loc"] else ENV_PREFIX
            problems.append(f"{name}: {err['msg']} (got {err.get('input')!r})")
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from None
