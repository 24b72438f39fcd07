"""The JSON report's schema (JSON Schema, draft 2020-12), as documented in docs/report-schema.md."""

_NUMBER = {"oneOf": [{"type": "number"}, {"enum": ["nan", "inf", "-inf"]}]}
_OUTCOME = {
    "type": "object",
    "required": ["check", "case", "status", "error", "tolerance", "detail", "data"],
    "additionalProperties": False,
    "properties": {
        "check": {"type": "string"}, "case": {"type": ["object", "null"]},
        "status": {"enum": ["pass", "fail", "error", "skipped"]}, "error": _NUMBER, "tolerance": _NUMBER,
        "detail": {"type": "string"}, "data": {"type": "object"},
    },
}
_CHECK = {
    "type": "object",
    "required": ["name", "kind", "once", "compares", "measures", "tolerance_rule", "outcomes", "pass", "fail", "error",
                 "skipped", "worst"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "kind": {"enum": ["symbolic", "numeric", "empirical"]}, "once": {"type": "boolean"},
        "compares": {"type": "string", "minLength": 1}, "measures": {"type": "string", "minLength": 1},
        "tolerance_rule": {"type": "string", "minLength": 1},
        **{count: {"type": "integer", "minimum": 0} for count in ("outcomes", "pass", "fail", "error", "skipped")},
        "worst": {"oneOf": [{"type": "null"}, _OUTCOME]},
    },
}
REPORT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "implicit-bias-verify report",
    "type": "object",
    "required": ["schema", "schema_version", "claim", "settings", "environment", "verdict", "checks", "cases",
                 "outcomes", "counterexample", "tables", "notes", "timings"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "implicit-bias-verify/report"},
        "schema_version": {"const": 2},
        "claim": {"type": "object", "required": ["id", "title", "statement", "provenance"], "properties": {
            "provenance": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["tag", "text"],
                "properties": {"tag": {"enum": ["seen", "derived", "reconstructed"]}, "text": {"type": "string"}}}}}},
        "settings": {"type": "object", "required": ["profile", "cases", "step_budget", "training", "seed", "dps",
                                                    "device", "dtype", "options", "checks"]},
        "environment": {"type": "object", "required": ["python", "packages", "device", "dtype"]},
        "verdict": {"enum": ["holds", "refuted", "inconclusive"]},
        "checks": {"type": "array", "items": _CHECK},
        "cases": {"type": "array", "items": {"type": "object"}},
        "outcomes": {"type": "array", "items": _OUTCOME},
        "counterexample": {"oneOf": [{"type": "null"}, _OUTCOME]},
        "tables": {"type": "object"},
        "notes": {"type": "array", "items": {"type": "string"}},
        "timings": {"type": "object", "additionalProperties": {"type": "number"}},
    },
}
