"""Encoder backends: the ONNX export agrees with torch, int8 stays close, the export is cached by
fingerprint, and a bad backend name is a clear error."""

from __future__ import annotations

import numpy as np
import pytest

from index.embeddings import BACKENDS, EmbeddingModelError, Embedder, export_onnx, model_fingerprint

TEXTS = [
    "The H20 needed a licence from April 2025.",
    "Big Fund III has registered capital of 344 billion yuan, the largest of the three funds so far. " * 12,
    "Les projets approuvés au Xinjiang prévoient 115 000 puces Nvidia.",
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(backend="torch")


def test_onnx_matches_torch_and_counts_the_same_tokens(torch_embedder):
    onnx = Embedder(backend="onnx")
    a = np.asarray(torch_embedder.embed(TEXTS))
    b = onnx.embed_array(TEXTS)
    assert b.dtype == np.float32 and b.shape == a.shape == (3, 384)
    assert np.abs(a - b).max() < 1e-4  # the second text is truncated at 256 word pieces by both
    assert np.allclose(onnx.embed_one(TEXTS[0]), b[0], atol=1e-5)
    assert [onnx.count_tokens(t) for t in TEXTS] == [torch_embedder.count_tokens(t) for t in TEXTS]
    assert onnx.max_tokens == torch_embedder.max_tokens == 256
    assert onnx.name == torch_embedder.name  # same vectors, same collections


def test_int8_is_close_and_kept_apart(torch_embedder):
    int8 = Embedder(backend="onnx-int8")
    a = np.asarray(torch_embedder.embed(TEXTS))
    c = int8.embed_array(TEXTS)
    assert (a * c).sum(1).min() > 0.97
    assert int8.name == torch_embedder.name + "-int8"


def test_export_is_cached_by_fingerprint(torch_embedder):
    path = export_onnx(torch_embedder.model_path)
    mtime = path.stat().st_mtime_ns
    assert export_onnx(torch_embedder.model_path) == path and path.stat().st_mtime_ns == mtime
    assert model_fingerprint(torch_embedder.model_path) in str(path.parent)


def test_openvino_when_installed(torch_embedder):
    pytest.importorskip("openvino")
    ov = Embedder(backend="openvino")
    a = np.asarray(torch_embedder.embed(TEXTS[:1]))
    assert (a * ov.embed_array(TEXTS[:1])).sum() > 0.999


def test_unknown_backend_is_a_clear_error(monkeypatch):
    with pytest.raises(EmbeddingModelError, match="onnx-int8"):
        Embedder(backend="tensorrt")
    monkeypatch.setenv("ASSISTANT_ENCODER_BACKEND", "torch")
    assert Embedder().backend == "torch"
    assert set(BACKENDS) == {"torch", "onnx", "onnx-int8", "openvino"}
