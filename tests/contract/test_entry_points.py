"""Claims from other packages: the worked example (examples/claim-package) registers through the entry point; a
package whose entry point cannot be loaded, names no claim, takes an id or is not named by its claim's id is refused
naming it, and only when its claim is looked up: the other claims still run."""

import inspect
import os
import subprocess
import sys
from importlib import metadata

import pytest

from verify.claims import ENTRY_POINTS, REGISTRY, Registry
from verify.errors import ClaimDefinitionError


def test_the_example_package_registers_its_claim_through_the_entry_point():
    names = {entry.name: entry.value for entry in metadata.entry_points(group=ENTRY_POINTS)}
    assert names.get("half-time") == "halftime_claim:CLAIM", "pip install -e examples/claim-package (README)"
    claim = REGISTRY["half-time"]
    assert type(claim).__module__ == "halftime_claim"
    assert len(inspect.getsource(inspect.getmodule(claim)).splitlines()) <= 150


def _package(directory, *entries: str, module: str = "") -> None:
    """An installed distribution 'broken-claims' in ``directory`` whose entry points are ``entries`` ('name =
    module:attribute'), with the module ``broken_claims`` holding ``module``'s source."""
    info = directory / "broken_claims-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-claims\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINTS}]\n" + "\n".join(entries) + "\n")
    (directory / "broken_claims.py").write_text(module)


def _installed_here(monkeypatch, directory, *entries: str, module: str = "") -> list:
    """``_package`` on this process's path, its module not yet imported (another test may have imported its own):
    the entry points of the group, now."""
    _package(directory, *entries, module=module)
    monkeypatch.syspath_prepend(str(directory))
    monkeypatch.delitem(sys.modules, "broken_claims", raising=False)
    return list(metadata.entry_points(group=ENTRY_POINTS))


@pytest.mark.parametrize("entry, module, expected", [
    ("gone = no_such_module_here:CLAIM", "", "ModuleNotFoundError: No module named 'no_such_module_here'"),
    ("raises = broken_claims:CLAIM", "raise RuntimeError('half written')", "RuntimeError: half written"),
    ("missing = broken_claims:CLAIM", "", "AttributeError"),
])
def test_a_claim_package_that_cannot_be_loaded_is_named_with_its_cause_and_what_to_do(tmp_path, monkeypatch, entry,
                                                                                         module, expected):
    registry = Registry(_installed_here(monkeypatch, tmp_path, entry, module=module))
    assert "thm1" in registry and registry["thm1"] is REGISTRY["thm1"]  # the others load
    with pytest.raises(ClaimDefinitionError) as raised:
        registry[entry.split(" = ")[0]]
    message = str(raised.value)
    assert f"entry point {entry} (package broken-claims) cannot be loaded" in message
    assert expected in message and "pip uninstall broken-claims" in message


@pytest.mark.parametrize("attribute, expected", [
    ("CLAIM = 'thm1'", "is not a verify.claim.Claim instance"),
    ("from verify.claims import REGISTRY\nCLAIM = REGISTRY['thm1']", "names claim id 'thm1': name the entry point by"),
])
def test_an_entry_point_that_is_no_claim_or_not_named_by_its_id_is_refused(tmp_path, monkeypatch, attribute,
                                                                            expected):
    registry = Registry(_installed_here(monkeypatch, tmp_path, "other = broken_claims:CLAIM", module=attribute))
    with pytest.raises(ClaimDefinitionError, match=expected):
        registry["other"]


def test_an_entry_point_that_takes_a_registered_id_is_refused(tmp_path, monkeypatch):
    entries = _installed_here(monkeypatch, tmp_path, "thm1 = broken_claims:CLAIM")
    with pytest.raises(ClaimDefinitionError, match="registers claim id 'thm1', which is taken"):
        Registry(entries)


def test_the_cli_names_a_broken_claim_package_in_one_line_and_exits_2(tmp_path):
    _package(tmp_path, "gone = no_such_module_here:CLAIM")
    done = subprocess.run([sys.executable, "-m", "verify", "list"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("python -m verify: error: entry point gone = no_such_module_here:CLAIM (package "
                                  "broken-claims) cannot be loaded: ModuleNotFoundError")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_a_broken_claim_package_leaves_the_other_claims_running(tmp_path):
    _package(tmp_path, "gone = no_such_module_here:CLAIM")
    done = subprocess.run([sys.executable, "-m", "verify", "thm1", "--latex", str(tmp_path / "thm1.tex")],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "\\begin{document}" in (tmp_path / "thm1.tex").read_text()


def test_looking_up_a_claim_imports_only_its_module():
    probe = ("import sys\nfrom verify.claims import REGISTRY\nREGISTRY['thm2']\n"
             "print(' '.join(sorted(m for m in sys.modules if m.startswith('verify.claims.'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["verify.claims.thm2"]
