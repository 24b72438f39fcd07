"""invariant-sets: vanishing neurons and identical neurons are invariant sets of (stochastic) gradient descent
("Stochastic Collapse").

The mathematics and where each tolerance comes from: docs/claims/stochastic-collapse.md §5.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theory import invariant_sets as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, check, derived

AT_ZERO = {"tanh": sp.Integer(0), "gelu": sp.Integer(0), "relu": sp.Integer(0), "softplus": sp.log(2)}  # σ(0)
ROWS, BATCH = 64, 8
CONTROL = ("tanh", "dropout", Fraction(1, 5))  # the network that breaks the identical set: dropout 0.2


@dataclass(frozen=True)
class NetworkCase(Case):
    """A regression data set (``data_seed``: x ~ N(0, I), y = tanh(⟨v, x⟩)), a two-layer network of ``width`` hidden
    units on ``inputs`` inputs with neuron ``zero`` started at 0 and neuron ``copy[1]`` started as a copy of
    ``copy[0]``, trained with momentum 0.9 at ``step`` (``procedure``: plain or with weight decay 10⁻³). Every case
    trains one network per activation (tanh, GELU, ReLU, softplus) and a dropout control (tanh, p = 0.2)."""

    data_seed: int
    width: int
    inputs: int
    zero: int
    copy: tuple
    step: Fraction
    procedure: str


@st.composite
def network_cases(draw) -> NetworkCase:
    width = draw(st.integers(3, 24))
    chosen = draw(st.lists(st.integers(0, width - 1), min_size=3, max_size=3, unique=True))
    return NetworkCase(draw(st.integers(0, 2**16)), width, draw(st.integers(1, 12)), chosen[0], tuple(chosen[1:]),
                       draw(st.sampled_from((Fraction(1, 100), Fraction(1, 50), Fraction(1, 20)))),
                       draw(st.sampled_from(("momentum", "weight-decay"))))


class InvariantSets(Claim):
    id = "invariant-sets"
    title = "Vanishing neurons (σ(0) = 0) and identical neurons are invariant sets of SGD, bit for bit"
    statement = (
        "For f(x) = Σ_j a_j σ(⟨w_j, x⟩ + b_j) + c, any per-example loss, any minibatches, SGD with momentum and "
        "weight decay: the set of a vanishing neuron (w_j = 0, b_j = 0 and a_j = 0) is invariant iff σ(0) = 0, and the "
        "set of two identical neurons ((w_i, b_i, a_i) = (w_j, b_j, a_j)) is invariant for every activation; both "
        "stay exact in floating point wherever the two sides see the same operations; per-neuron noise (dropout) "
        "breaks the second.")
    provenance = """
        seen: Invariant sets of vanishing and identical neurons, and that they correspond to simpler subnetworks: the
        abstract, and the authors' measurements of them in trained networks (docs/claims/stochastic-collapse.md).

        reconstructed: The precise conditions (σ(0) = 0; procedures that treat neurons alike) as the paper states them.

        derived: The gradients on both sets and the optimiser's map (SymPy, any σ and loss); the bit-for-bit check
        design.
        """
    corruptions = (
        Corruption("σ(0) ≠ 0 allowed: softplus neurons stay vanished", lambda: theory.substituted(
            vanishing=lambda value: sp.true), checks=("vanishing-gradient", "vanishing-neuron")),
        Corruption("dropout keeps identical neurons identical", lambda: theory.substituted(
            identical=lambda procedure: True), checks=("identical-neurons",)),
    )

    statement_key = staticmethod(theory.statement_key)

    @derived(theory.vanishing_derivation)
    def vanishing_gradient(self):
        """on a vanishing neuron, for a generic σ and loss ℓ (width 3, two inputs): ∂ℓ/∂a = ℓ′σ(0), ∂ℓ/∂w = ∂ℓ/∂b = 0,
        so the gradient vanishes under the stated condition on σ(0)
        """

    @derived(theory.identical_derivation)
    def identical_gradient(self):
        """swapping two neurons leaves f unchanged, so on the identical set every partial derivative of the two neurons
        agrees (any σ and ℓ)
        """

    @derived(theory.update_derivation)
    def optimiser_step(self):
        """the momentum-SGD step with weight decay keeps a zero coordinate and its buffer at 0, and two equal
        coordinates equal; for odd σ the vanishing set is the reflection's fixed set
        """

    case_strategy = network_cases()

    def train(self, cases, run):
        from ..training import invariant_mlp  # noqa: PLC0415 - torch only when models train

        experiments = []
        for case in cases:
            generator = np.random.default_rng(case.data_seed)
            data = generator.standard_normal((ROWS, case.inputs))
            targets = np.tanh(data @ generator.standard_normal(case.inputs))
            decay = 1e-3 if case.procedure == "weight-decay" else 0.0
            for activation, dropout in [(name, 0.0) for name in AT_ZERO] + [(CONTROL[0], float(CONTROL[2]))]:
                experiments.append(invariant_mlp.Experiment(activation, case.width, data, targets, case.zero,
                                                            case.copy, float(case.step), decay, dropout,
                                                            case.data_seed))
        streams = [run.case_rng(f"minibatches {index}", case) for case in cases for index in range(len(AT_ZERO) + 1)]
        runs = invariant_mlp.train(experiments, steps=run.profile.step_budget, batch=BATCH, rngs=streams,
                                   device=run.device, dtype=run.dtype)
        out, per_case = {}, len(AT_ZERO) + 1
        for index, case in enumerate(cases):
            rows = range(index * per_case, (index + 1) * per_case)
            if not all(runs.finite[row] for row in rows):
                out[case] = Diverged(f"non-finite weights at step {float(case.step)} with momentum 0.9 (stability "
                                     "needs step × curvature < 2(1 + 0.9))")
                continue
            networks = [(name, case.procedure) for name in AT_ZERO] + [(CONTROL[0], CONTROL[1])]
            out[case] = [(name, procedure, runs.zero_size[row], runs.copy_gap[row], runs.moved[row])
                         for (name, procedure), row in zip(networks, rows)]
            out[case].append(runs.where)
        return out

    @check("empirical",
           compares=f"after the profile's step budget of momentum SGD (batch {BATCH}), the largest "
                    "|w|, |b|, |a| of the neuron started at 0, for tanh, GELU, ReLU (σ(0) = 0) and softplus (σ(0) = "
                    "log 2)",
           measures="largest |parameter| (or 1 if a neuron that must move stayed at 0)")
    def vanishing_neuron(self, case, run, trained):
        """Tolerance: 0 (bit for bit) where the stated condition makes the set invariant: the gradient is then
        0·(finite) = 0 in floating point too; elsewhere the neuron must leave 0 (measured: 1 if it did not)
        """
        where, out = trained[-1], []
        for activation, procedure, size, _, _ in trained[:-1]:
            if procedure == "dropout":
                continue
            if theory.keeps_vanishing(AT_ZERO[activation]):
                out.append(Measured(float(size), 0.0, f"{activation}: the zero neuron's largest |parameter| is {size:.3g} "
                                                       f"({where})", {"activation": activation}))
            else:
                out.append(Measured(1.0 if size == 0 else 0.0, 0.0, f"{activation} (σ(0) = {AT_ZERO[activation]}): "
                                    f"the zero neuron moved to {size:.3g}", {"activation": activation}))
        return out

    @check("empirical", measures="largest |difference| (or 1 if copies that must separate stayed equal)")
    def identical_neurons(self, case, run, trained):
        """after training, the largest |difference| between the two neurons started equal, for every activation with the
        case's procedure and for the dropout control

        Tolerance: 0 (bit for bit) where the stated condition makes the set invariant: both neurons see the same
        floating-point operations (the trainer aligns them, verify/training/invariant_mlp.py); elsewhere the copies must
        separate (measured: 1 if they did not)
        """
        where, out = trained[-1], []
        for activation, procedure, _, gap, moved in trained[:-1]:
            if theory.keeps_identical(procedure):
                out.append(Measured(float(gap), 0.0, f"{activation}, {procedure}: copies differ by {gap:.3g} after "
                                    f"moving {moved:.3g} ({where})", {"activation": activation, "moved": float(moved)}))
            else:
                out.append(Measured(1.0 if gap == 0 else 0.0, 0.0, f"{activation}, {procedure}: the copies separated "
                                    f"by {gap:.3g}", {"activation": activation, "moved": float(moved)}))
        return out


CLAIM = InvariantSets()
