"""The Dagster UI as an operator sees it: the webserver starts on 127.0.0.1, the asset graph shows the
project's assets group by group (ingest -> … -> report), and each asset's checks are listed. The
GraphQL API is the cross-check for what the pages should show."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.cdp import Chromium

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
GROUP_ASSETS = {  # group -> asset names the lineage graph must show (the last part of the key)
    "ingest": ["observations", "api_observations"],
    "marts": ["fct_target_scorecard", "fct_target_progress", "dim_targets"],
    "publish": ["marts"],
    "report": ["progress_html"],
}
CHECKED_ASSETS = [["raw", "observations"], ["raw", "api_observations"], ["marts", "fct_target_scorecard"]]
GRAPHQL = """{
  workspaceOrError { ... on Workspace { locationEntries { name } } }
  assetNodes { assetKey { path } groupName dependencyKeys { path }
               assetChecksOrError { ... on AssetChecks { checks { name } } } }
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# `dagster dev` parses the dbt project in its code server before it answers: beside the Spark module on
# 2 cores that once took over 150 s (CI, 2026-12-05). These tests judge what the UI shows and how fast
# it stops, not how fast it starts.
def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"dagster-webserver exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/server_info", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"dagster-webserver did not answer within {timeout}s")


def graphql(url: str) -> dict:
    request = urllib.request.Request(
        url + "/graphql", data=json.dumps({"query": GRAPHQL}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["data"]


def dismiss_dialogs(page) -> None:
    # the first visit shows a newsletter dialog over the graph; a person would press Skip
    page.evaluate(
        "(() => { const b = Array.from(document.querySelectorAll('button')).find(b => b.textContent.trim() === 'Skip');"
        " if (b) b.click(); })()"
    )


def test_asset_graph_and_checks_in_the_dagster_ui(tmp_path):
    home = tmp_path / "home"
    dagster_home = home / "dagster_home"
    dagster_home.mkdir(parents=True)
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = dict(
        os.environ,
        DAGSTER_HOME=str(dagster_home),
        PMW_HOME=str(home),
        PMW_WAREHOUSE_PATH=str(home / "warehouse.duckdb"),
        DAGSTER_DISABLE_TELEMETRY="1",
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "webserver.log").open("w")
    webserver = str(Path(sys.executable).parent / "dagster-webserver")
    proc = subprocess.Popen(
        [webserver, "-m", "dagster_project.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    shots = home / "screenshots"
    try:
        wait_until_up(url, proc)
        data = graphql(url)
        location = data["workspaceOrError"]["locationEntries"][0]["name"]
        nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
        report = nodes["report/progress_html"]
        assert report["groupName"] == "report"
        assert {"/".join(d["path"]) for d in report["dependencyKeys"]} == {"published/marts"}
        checks = {
            tuple(key): [c["name"] for c in nodes["/".join(key)]["assetChecksOrError"]["checks"]]
            for key in CHECKED_ASSETS
        }
        assert "release_files_pass_contract" in checks[("raw", "observations")]
        assert "api_release_passes_contract" in checks[("raw", "api_observations")]
        assert any("fct_target_scorecard" in c for c in checks[("marts", "fct_target_scorecard")])  # dbt tests

        with Chromium(width=1600, height=1000) as browser:
            page = browser.new_page()
            page.goto(url + "/asset-groups")
            page.wait_for("document.body.innerText.includes('Global asset lineage')", timeout=60)
            dismiss_dialogs(page)
            page.wait_for(
                "document.querySelectorAll('svg').length > 0 && "
                + " && ".join(f"document.body.innerText.includes('{g}')" for g in GROUP_ASSETS),
                timeout=60,
            )
            page.screenshot(shots / "dagster_global_lineage.png", full_page=False)

            for group, names in GROUP_ASSETS.items():
                page.goto(f"{url}/locations/{location}/asset-groups/{group}")
                dismiss_dialogs(page)
                # the graph draws only the nodes in view (the marts group is taller than the window):
                # wait for one of them, then read every name off the group's List tab
                page.wait_for(" || ".join(f"document.body.innerText.includes('{n}')" for n in names), timeout=60)
                assert page.evaluate("document.body.innerText.includes('Asset checks')")
                dismiss_dialogs(page)
                page.screenshot(shots / f"dagster_group_{group}.png", full_page=False)
                page.goto(f"{url}/locations/{location}/asset-groups/{group}/list")
                page.wait_for(" && ".join(f"document.body.innerText.includes('{n}')" for n in names), timeout=60)

            for key in CHECKED_ASSETS:
                expected = checks[tuple(key)]
                assert expected, key
                page.goto(f"{url}/assets/{'/'.join(key)}?view=checks")
                dismiss_dialogs(page)
                # every check GraphQL knows is listed, and the tab counts exactly those
                page.wait_for(
                    " && ".join(f"document.body.innerText.includes({json.dumps(c)})" for c in expected)
                    + f" && document.body.innerText.includes('Checks ({len(expected)})')",
                    timeout=60,
                )
                page.screenshot(shots / f"dagster_checks_{'_'.join(key)}.png", full_page=False)
            # the UI tries dagster.io for telemetry; with no network that fails, and nothing else may
            errors = [e for e in page.errors() if "dagster.io" not in e]
            assert errors == []
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the webserver and the code server it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # anything of the group still running
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    print(f"screenshots: {shots}")
