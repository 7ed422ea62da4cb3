"""The `lab` server in a real headless Chromium (issue 17, items 22-25): a section opens as a
notebook with its kernel, saving it unedited leaves it byte-identical, Run All shows the figure
inline without echoing its path, and `git status` stays clean. Slow, and it needs playwright
(`.venv/bin/pip install playwright`, not pinned) and Chromium (`apt-get install chromium`).
It runs `linear_regression_scratch` on its defaults, so it rewrites out/linear_regression_scratch/."""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from gluon_tutorials import sections

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium")]


def git_status():
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def lab_server(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(8)
    args = [sys.executable, "-m", "gluon_tutorials", "lab", "--no-browser", f"--port={port}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log_path = tmp_path / "lab.log"
    with open(log_path, "w") as log:  # the server's log, with its kernels' stderr
        server = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the lab server did not answer within a minute")
        yield base, token, log_path
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_a_section_in_jupyterlab(lab_server):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    base, token, log = lab_server
    section = sections.get("linear_regression_scratch")
    relative = section.path.relative_to(ROOT).as_posix()
    original, status = section.path.read_bytes(), git_status()
    checkpoints = section.path.parent / ".ipynb_checkpoints"
    had_checkpoints = checkpoints.exists()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.goto(f"{base}/lab/tree/{relative}?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120000)
            page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=120000)
            assert not page.query_selector_all(".jp-Dialog")  # no "Select Kernel" question
            page.click(".jp-Notebook")
            page.keyboard.press("Control+s")
            time.sleep(3)
            assert section.path.read_bytes() == original
            page.click("text=Run", timeout=10000)
            page.click("text=Run All Cells", timeout=10000)
            page.wait_for_selector("text=learned b", timeout=300000)
            page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=60000)
            echoed = [e.inner_text() for e in page.query_selector_all(".jp-OutputArea-executeResult")]
            assert not [text for text in echoed if ".png" in text]
            assert page.query_selector_all(".jp-OutputArea-output img")  # the figure, inline
            page.click(".jp-Notebook")
            page.keyboard.press("Control+s")
            time.sleep(3)
        finally:
            browser.close()
            if section.path.read_bytes() != original:  # leave the checkout as it was
                changed = section.path.read_text(encoding="utf-8")
                section.path.write_bytes(original)
                pytest.fail(f"saving changed the file:\n{changed[:400]}")
            if not had_checkpoints:
                shutil.rmtree(checkpoints, ignore_errors=True)
    assert (ROOT / "out" / "linear_regression_scratch" / "data.png").is_file()
    assert not (section.path.parent / "out").exists()
    assert git_status() == status
    assert "without encryption" not in log.read_text()  # ipykernel's plain-TCP warning
