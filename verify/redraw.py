"""A saved JSON report read back into a ``runner.Result``, so that figures are redrawn without re-running
(``python -m verify CLAIM --from-json REPORT.json --plot DIR``).

What comes back is what the report holds: the settings (not the claim's own options), the cases, and every
outcome with its ``data`` (the measurements figures read). Cases are rebuilt exactly: the report writes each
number as its shortest exact decimal or as ``p/q``, read back into the field's type (that of a case the claim's
strategy draws). Only claims whose figures read nothing else (``Claim.figures_from_report``) are redrawn.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from fractions import Fraction
from pathlib import Path

from .claim import PROFILES, Outcome, Run, for_claim
from .claims import REGISTRY
from .errors import UsageError
from .report import SCHEMA, SCHEMA_VERSION
from .runner import Result, draw_cases


def read(path, claim_id: str) -> list:
    """The results of ``claim_id`` ('all': every claim) in the report at ``path`` (one document or a list)."""
    try:
        documents = json.loads(Path(path).read_text())
    except OSError as reason:
        raise UsageError(f"--from-json {path}: {reason.strerror or reason}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as failure:
        raise UsageError(f"--from-json {path} is not JSON ({failure}): give a report written by --json or --out") \
            from None
    documents = documents if isinstance(documents, list) else [documents]
    for document in documents:
        if not (isinstance(document, dict) and document.get("schema") == SCHEMA
                and document.get("schema_version") == SCHEMA_VERSION):
            raise UsageError(f"--from-json {path} is not a version-{SCHEMA_VERSION} report of this tool (written by "
                             "--json or --out)")
    chosen = [d for d in documents if claim_id in ("all", d["claim"]["id"])]
    if not chosen:
        held = ", ".join(d["claim"]["id"] for d in documents)
        raise UsageError(f"--from-json {path} holds no report of '{claim_id}' (it holds {held})")
    unknown = [d["claim"]["id"] for d in chosen if d["claim"]["id"] not in REGISTRY]
    if unknown:
        raise UsageError(f"--from-json {path}: '{unknown[0]}' is not a claim of this version of the tool")
    return [result(document) for document in chosen]


def result(document: dict) -> Result:
    """The ``Result`` a report describes (timings, tables and notes are not read back)."""
    claim = REGISTRY[document["claim"]["id"]]
    given = document["settings"]
    settings = for_claim(Run(profile=PROFILES[given["profile"]], seed=given["seed"], dps=given["dps"],
                             device=given["device"], dtype=given["dtype"], cases=given["cases"],
                             checks=None if given["checks"] is None else frozenset(given["checks"])), claim)
    cases = _Cases(claim, settings)
    outcomes = [_outcome(o, cases) for o in document["outcomes"]]
    counterexample = document["counterexample"]
    return Result(claim, settings, [cases.read(c) for c in document["cases"]], outcomes,
                  _outcome(counterexample, cases) if counterexample else None,
                  device=document["environment"]["device"], executor=document["environment"].get("executor", ""))


class _Cases:
    """Cases read back from their JSON, one object per distinct case, typed like a case the strategy draws."""

    def __init__(self, claim, settings):
        self.claim, self.settings, self.template, self.seen = claim, settings, None, {}

    def read(self, document: dict):
        key = json.dumps(document, sort_keys=True)
        if key not in self.seen:
            self.seen[key] = self._build(document)
        return self.seen[key]

    def _build(self, document: dict):
        if set(document) == {"value"}:  # a case that is not a Case dataclass: the report holds its text only
            return document["value"]
        if self.template is None:
            self.template = draw_cases(self.claim.strategy(self.settings), 1, self.settings.seed)[0]
        if not is_dataclass(self.template) or {f.name for f in fields(self.template)} != set(document):
            raise UsageError(f"the report's case {document} does not match the cases of {self.claim.id} in this "
                             "version of the tool")
        return type(self.template)(**{f.name: _typed(document[f.name], getattr(self.template, f.name))
                                      for f in fields(self.template)})


def _typed(value, like):
    """``value`` from the report, in the type of ``like`` (a drawn case's field)."""
    if isinstance(like, tuple):
        return tuple(_typed(v, like[0] if like else v) for v in value)
    if isinstance(like, Fraction) and not isinstance(value, bool):
        return Fraction(value)
    return value


def _outcome(document: dict, cases: _Cases) -> Outcome:
    case = None if document["case"] is None else cases.read(document["case"])
    return Outcome(document["check"], case, _number(document["error"]), _number(document["tolerance"]),
                   document["status"], document["detail"], tuple(document["data"].items()))


def _number(value) -> float:
    return float(value)  # the report writes NaN and ±inf as the strings 'nan', 'inf', '-inf'
