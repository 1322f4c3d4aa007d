"""The GitHub Actions build (.github/workflows/build.yml): valid, and doing what it says.

The workflow cannot run here, so these tests check its shape: GitHub's schema for
workflows (bundled with check-jsonschema, no network needed), and the steps that matter.
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"
CHECK = ["check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)]
# Test files that need a browser, a window, root and its namespaces, or the benchmarks.
NEEDS_MORE = re.compile(
    r'^(from|import) (playwright|Xlib|test_window|test_browser)\b|"(phones|freshness)\.py"', re.M
)


@pytest.fixture(scope="module")
def job():
    # ruamel.yaml (check-jsonschema's parser) reads YAML 1.2, where `on:` stays a string.
    workflow = YAML(typ="safe", pure=True).load(WORKFLOW)
    [job] = workflow["jobs"].values()
    return job


def runs(job):
    return [step["run"] for step in job["steps"] if "run" in step]


def pytest_arguments(job):
    [command] = [run for run in runs(job) if "-m pytest" in run]
    return shlex.split(command)


def ignored(job):
    return {a.removeprefix("--ignore=") for a in pytest_arguments(job) if a.startswith("--ignore=")}


def test_the_workflow_passes_githubs_workflow_schema():
    command = [sys.executable, "-m", *CHECK]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_it_builds_on_linux_windows_and_macos(job):
    matrix = job["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "windows-latest", "macos-latest"}
    assert job["runs-on"] == "${{ matrix.os }}"
    # Each platform says which executable serves and what it ships.
    described = {entry["os"] for entry in matrix["include"] if {"bundle", "ship"} <= set(entry)}
    assert described == set(matrix["os"])
    assert any(run.strip() == "bash packaging/build.sh" for run in runs(job))


def test_it_starts_the_built_bundle_headless_and_loads_the_guest_page(job):
    [serving] = [run for run in runs(job) if "serve --port 8471" in run]
    assert '"${{ matrix.bundle }}" serve --port 8471 --data-dir' in serving
    assert "http://127.0.0.1:8471/" in serving
    for entry in job["strategy"]["matrix"]["include"]:
        assert entry["bundle"].startswith("dist/LanQA")


def test_it_uploads_the_bundle_as_an_artifact(job):
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1 and uploads[0]["with"]["path"]


def test_its_pytest_command_names_only_test_files_that_exist(job):
    arguments = pytest_arguments(job)
    named = [a.removeprefix("--ignore=") for a in arguments if a.startswith(("--ignore=", "tests"))]
    assert named, arguments
    for path in named:
        assert (ROOT / path).is_file(), f"the workflow names {path}, which does not exist"


def test_its_pytest_command_leaves_out_the_tests_that_need_a_browser_window_or_root(job):
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        if NEEDS_MORE.search(path.read_text(encoding="utf-8")):
            assert f"tests/{path.name}" in ignored(job), f"CI cannot run {path.name}"
