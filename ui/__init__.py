"""Gradio chat UI for the assistant. `ui.app.build_app(assistant)` builds it, `ui.app.main(settings)` serves it."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

__all__ = ["build_app", "main"]


def __getattr__(name: str):  # lazy: importing `ui` does not import gradio
    if name in __all__:
        from ui import app

        return getattr(app, name)
    raise AttributeError(name)
