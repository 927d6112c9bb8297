"""Launch the UI, hold a real two-question conversation in headless Chromium, save a full-page screenshot.

    python scripts/screenshot.py [--out docs/screenshot.png] [--data-dir DIR]

Uses Debian's /usr/bin/chromium (apt-get install -y chromium), offline: every host but
localhost is unresolvable. The index is built on first use if DIR has none (~35 s).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = ["How many data-center projects were approved in Xinjiang and Qinghai?",
             "What share of Stargate's compute would the Xinjiang chips be?"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--data-dir", type=Path, default=None, help="index folder (default: settings.data_dir)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from assistant import Assistant, load_settings
    from ui.app import build_app, launch

    overrides: dict[str, object] = {"progress": False}
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    settings = load_settings(**overrides)
    t0 = time.perf_counter()
    assistant = Assistant(settings)
    assistant.index_status()  # build the index now, not during the first question
    demo = build_app(assistant)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    launch(demo, settings, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(demo.local_url)
            page.wait_for_selector("#index-status table")
            for i, question in enumerate(QUESTIONS):
                page.fill("#question textarea", question)
                page.click("#ask-btn")
                page.wait_for_function(  # turn i is answered once its sources are in the panel
                    "n => !!document.querySelector(`#sources-panel .sources[data-turn='${n}']`)", arg=i)
            page.locator("#tool-chart-0 img").wait_for(state="visible")
            page.wait_for_timeout(500)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    finally:
        demo.close()
    print(f"saved {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
