"""The layering the design promises, read from the source: theory ← numerics ← verify, no claim imports another
claim, the CLI, reports and plots never import training, and every file the code cites exists in the repository."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("theory", "numerics", "verify")
# what each layer may import from the project (the rest of the world is free)
ALLOWED = {"theory": {"theory"}, "numerics": {"theory", "numerics"}, "verify": {"theory", "numerics", "verify"}}
NO_TRAINING = ("verify/cli.py", "verify/report.py", "verify/plots.py")


def _modules():
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _imports(path: Path, source: str | None = None) -> set:
    """Absolute dotted names of every module ``path`` (or ``source`` read as if it were that file) imports, at
    any depth of the file (lazy imports too)."""
    package = list(path.relative_to(ROOT).parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text() if source is None else source, str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # `from . import claims`
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path):
    layer = path.relative_to(ROOT).parts[0]
    project = {name for name in _imports(path) if name.split(".")[0] in PACKAGES}
    assert {name.split(".")[0] for name in project} <= ALLOWED[layer], project
    relative = str(path.relative_to(ROOT))
    if relative.startswith("verify/claims/") and not relative.endswith("__init__.py"):
        own = path.stem
        others = {name for name in project if name.startswith("verify.claims.")
                  and name.split(".")[2] not in (own, "__init__")}
        assert not others, f"a claim imports another claim: {others}"
    if relative in NO_TRAINING:
        assert not {name for name in project if name.startswith("verify.training")}


def test_the_import_reader_sees_lazy_and_relative_imports():
    claim, cli = ROOT / "verify" / "claims" / "omp.py", ROOT / "verify" / "cli.py"
    assert "verify.claims.thm2" in _imports(claim, "def f():\n    from .thm2 import CLAIM\n")
    assert "verify.training.toy" in _imports(cli, "def f():\n    from .training import toy\n")
    assert "verify.claim" in _imports(claim, "from ..claim import Claim\n")


def test_every_cited_file_exists_and_none_is_outside_the_repository():
    cited = set()
    for path in _modules() + sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]:
        text = path.read_text()
        assert not re.search(r"(toy-model|beyond-toy|numerics-notes|other-claims)\.md|shared/(seeds|reference)", text), \
            f"{path.relative_to(ROOT)} cites a file outside the repository"
        cited.update(re.findall(r"\bdocs/[\w./-]+\.md\b", text))
    missing = sorted(name for name in cited if not (ROOT / name).exists())
    assert cited and not missing, missing
