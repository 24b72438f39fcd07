"""JUnit XML for CI systems: one test suite per claim, one test case per check.

A check with a failing outcome is a ``failure`` (its message the counterexample, with the replay command);
one whose outcomes could not be evaluated is an ``error``; one that judged nothing is ``skipped`` with its
reasons. The layout follows the schema that Jenkins, GitLab and GitHub test reporters read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .claim import ERROR, FAIL, PASS, SKIPPED
from .report import replay_command


def document(results) -> str:
    root = ET.Element("testsuites", name="implicit-bias-verify")
    for result in results:
        root.append(_suite(result))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(result) -> ET.Element:
    checks = [spec for spec in result.claim.checks if result.settings.selects(spec.name)]
    suite = ET.Element("testsuite", name=result.claim.id, tests=str(len(checks)),
                       time=f"{result.timings.get('total_s', 0.0):.3f}")
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    for spec in checks:
        group = [o for o in result.outcomes if o.check == spec.name]
        case = ET.SubElement(suite, "testcase", classname=result.claim.id, name=spec.name)
        statuses = {o.status for o in group}
        if FAIL in statuses:
            counts["failures"] += 1
            shown = result.counterexample if result.counterexample and result.counterexample.check == spec.name else \
                max((o for o in group if o.status == FAIL), key=lambda o: o.ratio)
            where = shown.case.describe() if shown.case is not None else "the claim as a whole"
            text = f"{shown.detail}"
            if shown.case is not None and shown is result.counterexample:
                text += f"\nReplay: {replay_command(result)}"
            ET.SubElement(case, "failure", message=f"error {shown.error:.6g} > tolerance {shown.tolerance:.6g} on "
                                                   f"{where}", type="refuted").text = text
        elif ERROR in statuses:
            counts["errors"] += 1
            shown = next(o for o in group if o.status == ERROR)
            ET.SubElement(case, "error", message=shown.detail[:500], type="not evaluated")
        elif PASS not in statuses:
            counts["skipped"] += 1
            reasons = sorted({o.detail for o in group if o.status == SKIPPED}) or ["produced no outcome"]
            ET.SubElement(case, "skipped", message="; ".join(reasons)[:500])
        judged = sum(o.status != SKIPPED for o in group)
        ET.SubElement(case, "system-out").text = (f"{spec.compares}\nerror measured: {spec.measures}; tolerance: "
                                                  f"{spec.tolerance}\n{judged} outcomes judged, "
                                                  f"{len(group) - judged} skipped")
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite
