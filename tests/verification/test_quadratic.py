"""End-to-end quadratic networks, and a wrong coupling that must be refuted."""

from numerics import quadratic
from verify import runner
from verify.claim import PROFILES, Settings
from verify.claims import REGISTRY


def test_quadratic_holds():
    result = runner.run(REGISTRY["quadratic"], Settings(profile=PROFILES["quick"], seed=2))
    assert result.verdict == runner.HOLDS
    assert {o.check for o in result.outcomes if o.status == "pass"} >= {
        "reduction-to-eigenvalues", "variance-vs-theorem1", "no-bias-coupling"}


def test_a_wrong_trace_coupling_is_refuted(monkeypatch):
    """If the flow's trace term had the wrong strength (2 instead of 4), GD would not match it."""
    exact = quadratic.eigenvalue_flow

    def wrong(targets, *, init, times, coupled):
        import numpy as np
        from scipy.integrate import solve_ivp

        stars = np.array([float(t) for t in targets])
        rhs = lambda _, logs: 8 * (stars - np.exp(logs)) - 2 * (np.exp(logs) - stars).sum()  # noqa: E731
        solution = solve_ivp(rhs, (0, max(times)), np.full(len(stars), np.log(float(init))), method="Radau",
                             rtol=1e-10, atol=1e-12, dense_output=True)
        return np.exp(np.array([solution.sol(t) for t in times])) if coupled else exact(
            targets, init=init, times=times, coupled=coupled)

    monkeypatch.setattr(quadratic, "eigenvalue_flow", wrong)
    result = runner.run(REGISTRY["quadratic"], Settings(profile=PROFILES["quick"], seed=2))
    assert result.verdict == runner.REFUTED and result.counterexample.check == "no-bias-coupling"
