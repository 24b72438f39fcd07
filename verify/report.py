"""Reports of a run: a readable text table and a versioned JSON document (schema in docs/report-schema.md)."""

from __future__ import annotations

import json
import math
import platform
from importlib import metadata

from .cases import Case
from .claim import ERROR, FAIL, PASS, SKIPPED
from .runner import HOLDS, REFUTED, Result, summary

SCHEMA = "implicit-bias-verify/report"
SCHEMA_VERSION = 2
PACKAGES = ("implicit-bias-verify", "sympy", "mpmath", "gmpy2", "numpy", "scipy", "torch", "hypothesis", "matplotlib")


def text(result: Result, verbose: bool = False) -> str:
    return header(result.claim, result.settings) + "\n\n" + body(result, verbose)


def header(claim, settings) -> str:
    """What is being checked and how: printed before the run starts."""
    lines = [f"{claim.id}: {claim.title}", "", _wrap("Statement: " + claim.statement), ""]
    lines += [_wrap(f"[{tag}] {note}", indent="  ") for tag, note in claim.provenance]
    profile = settings.profile
    lines += ["", f"Settings: profile {profile.name} ({settings.case_count} cases, {claim.training_length(profile)}), "
                  f"seed {settings.seed}, dps {settings.dps}, torch {settings.dtype} on {settings.device}"]
    if settings.checks is not None:
        lines.append("Checks selected: " + ", ".join(sorted(settings.checks)))
    if settings.options:
        lines.append("Options: " + ", ".join(f"{key} = {value}" for key, value in sorted(settings.options.items())))
    return "\n".join(lines)


def body(result: Result, verbose: bool = False) -> str:
    """The evidence: one row per check (what its error measures, how many outcomes were judged, skipped and
    errored), the claim's tables, skip reasons, notes, the failure, the verdict; ``verbose`` adds where each
    tolerance comes from."""
    declared = {spec.name: spec for spec in result.claim.checks}
    columns = ("check", "kind", "error measured", "judged", "passed", "skipped", "errors", "worst error", "tolerance",
               "verdict")
    rows = []
    for name, count, counted, worst in summary(result.outcomes):
        verdict = (FAIL if counted[FAIL] else ERROR if counted[ERROR] else PASS if counted[PASS] else SKIPPED)
        error, tolerance = _pair(worst) if worst.status != SKIPPED else ("—", "—")
        rows.append((name, declared[name].kind, declared[name].measures, str(count - counted[SKIPPED]),
                     str(counted[PASS]), str(counted[SKIPPED]), str(counted[ERROR]), error, tolerance, verdict))
    lines = _table(columns, rows)
    if result.device != result.settings.device:
        lines.append(f"(models trained on {result.device})")
    if verbose:
        lines += ["", "Where each tolerance comes from:"]
        lines += [_wrap(f"- {spec.name}: {spec.tolerance}", indent="  ") for spec in result.claim.checks
                  if result.settings.selects(spec.name)]
    for title, (heads, table) in result.tables.items():
        lines += ["", title] + _table(heads, [tuple(str(cell) for cell in row) for row in table])
    skipped = _skip_reasons(result)
    if skipped:
        lines += ["", "Skipped (not judged), by reason:"] + [_wrap(f"- {check}, {count}×: {reason}", indent="  ")
                                                              for (check, reason), count in skipped.items()]
    notes = _notes(result)
    if notes:
        lines += ["", "Notes:"] + [_wrap("- " + note, indent="  ") for note in notes]
    if result.counterexample is not None:
        lines += [""] + _failure(result)
    lines += ["", verdict_line(result)]
    return "\n".join(lines)


def _failure(result: Result) -> list:
    """The failure, named for what it is: a failed derivation step, a failed claim-wide check, or a case
    shrunk by Hypothesis (with the command that replays it)."""
    c = result.counterexample
    kind = result.claim.check_named(c.check).kind
    if c.case is None:
        title = "Failed derivation step" if kind == "symbolic" else "Failed claim-wide check"
        return [_wrap(f"{title} ({c.check}): {c.detail}")]
    error, tolerance = _pair(c)
    shrunk = "shrunk by Hypothesis" if len(result.cases) > 1 else "replayed"
    return [_wrap(f"Counterexample ({shrunk}): check {c.check} on {c.case.describe()}: error {error} > "
                  f"tolerance {tolerance}. {c.detail}"), f"Replay it: {replay_command(result)}"]


def replay_command(result: Result) -> str:
    """The command line that re-runs just the counterexample's check on just its case."""
    settings, c = result.settings, result.counterexample
    options = "".join(f" --{name} {_quoted(str(value))}" for name, value in sorted(settings.given.items()))
    return (f"python -m verify {result.claim.id} --seed {settings.seed} --profile {settings.profile.name} "
            f"--dps {settings.dps} --dtype {settings.dtype}{options} --check {c.check} "
            f"--replay {_quoted(json.dumps(c.case.exact_json(), separators=(',', ':')))}")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _pair(outcome) -> tuple:
    """error and tolerance as text, with enough digits that the comparison made before rounding shows."""
    for digits in range(3, 18):
        error, tolerance = _number(outcome.error, digits), _number(outcome.tolerance, digits)
        if error != tolerance or outcome.error == outcome.tolerance:
            return error, tolerance
    return error, tolerance


def _skip_reasons(result: Result) -> dict:
    reasons: dict = {}
    for outcome in result.outcomes:
        if outcome.status == SKIPPED:
            key = (outcome.check, outcome.detail or "no reason given")
            reasons[key] = reasons.get(key, 0) + 1
    return reasons


def verdict_line(result: Result) -> str:
    counted = {status: sum(o.status == status for o in result.outcomes) for status in (PASS, FAIL, ERROR, SKIPPED)}
    judged = counted[PASS] + counted[FAIL] + counted[ERROR]
    scope = (f"{len(result.cases)} cases drawn; {judged} outcomes judged, {counted[SKIPPED]} skipped"
             + (f", {counted[ERROR]} could not be evaluated" if counted[ERROR] else "")
             + f"; {result.timings.get('total_s', 0.0):.1f} s elapsed")  # `all` on processes: since the run began
    if result.verdict == HOLDS:
        return f"VERDICT: {result.claim.id} HOLDS: every judged outcome passed ({scope})"
    if result.verdict == REFUTED:
        return f"VERDICT: {result.claim.id} REFUTED: {counted[FAIL]} outcomes failed ({scope})"
    return f"VERDICT: {result.claim.id} INCONCLUSIVE: nothing failed, but not everything could be judged ({scope})"


def as_json(result: Result) -> str:
    """The JSON report; keys in a fixed order, identical across runs with the same seed except ``timings``."""
    claim, settings = result.claim, result.settings
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "claim": {"id": claim.id, "title": claim.title, "statement": claim.statement,
                  "provenance": [{"tag": tag, "text": note} for tag, note in claim.provenance]},
        "settings": {"profile": settings.profile.name, "cases": settings.case_count,
                     "step_budget": settings.profile.step_budget,
                     "training": claim.training_length(settings.profile), "seed": settings.seed, "dps": settings.dps,
                     "device": settings.device, "dtype": settings.dtype,
                     "options": {key: str(value) for key, value in sorted(settings.options.items())},
                     "checks": None if settings.checks is None else sorted(settings.checks)},
        "environment": {"python": platform.python_version(), "packages": versions(),
                        "device": result.device, "dtype": settings.dtype, "executor": result.executor},
        "verdict": result.verdict,
        "checks": [_check(spec, result) for spec in claim.checks if settings.selects(spec.name)],
        "cases": [_case(case) for case in result.cases],
        "outcomes": [_outcome(outcome) for outcome in result.outcomes],
        "counterexample": _outcome(result.counterexample) if result.counterexample else None,
        "tables": {title: {"columns": list(columns), "rows": [[str(cell) for cell in row] for row in rows]}
                   for title, (columns, rows) in result.tables.items()},
        "notes": _notes(result),
        "timings": {key: round(value, 3) for key, value in sorted(result.timings.items())},
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)


def _check(spec, result: Result) -> dict:
    group = [o for o in result.outcomes if o.check == spec.name]
    counts = {status: sum(o.status == status for o in group) for status in (PASS, FAIL, ERROR, SKIPPED)}
    judged = [o for o in group if o.status != SKIPPED]
    worst = max(judged, key=lambda o: o.ratio) if judged else None
    return {**_declaration(spec), "outcomes": len(group), **counts, "worst": _outcome(worst) if worst else None}


def _declaration(spec) -> dict:
    return {"name": spec.name, "kind": spec.kind, "once": spec.once, "compares": spec.compares,
            "measures": spec.measures, "tolerance_rule": spec.tolerance}


def listing(claims, as_json: bool = False) -> str:
    """The registered claims: one line each, or (``as_json``) their declarations."""
    claims = list(claims)
    if as_json:
        return json.dumps([{"id": c.id, "title": c.title, "statement": c.statement,
                            "provenance": [{"tag": tag, "text": note} for tag, note in c.provenance],
                            "checks": [_declaration(spec) for spec in c.checks],
                            "options": [{"name": o.name, "help": o.help} for o in c.options]} for c in claims],
                          indent=2, ensure_ascii=False)
    width = max(len(claim.id) for claim in claims)
    return "\n".join(f"{c.id:{width}}  {c.title}  [provenance: {', '.join(tag for tag, _ in c.provenance)}]"
                     for c in claims)


def _outcome(outcome) -> dict:
    return {"check": outcome.check, "case": _case(outcome.case) if outcome.case is not None else None,
            "status": outcome.status, "error": _finite(outcome.error), "tolerance": _finite(outcome.tolerance),
            "detail": outcome.detail, "data": {name: value for name, value in outcome.data}}


def _case(case) -> dict:
    return case.as_json() if isinstance(case, Case) else {"value": str(case)}


def _finite(value: float):
    """JSON has no NaN/inf: they become strings, so a reader cannot mistake them for numbers."""
    return value if math.isfinite(value) else str(value)


def _notes(result: Result) -> list:
    """What the symbolic checks report about their derivations (e.g. CAS answers that were rejected)."""
    symbolic = {spec.name for spec in result.claim.checks if spec.kind == "symbolic"}
    return [f"{o.check}: {o.detail}" for o in result.outcomes if o.check in symbolic and o.detail]


def versions() -> dict:
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _number(value: float, digits: int = 3) -> str:
    if not math.isfinite(value):
        return "—" if math.isnan(value) else str(value)
    return "0" if value == 0 else f"{value:.{digits}g}"


def _table(header, rows) -> list:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    def line(cells):
        return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)).rstrip()
    return [line(header), line(["-" * width for width in widths])] + [line(row) for row in rows]


def _wrap(paragraph: str, width: int = 100, indent: str = "") -> str:
    words, lines, current = paragraph.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = indent + word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\n".join(lines)
