"""The GD replay's iterates and first-order error terms against their definitions, step by step.

``numerics.gd`` computes the amplification by a recurrence and the deviation as a running maximum;
here both are recomputed from their definitions over the explicit sequence w_0, w_1, … of the map
w ← w + η f(w), so an off-by-one in the recurrence, the step count or the maximum shows.
"""

import mpmath as mp
import pytest

from numerics import gd

DPS = 30


def definitions(steps, *, depth, target, init, step):
    """σ_k, deviation_k = max_{1≤j≤k} (η/2) N w_j^{N−1} f(w_j) |log f(w_j)/f(w_0)| and
    amplification_k = Σ_{j<k} (w_j/f(w_j)) (f(w_k)/w_k), from the sequence itself (40 more digits)."""
    with mp.workdps(DPS + 40):
        star, h = mp.mpf(target), mp.mpf(step)
        w = [mp.root(mp.mpf(init), depth)]
        for _ in range(max(steps)):
            w.append(w[-1] + h * w[-1] ** (depth - 1) * (star - w[-1] ** depth))
        f = [x ** (depth - 1) * (star - x**depth) for x in w]
        rate = [depth * x ** (depth - 1) * fx for x, fx in zip(w, f)]
        terms = [h / 2 * rate[j] * abs(mp.log(f[j] / f[0])) for j in range(len(w))]
        return ([w[k] ** depth for k in steps], [max(terms[: k + 1]) for k in steps],
                [sum(w[j] / f[j] for j in range(k)) * f[k] / w[k] for k in steps])


@pytest.mark.parametrize("depth, init, step", [(1, "0.01", "0.05"), (3, "1e-3", "0.01"), (5, "0.1", "0.15")])
def test_iterates_and_error_terms_match_their_definitions(depth, init, step):
    steps = [0, 1, 2, 3, 17, 60]
    run = gd.replay(steps, depth=depth, target=1, init=init, step=step, dps=DPS)
    assert list(run.steps) == steps
    # σ and the deviation to the replay's dps; the amplification, a growth factor, to 6 digits: near the
    # fixed point it divides values of f(w) = w^{N−1}(σ* − w^N) that have lost most digits to cancellation
    tolerances = (mp.mpf(10) ** -DPS, mp.mpf(10) ** -DPS, mp.mpf(10) ** -6)
    defined = definitions(steps, depth=depth, target=1, init=init, step=step)
    for computed, exact_values, tolerance in zip((run.sigma, run.deviation, run.amplification), defined, tolerances):
        for value, exact in zip(computed, exact_values):
            with mp.workdps(DPS + 40):
                assert abs(value - exact) <= tolerance * abs(exact)  # exact 0 (at step 0) only for 0


def test_steps_are_recorded_in_order_once_and_unrecorded_steps_still_run():
    run = gd.replay([5, 0, 2, 5], depth=2, target=1, init="0.01", step="0.1", dps=DPS)
    alone = gd.replay([5], depth=2, target=1, init="0.01", step="0.1", dps=DPS)
    assert run.steps == (0, 2, 5) and run.sigma[-1] == alone.sigma[0]
    with mp.workdps(DPS):
        assert run.sigma[0] == mp.mpf("0.01")


def test_at_the_fixed_point_the_amplification_settles_at_the_maps_contraction():
    """Past convergence (w stops moving at the working precision) each step multiplies A + 1 by the
    map's derivative ρ = 1 − η N σ*^{2−2/N}, so A tends to ρ/(1 − ρ); it must not keep growing."""
    depth, target, step = 2, 2, mp.mpf("0.1")
    run = gd.replay([3000, 4000], depth=depth, target=target, init="0.5", step=step, dps=20)
    rho = 1 - step * depth * target ** (2 - mp.mpf(2) / depth)  # 0.6
    assert abs(run.amplification[-1] - rho / (1 - rho)) < mp.mpf(10) ** -6
    assert run.sigma[-1] == target


def test_stability_limit_is_exact():
    with mp.workdps(40):
        limit = 2 * gd.monotone_step_limit(depth=3, target=2)  # 2/(N σ*^{4/3})
        assert abs(limit - 2 / (3 * mp.mpf(2) ** (mp.mpf(4) / 3))) < mp.mpf(10) ** -28
        below, above = limit * mp.mpf("0.999"), limit * mp.mpf("1.001")
    gd.replay([3], depth=3, target=2, init="0.5", step=below, dps=DPS)
    with pytest.raises(gd.ParameterError, match="stability limit"):
        gd.replay([3], depth=3, target=2, init="0.5", step=above, dps=DPS)


@pytest.mark.parametrize("keywords, parameter", [
    (dict(step=0), "step"), (dict(steps=[-1]), "steps"), (dict(steps=[10**9 + 1]), "steps"), (dict(init=2), "init"),
])
def test_bad_parameters_are_named(keywords, parameter):
    call = {**dict(steps=[1], depth=2, target=1, init="0.5", step="0.1"), **keywords}
    with pytest.raises(gd.ParameterError) as raised:
        gd.replay(call.pop("steps"), **call)
    assert raised.value.parameter == parameter
