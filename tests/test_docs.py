"""What docs/ci.md and docs/pre-commit.md tell users to paste: it parses, and it is complete."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pre_commit.clientlib import load_config, load_manifest

from schemadiff.model import DiffResult, Side, Source
from schemadiff.render import markdown

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"


def yaml_blocks(name: str) -> list[Any]:
    text = (DOCS / name).read_text()
    blocks = re.findall(r"^```yaml\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)
    assert blocks, f"{name} has no yaml block"
    return [yaml.safe_load(block) for block in blocks]


def workflow() -> dict[str, Any]:
    """The complete workflow: the first block of ci.md."""
    document: dict[str, Any] = yaml_blocks("ci.md")[0]
    return document


def steps() -> list[dict[str, Any]]:
    (job,) = workflow()["jobs"].values()
    found: list[dict[str, Any]] = job["steps"]
    return found


def step(predicate: str) -> tuple[int, dict[str, Any]]:
    """The first step whose ``uses`` or ``run`` contains ``predicate``, with its position."""
    for i, found in enumerate(steps()):
        if predicate in found.get("uses", "") or predicate in found.get("run", ""):
            return i, found
    raise AssertionError(f"no step with {predicate!r}")


@pytest.mark.parametrize("name", ["ci.md", "pre-commit.md"])
def test_every_yaml_block_parses(name: str) -> None:
    for block in yaml_blocks(name):
        assert isinstance(block, dict | list)


def test_the_workflow_runs_on_pull_requests_and_may_comment() -> None:
    document = workflow()
    triggers = document.get("on", document.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    assert document["permissions"]["pull-requests"] == "write"


def test_the_workflow_checks_out_the_history_and_installs() -> None:
    _, checkout = step("actions/checkout@v4")
    assert checkout["with"]["fetch-depth"] == 0
    step("actions/setup-python@")
    _, install = step("pip install schemadiff")
    assert install["id"] == "install"


def test_the_check_is_the_gate_and_annotates() -> None:
    _, check = step("schemadiff check")
    assert "if" not in check
    assert re.search(r'schemadiff check "origin/\$\{GITHUB_BASE_REF\}\.\.\.HEAD"', check["run"])
    assert "--format github" in check["run"]


def test_the_report_and_the_comment_run_after_a_failed_check() -> None:
    at_check, _ = step("schemadiff check")
    at_report, report = step("--format markdown")
    at_comment, comment = step("actions/github-script@v7")
    assert at_check < at_report < at_comment
    assert re.search(r'schemadiff "origin/\$\{GITHUB_BASE_REF\}\.\.\.HEAD"', report["run"])
    assert "> schemadiff.md" in report["run"]
    assert '>> "$GITHUB_STEP_SUMMARY"' in report["run"]
    for later in (report, comment):
        assert "!cancelled()" in later["if"]
    script = comment["with"]["script"]
    assert markdown.MARKER in script
    for call in ("listComments", "updateComment", "createComment", 'readFileSync("schemadiff.md"'):
        assert call in script


def test_the_comment_is_found_by_the_reports_first_line() -> None:
    unchanged = DiffResult(
        Side("origin/main...HEAD", "a" * 40, Source.GIT),
        Side("HEAD", "b" * 40, Source.GIT),
        "postgresql",
        (),
        findings=(),
    )
    stream = io.StringIO()
    markdown.render(unchanged, stream)
    assert stream.getvalue().splitlines()[0] == markdown.MARKER == "<!-- schemadiff -->"
    (gh_step,) = yaml_blocks("ci.md")[1]
    assert f'startswith("{markdown.MARKER}")' in gh_step["run"]


@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_the_comment_script_is_valid_javascript(tmp_path: Path) -> None:
    """actions/github-script runs the script as the body of an async function."""
    _, comment = step("actions/github-script@v7")
    script = tmp_path / "comment.js"
    script.write_text(f"async function run(github, context) {{\n{comment['with']['script']}}}\n")
    checked = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_shell_steps_are_valid_bash() -> None:
    scripts = [s["run"] for s in steps() if "run" in s]
    scripts += [s["run"] for block in yaml_blocks("ci.md")[1:] for s in _steps(block) if "run" in s]
    for script in scripts:
        checked = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
        assert checked.returncode == 0, (script, checked.stderr)


def _steps(block: Any) -> list[dict[str, Any]]:
    """The steps of a snippet: a list of steps, or a whole workflow."""
    if isinstance(block, list):
        return block
    return [step for job in block["jobs"].values() for step in job["steps"]]


def test_the_fork_workflow_confines_the_forks_code_and_keeps_secrets_out() -> None:
    (workflow,) = [
        b for b in yaml_blocks("ci.md") if isinstance(b, dict) and b["name"].endswith("(forks)")
    ]
    assert list(workflow[True]) == ["pull_request_target"]  # YAML 1.1 reads `on` as true
    steps = _steps(workflow)
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout")]
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)
    fork = [s for s in checkouts if "ref" in s["with"]]
    assert [s["with"]["ref"] for s in fork] == ["${{ github.event.pull_request.head.sha }}"]
    running = [s for s in steps if re.search(r"^\s*schemadiff ", s.get("run", ""), re.M)]
    assert running
    for step in running:
        assert "--sandbox=strict" in step["run"]
        assert "secrets." not in str(step.get("env", {})) and "token" not in str(step.get("env"))
    install = next(s for s in steps if s.get("name") == "Install")
    assert "pr/" not in install["run"]  # the fork's requirements would run unconfined


def pre_commit_configs() -> list[dict[str, Any]]:
    return [b for b in yaml_blocks("pre-commit.md") if isinstance(b, dict) and "repos" in b]


def test_the_pre_commit_configs_load(tmp_path: Path) -> None:
    configs = pre_commit_configs()
    assert len(configs) == 3
    for i, config in enumerate(configs):
        path = tmp_path / f"config{i}.yaml"
        path.write_text(yaml.safe_dump(config))
        loaded = load_config(str(path))  # pre-commit's own loader: raises when invalid
        hooks = [hook["id"] for repo in loaded["repos"] for hook in repo["hooks"]]
        assert hooks == ["schemadiff-check"]
    remote = configs[0]["repos"][0]
    assert remote["repo"].startswith("https://github.com/") and remote["rev"]
    assert configs[1]["repos"][0]["hooks"][0]["additional_dependencies"] == [
        "sqlmodel",
        "geoalchemy2",
    ]


def test_the_local_hook_runs_what_the_manifest_runs() -> None:
    (manifest_hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    (local_repo,) = pre_commit_configs()[2]["repos"]
    assert local_repo["repo"] == "local"
    (local,) = local_repo["hooks"]
    for key in ("id", "entry", "pass_filenames", "require_serial", "always_run"):
        assert local[key] == manifest_hook[key], key
    assert set(local["stages"]) <= set(manifest_hook["stages"])
