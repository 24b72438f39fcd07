"""The claim kit: a claim declares its checks and writes only the functions that measure.

A claim (one theorem) is a ``Claim`` subclass with an id, a statement, its provenance, a Hypothesis
strategy of cases, and methods decorated with ``@check``. The decorator is the declaration: the check's
name (the method's name with ``-`` for ``_``), its kind, what it compares, what its error measures and
where its tolerance comes from. The kit does the rest (``Claim.global_outcomes`` and ``Claim.evaluate``):

* it calls each check at the right time: ``once=True`` checks once per run (``f(run)``), the others per
  case (``f(case, run)``), empirical ones with what the claim's single batched ``train`` returned for the
  case (``f(case, run, trained)``);
* it turns what a check returns into ``Outcome``s: a ``Measured`` (pass iff error ≤ tolerance, both
  finite: NaN or inf is an ``error``), a ``Skip`` (skipped, with its reason), a checked
  ``theory.derivation.Derivation`` (symbolic pass; a failed step is a failed derivation), or a list of
  these (one outcome each; an empty list means the check does not apply to the case);
* it guards: a domain failure (``ArithmeticError``, ``ValueError``, any ``VerifyError``, mpmath's
  ``NoConvergence``) becomes an ``error`` outcome naming the case; a programming error propagates and
  crashes the run as an internal error, because a verifier must not hide its own bugs;
* ``train`` returning ``Skip`` or ``Diverged`` for a case skips, or reports as divergence, every empirical
  check of that case; for a case that trained it returns a ``Trained`` record of named measurements.

What a check compares and where its tolerance comes from are the measuring method's docstring: its first
paragraph, and a paragraph starting ``Tolerance:``, so that ``help()`` on a claim reads as its report.

A derivation check has no measuring code: ``@derived(build, ...)`` on a method whose body is its docstring
declares a once-per-run symbolic check whose measurement is the checked derivation ``build()`` (several builds:
one outcome for all), through the on-disk cache under the build's name and the claim's ``statement_key()``, so
that a corruption that patches a stated form misses the cache. ``Claim.derivations()`` (the LaTeX export)
defaults to the derived checks' derivations in declaration order.

A claim keeps no state between calls: measurements that tables and figures need travel with the outcomes
(``Measured(..., data={...})``).
"""

from __future__ import annotations

import functools
import json
import math
import sys
import zlib
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Callable

import numpy as np
from mpmath.libmp import NoConvergence

from theory.derivation import Derivation, DerivationError
from theory.errors import VerifyError

from . import cache
from .errors import ClaimDefinitionError

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"
KINDS = ("symbolic", "numeric", "empirical")
PROVENANCE_TAGS = ("seen", "derived", "reconstructed")
# Failures of the mathematics or of a computation's domain: reported as an error outcome, never a pass.
DOMAIN_ERRORS = (ArithmeticError, ValueError, VerifyError, NoConvergence)
# Unit roundoff u of each training dtype: the scale of every floating-point tolerance.
UNIT_ROUNDOFF = {"float64": 2.0**-53, "float32": 2.0**-24}


# --- what a check returns ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measured:
    """A measurement: ``error`` judged against ``tolerance``; ``data`` are further measurements reported
    with it (in ``--json``, tables and figures) but not judged."""

    error: float
    tolerance: float
    detail: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    """The check cannot judge this case (over the step budget, outside float64, …): say why."""

    reason: str


class Trained(SimpleNamespace):
    """What ``train`` returned for a case that trained: the measurements its empirical checks read, by name, and
    ``where`` it ran (e.g. ``Trained(full=..., half=..., where="float64 on cpu")``)."""


@dataclass(frozen=True)
class Diverged:
    """Training diverged for reasons of the step size, not of the claim; ``detail`` states the limit."""

    detail: str


def worst(values) -> float:
    """The largest value, NaN if any value is NaN (``max`` would drop a NaN that comes after a number);
    -inf for no values. Use it to accumulate errors: a NaN reaches the judge and becomes an error."""
    result = -math.inf
    for value in values:
        value = float(value)
        if math.isnan(value):
            return math.nan
        result = max(result, value)
    return result


# --- outcomes ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """One check on one case (``case`` is None for checks that run once per claim)."""

    check: str
    case: object
    error: float
    tolerance: float
    status: str
    detail: str = ""
    data: tuple = ()  # measurements reported with the outcome, not judged: ((name, value), ...)

    @property
    def ratio(self) -> float:
        """error/tolerance: how close the check came to failing (inf for errors)."""
        if self.status == ERROR:
            return math.inf
        if self.tolerance == 0:
            return 0.0 if self.error == 0 else math.inf
        return self.error / self.tolerance

    @property
    def measurements(self) -> dict:
        return dict(self.data)


def judge(check: str, case, error, tolerance, detail: str = "", data=()) -> Outcome:
    """Pass iff ``error`` ≤ ``tolerance``, both finite; NaN or inf on either side is an error."""
    error, tolerance = float(error), float(tolerance)
    data = tuple(data.items()) if isinstance(data, dict) else tuple(data)
    if not (math.isfinite(error) and math.isfinite(tolerance)):
        return Outcome(check, case, error, tolerance, ERROR,
                       detail or f"non-finite error {error} or tolerance {tolerance}", data)
    return Outcome(check, case, error, tolerance, PASS if error <= tolerance else FAIL, detail, data)


def describe_failure(failure: Exception) -> str:
    message = str(failure)
    return f"{type(failure).__name__}: {message if len(message) <= 200 else message[:197] + '...'}"


# --- declarations --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """A check as declared and as a reader of the report sees it."""

    name: str
    kind: str
    compares: str  # what is compared with what
    tolerance: str  # where the tolerance comes from
    measures: str = "error"  # what the error is: 'relative error', 'absolute error', 'ratio to bound', …
    once: bool = False  # run once per claim (case None) instead of per case
    method: str = ""  # the measuring method's name on the claim


def check(kind: str, *, measures: str = "error", once: bool = False, name: str | None = None,
          compares: str | None = None, tolerance: str | None = None):
    """Declare the decorated method as a check (see the module docstring). What it compares and where its
    tolerance comes from are the method's docstring; ``compares=`` or ``tolerance=`` give either
    instead, for a text computed from the claim's constants."""
    if kind not in KINDS:
        raise ClaimDefinitionError(f"check kind {kind!r} must be one of {', '.join(KINDS)}")

    def declare(function):
        compared, tolerated = _prose(function, compares, tolerance)
        function.__check__ = Check(name or function.__name__.replace("_", "-"), kind, compared, tolerated,
                                   measures, once, function.__name__)
        return function

    return declare


def _paragraphs(text: str) -> list:
    """The paragraphs of a docstring-like text (separated by blank lines), each one line: its lines stripped and
    joined by one space."""
    paragraphs, lines = [], []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            lines.append(line.strip())
        elif lines:
            paragraphs.append(" ".join(lines))
            lines = []
    return paragraphs


def _provenance(text: str, claim: str) -> tuple:
    """((tag, text), ...) from paragraphs ``tag: text``, tags in PROVENANCE_TAGS."""
    entries = tuple(paragraph.partition(": ")[::2] for paragraph in _paragraphs(text))
    for tag, said in entries:
        if tag not in PROVENANCE_TAGS or not said:
            raise ClaimDefinitionError(f"claim {claim}: each paragraph of its provenance must read 'tag: text' with a "
                                       f"tag in {', '.join(PROVENANCE_TAGS)}; got {tag!r}")
    return entries


TOLERANCE = "Tolerance: "
# what each part of a check's prose says, and where the docstring says it
_PROSE = {"compares": ("what it compares", "its docstring's first paragraph"),
          "tolerance": ("where its tolerance comes from", f"a docstring paragraph starting {TOLERANCE!r}")}


def _prose(function: Callable, compares: str | None = None, tolerance: str | None = None,
          default_tolerance: str | None = None) -> tuple:
    """(compares, tolerance) of a declared check: its docstring's first paragraph says what it compares and a
    paragraph starting ``Tolerance:`` where its tolerance comes from (lines of a paragraph joined by one space);
    a text given as an argument instead (one computed from the claim's constants) must not be said again there."""
    paragraphs = _paragraphs(function.__doc__ or "")
    said = {"compares": [p for p in paragraphs if not p.startswith(TOLERANCE)],
            "tolerance": [p[len(TOLERANCE):] for p in paragraphs if p.startswith(TOLERANCE)]}
    given = {"compares": compares, "tolerance": tolerance}
    for part, texts in said.items():
        what, where = _PROSE[part]
        if len(texts) + (given[part] is not None) > 1:
            raise ClaimDefinitionError(f"check {function.__name__!r} says {what} twice: say it once, in {where} or "
                                       f"as {part}=")
        given[part] = texts[0] if texts else given[part]
    if given["tolerance"] is None:
        given["tolerance"] = default_tolerance
    for part, text in given.items():
        what, where = _PROSE[part]
        if not text:
            raise ClaimDefinitionError(f"check {function.__name__!r} does not say {what}: say it in {where} or as "
                                       f"{part}=")
    return given["compares"], given["tolerance"]


class Derived:
    """A symbolic check declared by ``derived``: reading it on a claim gives the measuring function."""

    def __init__(self, builds: tuple, compares: str, tolerance: str, name: str | None):
        self.builds, self.compares, self.tolerance, self.name = builds, compares, tolerance, name

    def __set_name__(self, owner, attribute: str):
        self.__check__ = Check(self.name or attribute.replace("_", "-"), "symbolic", self.compares, self.tolerance,
                               once=True, method=attribute)

    def __get__(self, claim, owner=None):
        if claim is None:
            return self
        return lambda run=None: claim.derivations_of(self.builds)


def derived(*builds: Callable, name: str | None = None, compares: str | None = None, tolerance: str | None = None):
    """Declare the decorated method, whose body is its docstring, as a once-per-run symbolic check whose
    measurement is the cached checked derivation ``build()`` of each build (``Claim.derivation``). The check's
    name is the method's name with ``-`` for ``_``; the docstring says what the derivations compare and, in a
    ``Tolerance:`` paragraph, how (default ``exact``), as for ``check``."""
    if not builds:
        raise ClaimDefinitionError("derived() needs at least one build")
    for build in builds:
        _build_key(build)  # a build without a stable name is a definition error, found at import

    def declare(function):
        return Derived(builds, *_prose(function, compares, tolerance, default_tolerance="exact"), name)

    return declare


def _current(build: Callable) -> tuple:
    """``build`` as its module defines it now (a corruption may patch the function there), and whether that is
    another function than the declared one."""
    if isinstance(build, functools.partial):
        function, patched = _current(build.func)
        return functools.partial(function, *build.args, **build.keywords), patched
    current = getattr(sys.modules.get(build.__module__), build.__qualname__, build)
    return current, current is not build


def _build_key(build: Callable) -> str:
    """A derivation's cache key: the build's module and name (with a ``functools.partial``'s arguments)."""
    if isinstance(build, functools.partial):
        arguments = [*map(str, build.args), *(f"{key}={value}" for key, value in sorted(build.keywords.items()))]
        return f"{_build_key(build.func)}({', '.join(arguments)})"
    name = getattr(build, "__qualname__", "")
    if not name or "<" in name:
        raise ClaimDefinitionError(f"derivation build {build!r} has no stable name: use a module-level function "
                                   "or a functools.partial of one")
    return f"{build.__module__}.{name}"


@dataclass(frozen=True)
class Option:
    """A command-line option a claim owns: ``--name VALUE``, parsed (and validated) by ``parse``, which
    raises ``ParameterError`` naming the option on a bad value."""

    name: str
    help: str
    parse: Callable = str
    metavar: str = "VALUE"


@dataclass(frozen=True)
class Corruption:
    """A wrong variant of the claim's mathematics: ``patch()`` returns a context manager under which the
    claim is wrong; running ``checks`` under it must refute the claim (the contract test does)."""

    name: str
    patch: Callable
    checks: tuple


@dataclass(frozen=True)
class Profile:
    """How hard to look: cases drawn, GD steps allowed per case, seconds spent shrinking a failure."""

    name: str
    cases: int
    step_budget: int
    shrink_seconds: float


PROFILES = {
    "quick": Profile("quick", cases=4, step_budget=600, shrink_seconds=10),
    "default": Profile("default", cases=12, step_budget=1500, shrink_seconds=30),
    "thorough": Profile("thorough", cases=100, step_budget=20000, shrink_seconds=300),
}


def digits_tolerance(dps: int) -> float:
    """Agreement demanded between two computations carried to ``dps`` digits: 10 digits of headroom for
    the conditioning already paid for inside each (guard digits), never looser than that."""
    return 10.0 ** (10 - dps)


@dataclass(frozen=True)
class Run:
    """One run's settings, the same for every check: how hard to look (``profile``, ``cases`` overriding
    its count), the one ``seed`` every random stream derives from, the precision ``dps`` of every numeric
    check, where and in what precision models train, the claim's own options, and the checks selected
    (None: all)."""

    profile: Profile = PROFILES["default"]
    seed: int = 0
    dps: int = 50
    device: str = "auto"
    dtype: str = "float64"
    options: dict = field(default_factory=dict)
    cases: int | None = None
    checks: frozenset | None = None
    claim: str = ""  # the claim being run: part of every random stream's key
    given: dict = field(default_factory=dict)  # the claim's options as typed on the command line (for replays)

    @property
    def case_count(self) -> int:
        return self.profile.cases if self.cases is None else self.cases

    @property
    def unit_roundoff(self) -> float:
        return UNIT_ROUNDOFF[self.dtype]

    def rng(self, stream: str) -> np.random.Generator:
        """The random stream ``stream`` of this run: determined by (seed, claim, stream) alone, so a data set
        is the same whatever else the run draws, in whatever order or process."""
        return np.random.default_rng([self.seed, zlib.crc32(self.claim.encode()), zlib.crc32(stream.encode())])

    def case_rng(self, stream: str, case) -> np.random.Generator:
        """The random stream ``stream`` of one case: keyed by the case's exact values as well, so that what a case
        draws does not depend on the cases trained with it (replayed alone, it draws what it drew in its chunk)."""
        return self.rng(f"{stream} {json.dumps(case.exact_json(), sort_keys=True)}")

    def selects(self, name: str) -> bool:
        return self.checks is None or name in self.checks


# --- the claim -----------------------------------------------------------------------------------------
class Claim:
    """A theorem to verify. Subclasses set the class attributes, ``strategy``, their ``@check`` methods and,
    if they train models, ``train``; optionally ``derivations``, ``figures``, ``tables``, ``configure``."""

    id: str
    title: str
    statement: str
    # ((tag, text), ...) with tag in seen / derived / reconstructed; a claim writes it as paragraphs 'tag: text'
    provenance: tuple
    options: tuple = ()  # Option, ...
    corruptions: tuple = ()  # Corruption, ...
    step_factor: int = 1  # a case trains at most this many times the profile's GD step budget
    case_strategy = None  # the Hypothesis strategy drawing the cases, when they do not depend on the run
    fixed_training: str = ""  # what one case trains whatever the profile (e.g. "2000 SGD steps per path")
    # Cases per chunk, one batched training program each (verify.runner). A claim whose training is arithmetic-bound
    # and whose experiments train to the same bits in any batch sets fewer: the default profile's 12 cases are then
    # chunks that the cores run side by side, with reports unchanged.
    chunk_cases: int = 16
    # Whether a case trains to the same bits whichever cases share its batch (its own random streams, shapes padded
    # to the largest a case can have: docs/adding-a-claim.md), so that its replay command reproduces its outcomes
    # exactly. A claim whose batch cannot be (sensing: one matrix product over the batch's shared measurements) sets
    # False; its replays are then checked for the same statuses only.
    batch_invariant: bool = True
    # True when figures() needs only what a JSON report holds (settings, cases, outcomes' data) and trains no model
    # (it may recompute seeded or exact numbers from the settings): `--from-json` redraws them (verify/redraw.py)
    figures_from_report: bool = False
    checks: tuple = ()  # Check, ...: collected from the @check methods, in the order they are defined

    def __init_subclass__(cls, **keywords):
        super().__init_subclass__(**keywords)
        if isinstance(vars(cls).get("provenance"), str):
            cls.provenance = _provenance(cls.provenance, cls.__name__)
        if not (type(cls.chunk_cases) is int and cls.chunk_cases >= 1):
            raise ClaimDefinitionError(f"claim {cls.__name__}: chunk_cases={cls.chunk_cases!r} is invalid: a whole "
                                       "number of cases >= 1 per chunk (16 by default)")
        declared = {check.name: check for check in cls.checks}
        for attribute in vars(cls).values():
            declaration = getattr(attribute, "__check__", None)
            if declaration is not None:
                declared.pop(declaration.name, None)  # an override replaces, in its new place
                declared[declaration.name] = declaration
        cls.checks = tuple(declared.values())

    # -- what a claim writes ---------------------------------------------------------------------------
    def strategy(self, run: Run):
        """The Hypothesis strategy drawing this claim's cases: ``case_strategy``, unless the cases depend on the run
        (its profile's step budget, its precision, its options), when a claim overrides this."""
        if self.case_strategy is None:
            raise ClaimDefinitionError(f"claim {self.id!r} has per-case checks but neither case_strategy nor strategy()")
        return self.case_strategy

    def train(self, cases: list, run: Run) -> dict:
        """All models of all ``cases`` trained in one batched program: {case: result | Skip | Diverged}."""
        raise ClaimDefinitionError(f"claim {self.id!r} declares empirical checks but no train()")

    def configure(self, options: dict) -> dict:
        """Validate the parsed options together (e.g. one that needs another); raise UsageError."""
        return options

    def derivations(self) -> list:
        """The checked derivations behind the claim, in reading order (for the LaTeX export): by default those
        of the ``derived`` checks, in declaration order."""
        derived_checks = [c for c in self.checks if isinstance(getattr(type(self), c.method, None), Derived)]
        return [derivation for declared in derived_checks for derivation in getattr(self, declared.method)()]

    def figures(self, directory, result) -> list:
        """Write the claim's figures (PNG and PDF) into ``directory`` for a finished run; return their paths."""
        return []

    @property
    def draws_figures(self) -> bool:
        return type(self).figures is not Claim.figures

    def tables(self, result) -> dict:
        """Claim-specific summary tables for the report: {title: (header, rows)}."""
        return {}

    def statement_key(self) -> str:
        """Changes whenever a stated form the derivations check changes (a corruption patches one): part of
        every ``derivation`` cache key, so that a patched statement is derived afresh."""
        return ""

    def training_length(self, profile: Profile) -> str:
        """What one case trains at ``profile``, as the report's settings line states it."""
        if self.fixed_training:
            return f"{self.fixed_training}, whatever the profile"
        if type(self).train is Claim.train:
            return "no model trained"
        return f"≤ {self.step_factor * profile.step_budget} (S)GD steps per case"

    def selection(self, run: Run) -> frozenset | None:
        """The checks ``run`` selects (None: all): ``--check``, unless the claim's options narrow them (e.g. an
        option that asks one question of the claim)."""
        return run.checks

    def derive(self, key: str, build: Callable):
        """``build()`` (a checked derivation or anything picklable), through the on-disk cache."""
        return cache.cached(self.id, key, build)

    def derivation(self, build: Callable):
        """``build()`` through the cache, keyed by the build's module, name and arguments (of a ``partial``) and
        by ``statement_key()``."""
        return self.derivations_of((build,))[0]

    def derivations_of(self, builds) -> list:
        """``derivation(build)`` for each build (the statement key computed once)."""
        statement, derivations = self.statement_key(), []
        for build in builds:
            current, patched = _current(build)
            key = _build_key(build) + (f":patched by {current!r}" if patched else "")  # never a declared one's
            derivations.append(self.derive(f"{key}:{statement}" if statement else key, current))
        return derivations

    # -- what the kit does -----------------------------------------------------------------------------
    def check_named(self, name: str) -> Check:
        for declared in self.checks:
            if declared.name == name:
                return declared
        raise ClaimDefinitionError(f"claim {self.id!r} produced an outcome for undeclared check {name!r}")

    def per_case_checks(self, run: Run) -> list:
        return [c for c in self.checks if not c.once and run.selects(c.name)]

    def global_outcomes(self, run: Run) -> list:
        """Outcomes of the selected checks that run once per claim."""
        outcomes = []
        for declared in self.checks:
            if declared.once and run.selects(declared.name):
                outcomes += self._outcomes(declared, None, lambda d=declared: getattr(self, d.method)(run))
        return outcomes

    def evaluate(self, cases: list, run: Run) -> dict:
        """Outcomes of the selected per-case checks for every case; models for all cases train together."""
        selected = self.per_case_checks(run)
        trained = {}
        if cases and any(c.kind == "empirical" for c in selected):
            trained = self.train(cases, run)
        evidence = {}
        for case in cases:
            outcomes = []
            for declared in selected:
                method = getattr(self, declared.method)
                if declared.kind != "empirical":
                    outcomes += self._outcomes(declared, case, lambda m=method: m(case, run))
                    continue
                model = trained[case]
                if isinstance(model, (Skip, Diverged)):
                    outcomes += self._outcomes(declared, case, lambda m=model: m)
                else:
                    outcomes += self._outcomes(declared, case, lambda m=method, t=model: m(case, run, t))
            evidence[case] = outcomes
        return evidence

    def _outcomes(self, declared: Check, case, measure) -> list:
        name = declared.name
        try:
            value = measure()
        except DerivationError as failure:
            status = FAIL if declared.kind == "symbolic" else ERROR
            return [Outcome(name, case, 1.0 if status == FAIL else math.nan, 0.0 if status == FAIL else math.nan,
                            status, str(failure))]
        except DOMAIN_ERRORS as failure:
            return [Outcome(name, case, math.nan, math.nan, ERROR, describe_failure(failure))]
        values = value if isinstance(value, (list, tuple)) else [value]
        derivations = [v for v in values if isinstance(v, Derivation)]
        if derivations:
            if len(derivations) != len(values):
                raise ClaimDefinitionError(f"check {name!r} mixes derivations with other results")
            return [_derived(name, case, derivations)]
        return [_outcome(name, case, v) for v in values]

    def __repr__(self) -> str:
        return f"<claim {self.id}>"

    def __reduce_ex__(self, protocol):
        """A registered claim travels to worker processes by its id (a claim holds no state of its own): a forked
        worker's registry holds this very object, with whatever this process patched before the fork."""
        from .claims import REGISTRY  # noqa: PLC0415 - the registry imports the claims

        if REGISTRY.get(self.id) is self:
            return _registered, (self.id,)
        return super().__reduce_ex__(protocol)


def _registered(claim_id: str) -> Claim:
    from .claims import REGISTRY  # noqa: PLC0415

    return REGISTRY[claim_id]


def _outcome(name: str, case, value) -> Outcome:
    if isinstance(value, Measured):
        return judge(name, case, value.error, value.tolerance, value.detail, value.data)
    if isinstance(value, Skip):
        return Outcome(name, case, math.nan, math.nan, SKIPPED, value.reason)
    if isinstance(value, Diverged):
        return Outcome(name, case, math.nan, math.nan, ERROR, value.detail)
    raise ClaimDefinitionError(f"check {name!r} returned {type(value).__name__}; expected Measured, Skip, "
                               "Diverged, a Derivation or a list of them")


def _derived(name: str, case, derivations: list) -> Outcome:
    """A symbolic check passed: every step of every derivation was checked when it was built."""
    notes = []
    for derivation in derivations:
        notes.extend(derivation.notes)
        if not derivation.exact:
            notes.append(f"{derivation.title}: includes numeric spot-checks")
    detail = f"{len(derivations)} derivations, every step checked"
    if notes:
        detail += "; " + " ".join(notes)
    return Outcome(name, case, 0.0, 0.0, PASS, detail)


def for_claim(run: Run, claim: Claim) -> Run:
    """``run`` as seen by ``claim``: its random streams keyed by the claim's id, its checks as the claim's options
    select them (``Claim.selection``)."""
    run = replace(run, claim=claim.id)
    return replace(run, checks=claim.selection(run))

