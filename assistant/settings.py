"""One typed settings object, built once at the edge (CLI, UI, tests) and passed down.

Values come from `ASSISTANT_*` environment variables or a `.env` file. An invalid value
fails at start with a message that names the variable, not deep inside a query.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
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
    answer_sentences: int = Field(4, ge=1, le=12)
    abstain_threshold: float = Field(0.38, ge=0.0, le=1.0, description="Minimum support score; calibrated by scripts/calibrate.py.")
    coverage_min: float = Field(0.0, ge=0.0, le=1.0, description="Minimum share of the question's words found in the sources; calibrated.")
    max_question_chars: int = Field(1000, ge=10)
    progress: bool = True
    ui_host: str = "127.0.0.1"
    ui_port: int = Field(7860, ge=1, le=65535)
    ui_auth: str | None = Field(None, description="user:password for basic auth in the UI.")
    upload_max_mb: float = Field(10.0, gt=0)
    concurrency_limit: int = Field(4, ge=1)

    @field_validator("chroma_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must look like http://host:port")
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
