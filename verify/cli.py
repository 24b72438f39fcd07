"""``python -m verify``: check a theorem from the command line.

Exit codes: 0 the claim holds on every case, 1 a counterexample was found, 2 bad usage or an internal
error (also an inconclusive run), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys

from numerics import arguments
from numerics.arguments import ParameterError

from . import cache, files, latex, report, runner
from .claim import PROFILES, Settings
from .claims import REGISTRY, thm2

EXIT_HOLDS, EXIT_REFUTED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad command-line usage; the message is the one line shown to the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump, exit code 2
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m verify", description=(
        "Verify theorems about the implicit bias of gradient descent: symbolic derivations (SymPy), "
        "high-precision numerics (mpmath, SciPy) and trained torch models, on cases drawn by Hypothesis."),
        epilog="Exit codes: 0 holds, 1 counterexample found, 2 bad usage, internal error or inconclusive, "
               "130 interrupted.")
    parser.add_argument("claim", help="a claim id (see 'list'), 'list' to show them, or 'all' to run every claim")
    parser.add_argument("--json", action="store_true", help="print the machine-readable JSON report")
    parser.add_argument("--profile", default="default", choices=sorted(PROFILES),
                        help="how many cases and GD steps: quick (seconds), default, thorough (nightly)")
    parser.add_argument("--seed", default="0", help="seed for Hypothesis' case generation (integer >= 0)")
    parser.add_argument("--dps", default="50", help=f"decimal digits of the numeric checks "
                                                    f"({arguments.MIN_DPS}..{arguments.MAX_DPS}, default 50)")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"), help="where torch trains")
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"),
                        help="torch dtype (float32 fails on long plateaus; float64 is the default)")
    parser.add_argument("--bound", help="thm2: check this candidate bound on the init instead, a SymPy expression "
                                        "in N, r, s, f, sigma_j, e.g. 'sigma_j*(r-1)**3/100'")
    parser.add_argument("--kind", choices=("sufficient", "necessary"),
                        help="thm2 --bound: sufficient (σ_0 ≤ bound ⇒ incremental) or necessary (incremental ⇒ σ_0 ≤ bound)")
    parser.add_argument("--depth", help="thm2: only this depth (an integer in [1, 64])")
    parser.add_argument("--latex", metavar="PATH", help="write the derivation as a standalone LaTeX document "
                                                     "('-' for stdout)")
    parser.add_argument("--latex-fragment", action="store_true",
                        help="with --latex: only the align blocks, for pasting into a paper")
    parser.add_argument("--plot", metavar="DIR", help="write the claim's figures (PNG and PDF) into DIR")
    parser.add_argument("--no-cache", action="store_true", help="recompute the symbolic derivations instead of "
                                                                "reading them from the on-disk cache")
    return parser


def main(argv=None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except (UsageError, ParameterError, ValueError) as error:
        print(f"python -m verify: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("python -m verify: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        print(f"python -m verify: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_USAGE


def _main(argv) -> int:
    options = _parser().parse_args(argv)
    if options.claim == "list":
        width = max(len(name) for name in REGISTRY)
        for claim in REGISTRY.values():
            tags = ", ".join(tag for tag, _ in claim.provenance)
            print(f"{claim.id:{width}}  {claim.title}  [provenance: {tags}]")
        return EXIT_HOLDS
    settings = Settings(profile=PROFILES[options.profile], seed=arguments.integer("seed", options.seed, 0, 2**63 - 1),
                        dps=arguments.dps(options.dps), device=options.device, dtype=options.dtype,
                        options=_claim_options(options))
    if options.device == "cuda":
        from .training.placement import select_device  # noqa: PLC0415 - torch only when training is asked for
        select_device("cuda")
    claims = list(REGISTRY.values()) if options.claim == "all" else [_claim(options.claim)]
    outputs = _outputs(options, claims)
    if options.dtype == "float32":
        print("python -m verify: warning: float32 GD loses the flow on long plateaus (numerics-notes.md §5); "
              "tolerances scale with its unit roundoff", file=sys.stderr)
    results = []
    with cache.disabled() if options.no_cache else contextlib.nullcontext():
        for claim in claims:
            if not options.json:
                print(report.header(claim, settings), end="\n\n", flush=True)
            with _progress(enabled=not options.json) as progress:
                result = runner.run(claim, settings, progress)
            results.append(result)
            if not options.json:
                print(report.body(result), flush=True)
            _write_outputs(options, outputs, result)
    if options.json:
        documents = [report.as_json(result) for result in results]
        print(documents[0] if len(documents) == 1 else "[\n" + ",\n".join(documents) + "\n]")
    elif len(results) > 1:
        print("\n" + "\n".join(report.verdict_line(result) for result in results))
    verdicts = {result.verdict for result in results}
    if runner.REFUTED in verdicts:
        return EXIT_REFUTED
    return EXIT_HOLDS if verdicts == {runner.HOLDS} else EXIT_USAGE


def _outputs(options, claims) -> dict:
    """Validate output paths before any work starts (exit 2 on an unwritable path)."""
    outputs = {}
    if options.latex_fragment and not options.latex:
        raise UsageError("--latex-fragment needs --latex PATH")
    if options.latex:
        if len(claims) > 1:
            raise UsageError("--latex writes one claim's derivation: name the claim instead of 'all'")
        outputs["latex"] = "-" if options.latex == "-" else _checked(files.writable_file, "latex", options.latex)
    if options.plot:
        outputs["plot"] = _checked(files.writable_directory, "plot", options.plot)
    return outputs


def _checked(check, name, path):
    try:
        return check(path)
    except OSError as reason:
        raise UsageError(f"--{name} {path}: {reason.strerror or reason}") from None


def _write_outputs(options, outputs, result) -> None:
    claim = result.claim
    if "latex" in outputs:
        text = latex.document(claim, claim.derivations(), fragment=options.latex_fragment)
        if outputs["latex"] == "-":
            print(text, end="")
        else:
            files.write_atomic(outputs["latex"], text)
            print(f"python -m verify: LaTeX written to {outputs['latex']}", file=sys.stderr)
    if "plot" in outputs:
        for path in claim.figures(outputs["plot"], result):
            print(f"python -m verify: figure written to {path}", file=sys.stderr)


@contextlib.contextmanager
def _progress(enabled: bool):
    """A progress bar on stderr for interactive runs; silent under CI=true, --json or a redirected stderr."""
    if not (enabled and sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")):
        yield None
        return
    from tqdm import tqdm  # noqa: PLC0415

    bar = tqdm(total=len(runner.STAGES), file=sys.stderr, leave=False,
               bar_format="{desc:<40} {bar:20} {n_fmt}/{total_fmt} [{elapsed}]")

    def update(stage, done, total):
        bar.set_description_str(stage)
        bar.n = runner.STAGES.index(stage) if stage in runner.STAGES else bar.n
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def _claim_options(options) -> dict:
    """thm2's --bound, --kind and --depth, validated."""
    chosen = {}
    if options.depth is not None:
        chosen["depth"] = arguments.integer("depth", options.depth, 1, 64)
    if options.bound is not None:
        if options.kind is None:
            raise UsageError("--bound needs --kind sufficient or --kind necessary")
        chosen.update(bound=thm2.parse_bound(options.bound, chosen.get("depth")), kind=options.kind)
    elif options.kind is not None:
        raise UsageError("--kind applies only with --bound")
    if chosen and options.claim != "thm2":
        raise UsageError(f"--bound, --kind and --depth apply to thm2, not to '{options.claim}'")
    return chosen


def _claim(name: str):
    if name in REGISTRY:
        return REGISTRY[name]
    close = difflib.get_close_matches(name, list(REGISTRY) + ["list", "all"], n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise UsageError(f"unknown claim '{name}': choose one of {', '.join(REGISTRY)}, list, all{hint}")
