"""``python -m verify thm2 --bound <attack>``: refused with one line and exit 2, before any code runs."""

import pytest

from verify import cli

MARKER = "pwned-marker"

ATTACKS = [
    f"Symbol.__new__.__globals__['__builtins__']['open']('{MARKER}', 'w')",
    f"__import__('os').system('touch {MARKER}')",
    f"(lambda: open('{MARKER}', 'w'))()",
    f"[open('{MARKER}', 'w') for _ in (1,)]",
    "10**10**10",
    "2**99999999",
    "(" * 300 + "sigma_j" + ")" * 300,
    "sigma_j/(r-r)",  # was 'internal error: KeyError'
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack[:30])
def test_attacks_on_bound_exit_2_with_one_line(attack, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["thm2", "--bound", attack, "--kind", "sufficient"])
    captured = capsys.readouterr()
    assert code == cli.EXIT_USAGE
    assert not (tmp_path / MARKER).exists()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "bound must be an expression in N, r, s, f, sigma_j" in lines[0], lines
    assert "Traceback" not in captured.err and "internal error" not in captured.err
