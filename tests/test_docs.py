"""The README's commands, the CLI reference and the public API are checked, so docs stay true."""

from __future__ import annotations

import re
import subprocess
import sys
import types

import groundswell
from groundswell.cli import build_parser
from gspaths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block_after(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```", README, re.S)
    assert match, marker
    return match.group(1).strip()


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    demo, tests = _block_after("quickstart-demo"), _block_after("quickstart-test")
    assert "\n" not in demo and "\n" not in tests
    assert demo.endswith("groundswell demo") and "pip install -e ." in demo
    assert "pytest" in tests and "'.[test]'" in tests
    out = subprocess.run(
        [
            "awk",
            "/<!-- quickstart-test -->/{f=1; next} f && /^```bash/{g=1; next} "
            "g && /^```/{exit} g{print}",
            str(REPO / "README.md"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == tests
    assert "awk '/<!-- quickstart-test -->/" in (REPO / ".ci" / "run").read_text()


def test_every_command_is_documented_in_the_readme():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [name for name in sub.choices if f"groundswell {name}" not in README]
    assert missing == []


def test_every_command_has_help_and_the_cli_starts_without_heavy_imports():
    code = (
        "import sys, groundswell.cli as c; c.build_parser().format_help(); "
        "heavy = [m for m in ('torch', 'sklearn', 'spacy', 'transformers', 'pandas', 'scipy') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        assert parser.description, name


def test_public_api_all_is_complete():
    eager = {
        name
        for name, value in vars(groundswell).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in ("annotations", "import_module", "Any")
    }
    assert eager | set(groundswell._LAZY) | {"__version__"} == set(groundswell.__all__)
    for name in groundswell.__all__:
        assert getattr(groundswell, name) is not None, name


def test_the_shipped_codebook_is_the_shared_one_and_the_readme_links_it():
    import pytest

    ours = (REPO / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert "(docs/codebook.md)" in README
    assert "## 1. Speech act of a post" in ours
    shared = REPO.parent / "shared" / "CODEBOOK.md"
    if not shared.exists():
        pytest.skip("../shared/CODEBOOK.md not present")
    assert ours == shared.read_text(encoding="utf-8")
