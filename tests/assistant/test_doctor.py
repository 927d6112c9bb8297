"""`assistant doctor` finds what is wrong with the index and says how to fix it."""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from assistant import load_settings
from assistant.doctor import run_checks

REPO = Path(__file__).resolve().parents[2]
FIXTURE_CORPUS = REPO / "tests" / "fixtures" / "corpus"


def checks_by_name(settings):
    return {c.name: c for c in run_checks(settings)}


@pytest.fixture
def built(tmp_path, embedder):
    """A data dir with the fixture corpus indexed, and its settings."""
    from index import index_corpus, open_store

    settings = load_settings(data_dir=tmp_path / "data", corpus_dir=FIXTURE_CORPUS, progress=False)
    index_corpus(open_store(settings.data_dir, None, embedder), FIXTURE_CORPUS, 200, progress=False)
    return settings


def test_a_healthy_index_passes(built):
    checks = checks_by_name(built)
    assert all(c.ok for c in checks.values()), checks
    assert "quick_check ok" in checks["database"].detail and "chunks for this model" in checks["store"].detail


def test_garbage_inside_the_database_fails_sqlites_quick_check(built):
    db = built.data_dir / "chroma" / "chroma.sqlite3"
    with db.open("r+b") as fh:
        fh.seek(db.stat().st_size // 2)
        fh.write(os.urandom(64 * 1024))
    check = checks_by_name(built)["database"]
    assert not check.ok and "damaged" in check.detail and "move" in check.detail


def test_an_unfinished_rebuild_is_reported(built, embedder, monkeypatch):
    from index import index_corpus, open_store

    store = open_store(built.data_dir, None, embedder)
    real = store.put_document
    calls = []

    def killed(*args, **kwargs):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "put_document", killed)
    with pytest.raises(KeyboardInterrupt):
        index_corpus(store, FIXTURE_CORPUS, 200, rebuild=True, progress=False)
    checks = checks_by_name(built)
    assert checks["store"].ok  # the previous index still answers ...
    build = checks["index build"]  # ... and the unfinished build is named, with the fix
    assert not build.ok and "did not finish" in build.detail and "assistant index --rebuild" in build.detail
    from assistant import Assistant

    state = Assistant(built).index_state()
    assert state["complete"] and "did not finish" in state["warning"]


def test_an_index_built_for_another_model_is_reported_with_the_fix(built, tmp_path, monkeypatch):
    import numpy as np
    from safetensors.numpy import load_file, save_file

    from index.embeddings import default_model_path

    src, dest = Path(default_model_path()), tmp_path / "other" / "model"
    dest.mkdir(parents=True)
    for item in src.iterdir():
        if item.name != "model.safetensors":
            (dest / item.name).symlink_to(item)
    weights = load_file(str(src / "model.safetensors"))
    rng = np.random.default_rng(1)
    save_file({k: v + rng.normal(0, 0.02, v.shape).astype(v.dtype) if v.dtype == np.float32 else v
               for k, v in weights.items()}, str(dest / "model.safetensors"))
    monkeypatch.setenv("ASSISTANT_ENCODER_BACKEND", "torch")
    check = checks_by_name(built.model_copy(update={"embedding_model": str(dest)}))["store"]
    assert not check.ok
    assert f"no index for the configured embedding model {dest}" in check.detail
    assert f"ASSISTANT_EMBEDDING_MODEL={default_model_path()}" in check.detail and "assistant index" in check.detail


def _others_can_enter(path: Path) -> bool:
    """Every folder above `path` lets other users through (a clone in a `mktemp -d` folder does not)."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents] if p.is_dir())


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to run doctor as nobody")
@pytest.mark.skipif(not (_others_can_enter(REPO) and _others_can_enter(Path(sys.executable).parent)),
                    reason="the checkout or the interpreter is in a folder other users cannot enter")
def test_a_read_only_data_dir_is_reported_as_not_writable(embedder):
    """doctor run by a user who may read the index but not write it (here: nobody)."""
    from index import index_corpus, open_store

    root = Path(tempfile.mkdtemp(prefix="doctor-ro-", dir="/tmp"))
    try:
        data, home = root / "data", root / "home"
        index_corpus(open_store(data, None, embedder), FIXTURE_CORPUS, 200, progress=False)
        home.mkdir()
        os.chown(home, 65534, 65534)
        for path in [root, *root.rglob("*")]:
            if path != home and not path.is_relative_to(home):
                mode = path.stat().st_mode
                path.chmod((mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
                            | (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if path.is_dir() else 0))
                           & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "HF_HUB_OFFLINE": "1",
               "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIR": str(FIXTURE_CORPUS),
               "ASSISTANT_ENCODER_BACKEND": "torch", "GRADIO_ANALYTICS_ENABLED": "False"}
        out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m",
                              "assistant", "doctor"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 1, out.stdout + out.stderr
        store_line = next(line for line in out.stdout.splitlines() if " store:" in line)
        assert store_line.startswith("FAIL") and "is not writable" in store_line and "corrupt" not in store_line
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
        shutil.rmtree(root, ignore_errors=True)
