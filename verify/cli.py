"""``python -m verify``: check a theorem from the command line.

Exit codes: 0 the claim holds on every case, 1 a counterexample was found, 2 bad usage or an internal
error (also an inconclusive run), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import signal
import sys
import threading
import traceback

from numerics import arguments

from . import cache, executors, files, junit, latex, redraw, report, runner
from .claim import PROFILES, Run
from .claims import REGISTRY
from .errors import UsageError, VerifyError

EXIT_HOLDS, EXIT_REFUTED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a filter whose reader closed the pipe
MAX_CASES = 100_000
# A chosen constant: how often a dropped Ctrl-C is sent again; long against the hook that starts the sending
# (microseconds), short against a person's wait.
REDELIVERY_S = 0.01


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump, exit code 2
        raise UsageError(message)


def _parser(claims, help_: bool = True) -> argparse.ArgumentParser:
    """The command line's parser, with the options of ``claims``."""
    parser = _Parser(prog="python -m verify", add_help=help_, description=(
        "Verify theorems about the implicit bias of gradient descent: symbolic derivations (SymPy), "
        "high-precision numerics (mpmath, SciPy) and trained torch models, on cases drawn by Hypothesis."),
        epilog="Exit codes: 0 holds, 1 counterexample found, 2 bad usage, internal error or inconclusive, "
               "130 interrupted.")
    parser.add_argument("claim", help="a claim id (see 'list'), 'list' to show them, or 'all' to run every claim")
    parser.add_argument("--json", action="store_true", help="print the machine-readable JSON report (also for 'list')")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the verdict line of each claim")
    parser.add_argument("-v", "--verbose", action="store_true", help="also say where each check's tolerance comes from")
    parser.add_argument("--profile", default="default", choices=sorted(PROFILES),
                        help="how many cases and GD steps: quick (seconds), default, thorough (nightly)")
    parser.add_argument("--seed", default="0", help="seed for Hypothesis' case generation (integer >= 0)")
    parser.add_argument("--dps", default="50", help=f"decimal digits of the numeric checks "
                                                    f"({arguments.MIN_DPS}..{arguments.MAX_DPS}, default 50)")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"), help="where torch trains")
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"),
                        help="torch dtype (float32 fails on long plateaus; float64 is the default)")
    parser.add_argument("--cases", metavar="K", help=f"draw K cases instead of the profile's count (1..{MAX_CASES})")
    parser.add_argument("--check", metavar="NAME", action="append",
                        help="run only this check (repeatable; the claim's checks are listed by 'list --json')")
    parser.add_argument("--latex", metavar="PATH", help="write the derivation as a standalone LaTeX document "
                                                     "('-' for stdout)")
    parser.add_argument("--latex-fragment", action="store_true",
                        help="with --latex: only the align blocks, for pasting into a paper")
    parser.add_argument("--plot", metavar="DIR", help="write the claim's figures (PNG and PDF) into DIR")
    parser.add_argument("--figure-width", choices=("column", "page"),
                        help="size figures for a two-column paper: column (3.4 in) or page (7 in) wide, text at "
                             "7 pt or more, panels reflowed and legends below them (default: the designed size)")
    parser.add_argument("--from-json", metavar="REPORT", help="with --plot DIR: redraw the claim's figures from a "
                        "saved JSON report (--json or --out) instead of running it; 'all' redraws every claim in it")
    parser.add_argument("--out", metavar="DIR", help="write everything into DIR: <claim>.txt (the report), <claim>.json, "
                                                   "<claim>.tex (the derivation) and figures/")
    parser.add_argument("--junit-xml", metavar="FILE", help="write a JUnit XML report (one test case per check) for CI")
    parser.add_argument("--replay", metavar="CASE", help="re-run only this case (the JSON a counterexample's replay "
                                                         "command prints) with the selected checks")
    parser.add_argument("--workers", metavar="N", help="run on a local Dask cluster of N worker processes (needs "
                                                      "pip install -e '.[distributed]'); without it one claim runs "
                                                      "in this process and 'all' on one local process per core")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS (e.g. "
                                                             "tcp://10.0.0.5:8786)")
    parser.add_argument("--no-cache", action="store_true", help="recompute the symbolic derivations instead of "
                                                                "reading them from the on-disk cache")
    claim_options = parser.add_argument_group("options of particular claims")
    for name, (owners, option) in _claim_options(claims).items():
        claim_options.add_argument(f"--{name}", metavar=option.metavar, help=f"{', '.join(owners)}: {option.help}")
    return parser


def _claim_options(claims) -> dict:
    """Every option that one of ``claims`` declares: name → (the claims that own it, its declaration)."""
    options: dict = {}
    for claim in claims:
        for option in claim.options:
            owners, _ = options.setdefault(option.name, ([], option))
            owners.append(claim.id)
    return options


def main(argv=None) -> int:
    try:
        with _ctrl_c_never_dropped():
            return _main(sys.argv[1:] if argv is None else argv)
    except (VerifyError, ValueError) as error:
        print(f"python -m verify: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("python -m verify: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as a Unix filter does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as error:  # noqa: BLE001 - a bug of the tool: its traceback, then one line
        traceback.print_exc(file=sys.stderr)
        print(f"python -m verify: internal error: {type(error).__name__}: {error} (a bug: please report it with "
              "the traceback above)", file=sys.stderr)
        return EXIT_USAGE


@contextlib.contextmanager
def _ctrl_c_never_dropped():
    """Python prints and drops an exception raised where it cannot propagate (a garbage-collector callback, such as
    the one Hypothesis keeps once cases are drawn; a finalizer; an at-fork hook), through ``sys.unraisablehook``: a
    Ctrl-C landing there was lost, and the run went on to its end. Such a KeyboardInterrupt is delivered again by
    another thread, as a new SIGINT to the main thread, until this block's handler has raised it once more:

    - not at once: it would land in the hook itself, where Python drops it for good;
    - more than once if need be: a signal that comes as the main thread is about to block (its lock released, the
      wait not begun) only takes effect when the wait ends, after a chunk of cases perhaps. A Ctrl-C that lands in a
      dropping place again is re-delivered again.
    """
    if threading.current_thread() is not threading.main_thread():  # only the main thread receives signals
        yield
        return
    lock, awaited = threading.Lock(), []  # an event per dropped Ctrl-C, set once the handler runs again

    def settle() -> list:
        """Stop the sending (a sender sends only under the lock), and say which dropped Ctrl-Cs were awaited."""
        with lock:
            settled, awaited[:] = list(awaited), []
            for handled in settled:
                handled.set()
        return settled

    def on_ctrl_c(number, frame):
        settle()
        raise KeyboardInterrupt

    def redeliver(handled, main):
        while not handled.wait(REDELIVERY_S):
            with lock:  # the handler, once it runs, stops the sending at once
                if not handled.is_set():
                    signal.pthread_kill(main, signal.SIGINT)

    def hook(unraisable):
        if issubclass(unraisable.exc_type, KeyboardInterrupt):
            handled = threading.Event()
            with lock:
                awaited.append(handled)
            threading.Thread(target=redeliver, args=(handled, threading.main_thread().ident), daemon=True).start()
        else:
            previous_hook(unraisable)

    previous_hook, previous_handler = sys.unraisablehook, signal.signal(signal.SIGINT, on_ctrl_c)
    sys.unraisablehook = hook
    try:
        yield
    finally:
        dropped = settle()  # no sending after this: a SIGINT then would end the process with a traceback
        sys.unraisablehook = previous_hook
        signal.signal(signal.SIGINT, previous_handler)
    if dropped:  # the block ended before its dropped Ctrl-C came round again
        raise KeyboardInterrupt


def _parse(argv) -> tuple:
    """(the command line, the claims whose options it was parsed with). A line that names a claim is parsed with that
    claim's options, so that only that claim is imported; any other line (list, all, --help alone), or one that this
    refuses, with every claim's: its errors then name the owner of an option given to the wrong claim."""
    with contextlib.suppress(UsageError):
        named = _parser((), help_=False).parse_known_args(argv)[0].claim
        if named in REGISTRY:
            claims = [REGISTRY[named]]
            return _parser(claims).parse_args(argv), claims
    claims = list(REGISTRY.values())
    return _parser(claims).parse_args(argv), claims


def _main(argv) -> int:
    options, parsed_with = _parse(argv)
    if options.claim == "list":
        print(report.listing(REGISTRY.values(), as_json=options.json))
        return EXIT_HOLDS
    if options.from_json is not None:
        return _redraw(options)
    claims = list(REGISTRY.values()) if options.claim == "all" else [_claim(options.claim)]
    declared = _claim_options(parsed_with)
    given = {name: getattr(options, name) for name in declared if getattr(options, name) is not None}
    settings = Run(profile=PROFILES[options.profile], seed=arguments.integer("seed", options.seed, 0, 2**63 - 1),
                   dps=arguments.dps(options.dps), device=options.device, dtype=options.dtype,
                   options=_chosen_options(given, claims),
                   cases=None if options.cases is None else arguments.integer("cases", options.cases, 1, MAX_CASES),
                   checks=None if options.check is None else frozenset(options.check), given=given)
    if len(claims) > 1 and (options.check or options.replay):
        raise UsageError(f"--{'check' if options.check else 'replay'} applies to one claim: name the claim instead "
                         "of 'all'")
    for claim in claims:
        runner.validate_selection(claim, settings)
    replay = _replay_case(options.replay)
    if options.device == "cuda":
        import torch  # noqa: PLC0415 - only to refuse --device cuda before any work, on a machine without one

        if not torch.cuda.is_available():
            raise UsageError("--device cuda: no CUDA device is available here (use auto or cpu)")
    outputs = _outputs(options, claims)
    if options.dtype == "float32":
        print("python -m verify: warning: float32 GD loses the flow on long plateaus (docs/claims/thm1.md); "
              "tolerances scale with its unit roundoff", file=sys.stderr)
    text = not (options.json or options.quiet)
    results, drawn_all = [], True
    executor = _executor(options, claims, settings)
    try:
        with cache.disabled() if options.no_cache else contextlib.nullcontext():
            # Every claim's units are submitted before the first is gathered, so a cluster works on all of them.
            pending = [] if replay is not None else [runner.start(claim, settings, executor) for claim in claims]
            for index, claim in enumerate(claims):
                if text:
                    print(report.header(claim, settings), end="\n\n", flush=True)
                with _progress(enabled=text) as progress:
                    result = (runner.replay(claim, settings, replay) if replay is not None
                              else runner.finish(pending[index], progress))
                results.append(result)
                if text:
                    print(report.body(result, verbose=options.verbose), flush=True)
                elif options.quiet:
                    print(report.verdict_line(result), flush=True)
                drawn_all &= _write_outputs(options, outputs, result)
    except KeyboardInterrupt:
        executor.cancel()  # the cluster stops working on this run
        raise
    finally:
        executor.close()
    if options.json:
        documents = [report.as_json(result) for result in results]
        print(documents[0] if len(documents) == 1 else "[\n" + ",\n".join(documents) + "\n]")
    elif text and len(results) > 1:
        print("\n" + "\n".join(report.verdict_line(result) for result in results))
    if "junit" in outputs:
        files.write_atomic(outputs["junit"], junit.document(results))
    verdicts = {result.verdict for result in results}
    if not drawn_all:
        return EXIT_USAGE  # a figure failed: an internal error, reported with its traceback
    if runner.REFUTED in verdicts:
        return EXIT_REFUTED
    return EXIT_HOLDS if verdicts == {runner.HOLDS} else EXIT_USAGE


def _executor(options, claims, settings):
    if options.workers is not None and options.scheduler is not None:
        raise UsageError("--workers starts a local cluster and --scheduler uses an existing one: give one of them")
    if options.workers is not None:
        return executors.Dask(workers=arguments.integer("workers", options.workers, 1, 1024))
    if options.scheduler is not None:
        return executors.Dask(scheduler=options.scheduler)
    cores = len(os.sched_getaffinity(0))
    units = sum(-(-settings.case_count // claim.chunk_cases) for claim in claims)  # chunks of cases (ceiling division)
    if cores > 1 and units > 0:
        # Chunks side by side, a worker per core, while this process runs the global checks: forked workers start
        # in milliseconds, so even one chunk pays (thm2 default: 5.2 → 3.3 s, its global checks overlapped).
        return executors.Processes(min(cores, units))
    return executors.InProcess()


def _replay_case(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as failure:
        raise UsageError(f"--replay {text!r} is not JSON: {failure.msg} (copy the replay command of a "
                         "counterexample)") from None


def _outputs(options, claims) -> dict:
    """Validate output paths and stream ownership before any work starts (exit 2 on a bad combination or an
    unwritable path): stdout carries one thing, the text report or the JSON, or LaTeX under --quiet."""
    outputs = {}
    if options.latex_fragment and not options.latex:
        raise UsageError("--latex-fragment needs --latex PATH")
    if options.latex:
        if len(claims) > 1:
            raise UsageError("--latex writes one claim's derivation: name the claim instead of 'all'")
        if options.latex == "-" and (options.json or not options.quiet):
            raise UsageError("--latex - would mix LaTeX into the report on stdout: write it to a file, or add "
                             "--quiet (and no --json)")
        outputs["latex"] = "-" if options.latex == "-" else _checked(files.writable_file, "latex", options.latex)
    if options.figure_width and not (options.plot or options.out):
        raise UsageError("--figure-width sizes figures: add --plot DIR or --out DIR")
    if options.plot:
        if any(claim.draws_figures for claim in claims):
            outputs["plot"] = _checked(files.writable_directory, "plot", options.plot)
        else:
            print(f"python -m verify: {claims[0].id} draws no figures: nothing written to --plot {options.plot}",
                  file=sys.stderr)
    if options.out:
        outputs["out"] = _checked(files.writable_directory, "out", options.out)
    if options.junit_xml:
        outputs["junit"] = _checked(files.writable_file, "junit-xml", options.junit_xml)
    return outputs


def _checked(check, name, path):
    try:
        return check(path)
    except OSError as reason:
        raise UsageError(f"--{name} {path}: {reason.strerror or reason}") from None


def _write_outputs(options, outputs, result) -> bool:
    """Write what was asked for one claim's result; False when one of its figures failed."""
    claim = result.claim
    if "latex" in outputs:
        latex_text = latex.document(claim, claim.derivations(), fragment=options.latex_fragment, result=result)
        if outputs["latex"] == "-":
            print(latex_text, end="")
        else:
            files.write_atomic(outputs["latex"], latex_text)
            print(f"python -m verify: LaTeX written to {outputs['latex']}", file=sys.stderr)
    figures_at = [outputs[key] / "figures" if key == "out" else outputs[key] for key in ("plot", "out") if key in outputs]
    if not claim.draws_figures and "plot" in outputs:  # `all`: some claims draw figures, this one none
        print(f"python -m verify: {claim.id} draws no figures", file=sys.stderr)
    drawn = all([_draw(claim, directory, result, options.figure_width)
                 for directory in (figures_at if claim.draws_figures else [])])
    if "out" in outputs:
        written = {f"{claim.id}.txt": report.text(result, verbose=True), f"{claim.id}.json": report.as_json(result)}
        derivations = claim.derivations()
        if derivations:
            written[f"{claim.id}.tex"] = latex.document(claim, derivations, result=result)
        for name, content in written.items():
            files.write_atomic(outputs["out"] / name, content if content.endswith("\n") else content + "\n")
        print(f"python -m verify: {', '.join(written)} written to {outputs['out']}", file=sys.stderr)
    return drawn


def _draw(claim, directory, result, width) -> bool:
    """Draw ``claim``'s figures; a failure is a bug of that claim's figures, reported as an internal error with its
    traceback, while the other claims of the run and their reports go on (False)."""
    from . import plots  # noqa: PLC0415 - matplotlib only when figures are asked for

    try:
        with plots.width(width):
            paths = claim.figures(files.writable_directory(directory), result)
    except Exception as error:  # noqa: BLE001 - a bug of the figure code: its traceback, then one line
        traceback.print_exc(file=sys.stderr)
        print(f"python -m verify: internal error drawing {claim.id}'s figures: {type(error).__name__}: {error} (a "
              "bug: please report it with the traceback above)", file=sys.stderr)
        return False
    for path in paths:
        print(f"python -m verify: figure written to {path}", file=sys.stderr)
    if not paths:
        print(f"python -m verify: {claim.id}: no figure drawn (the run measured nothing its figures show)",
              file=sys.stderr)
    return True


def _redraw(options) -> int:
    """``--from-json REPORT --plot DIR``: the figures of the report's claim(s), redrawn from what the report holds,
    without running anything; exit 2 when none can be redrawn."""
    extra = [flag for flag, given in (("--json", options.json), ("--latex", options.latex), ("--out", options.out),
                                      ("--junit-xml", options.junit_xml), ("--replay", options.replay),
                                      ("--check", options.check), ("--cases", options.cases)) if given]
    if extra:
        raise UsageError(f"--from-json only redraws figures from the report: drop {extra[0]} (or re-run the claim)")
    if not options.plot:
        raise UsageError("--from-json needs --plot DIR: where to write the redrawn figures")
    if options.claim != "all":
        _claim(options.claim)
    drawn, failed = 0, False
    for result in redraw.read(options.from_json, options.claim):
        claim = result.claim
        if not claim.draws_figures:
            print(f"python -m verify: {claim.id} draws no figures", file=sys.stderr)
        elif not claim.figures_from_report:
            print(f"python -m verify: {claim.id}: its figures cannot be redrawn from a report: they compute their "
                  "curves afresh (training models) from the settings; re-run it with --plot", file=sys.stderr)
        elif _draw(claim, _checked(files.writable_directory, "plot", options.plot), result, options.figure_width):
            drawn += 1
        else:
            failed = True
    return EXIT_HOLDS if drawn and not failed else EXIT_USAGE


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


def _chosen_options(given: dict, claims) -> dict:
    """The claim-specific options given on the command line, parsed by their claim and checked together."""
    if not given:
        return claims[0].configure({}) if len(claims) == 1 else {}
    if len(claims) > 1:
        raise UsageError(f"--{next(iter(given))} applies to one claim: name the claim instead of 'all'")
    claim = claims[0]
    declared = {option.name: option for option in claim.options}
    foreign = sorted(set(given) - set(declared))
    if foreign:
        owners = ", ".join(_claim_options(REGISTRY.values())[foreign[0]][0])
        raise UsageError(f"--{foreign[0]} applies to {owners}, not to '{claim.id}'")
    return claim.configure({name: declared[name].parse(value) for name, value in given.items()})


def _claim(name: str):
    if name in REGISTRY:
        return REGISTRY[name]
    close = difflib.get_close_matches(name, list(REGISTRY) + ["list", "all"], n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise UsageError(f"unknown claim '{name}': choose one of {', '.join(REGISTRY)}, list, all{hint}")
