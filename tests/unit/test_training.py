"""Batched torch training: exact isotropic inputs, batch independence, per-case steps, devices."""

import signal
import threading
import time
from fractions import Fraction
from functools import partial

import numpy as np
import pytest
import torch

from numerics import gd
from verify.training import placement
from verify.training import toy as training


def test_inputs_have_exactly_identity_covariance():
    for coordinates in (1, 3, 4, 7):
        x = training.isotropic_inputs(coordinates)
        n = x.shape[0]
        assert torch.equal(x.T @ x, n * torch.eye(coordinates, dtype=x.dtype))
        assert torch.equal(x.sum(dim=0), torch.zeros(coordinates, dtype=x.dtype))


def test_a_case_trains_the_same_alone_and_in_a_batch():
    cases = [(3, (Fraction(3), Fraction(1)), Fraction(1, 100), Fraction(1, 100)),
             (1, (Fraction(2),), Fraction(1, 10), Fraction(1, 20)),
             (5, (Fraction(1), Fraction(1, 2), Fraction(1, 4)), Fraction(1, 10), Fraction(1, 200))]
    experiments = [training.Experiment(*case, record=(0, 10, 100, 300)) for case in cases]
    batch = training.train(experiments, device="cpu")
    alone = training.train(experiments[:1], device="cpu")
    assert np.allclose(batch.sigma[0][:, :2], alone.sigma[0], rtol=1e-14, atol=0)
    assert np.isnan(batch.sigma[1][:, 1:]).all() and batch.finite.all()


def test_with_one_input_width_a_case_trains_to_the_same_bits_alone_and_in_any_batch():
    """A claim trains its cases in chunks and replays one alone: given the width, the inputs (Hadamard columns, n
    rows) are the same whatever the batch, and so is every bit of a case's trajectory and the row count n its
    rounding bound uses. Without a width, a 1-target case alone trains on 2 rows, in this batch on 4."""
    cases = [(3, (Fraction(3), Fraction(1)), Fraction(1, 100), Fraction(1, 100)),
             (1, (Fraction(2),), Fraction(1, 10), Fraction(1, 20)),
             (5, (Fraction(1), Fraction(1, 2), Fraction(1, 4)), Fraction(1, 10), Fraction(1, 200)),
             (7, (Fraction(3, 2),), Fraction(1, 1000), Fraction(1, 50))]
    experiments = [training.Experiment(*case, record=(0, 10, 100, 300)) for case in cases]
    batch = training.train(experiments, device="cpu")
    for b, experiment in enumerate(experiments):
        alone = training.train([experiment], width=3, device="cpu")
        coordinates = len(experiment.targets)
        assert np.array_equal(batch.sigma[b][:, :coordinates], alone.sigma[0][:, :coordinates])
        assert alone.samples == batch.samples == 4
    assert training.train(experiments[1:2], device="cpu").samples == 2


@pytest.mark.parametrize("width", [1, 2.5, "3"])
def test_an_input_width_below_the_widest_experiment_or_not_whole_is_refused(width):
    experiment = training.Experiment(2, (Fraction(1), Fraction(1, 2)), Fraction(1, 10), Fraction(1, 20), record=(0, 1))
    with pytest.raises(ValueError, match=f"width={width!r} is invalid: a whole number at least 2"):
        training.train([experiment], width=width, device="cpu")


def test_the_layer_products_node_has_torchs_own_gradient_to_the_bit():
    """``_Products`` (one autograd node for every depth group's column products, put at their places in σ)
    against torch's ``prod``, ``cat`` and an indexed assignment on the same weights: σ and every weight's gradient
    equal bit for bit; a factor exactly 0, which torch's backward handles by a host-side test, gives NaN, so the
    run is reported as diverged."""
    generator = torch.Generator().manual_seed(0)
    groups = [(1 + torch.rand(depth, columns, dtype=torch.float64, generator=generator)).requires_grad_()
              for depth, columns in ((1, 4), (3, 5), (8, 6))]
    shape = (3, 7)
    place = torch.randperm(21, generator=generator)[:15]
    pull = torch.randn(shape, dtype=torch.float64, generator=generator)
    ours = training._Products.apply(place, shape, *groups)
    torchs = torch.zeros(21, dtype=torch.float64).index_put((place,), torch.cat([w.prod(dim=0) for w in groups]))
    assert torch.equal(ours, torchs.view(shape))
    for a, b in zip(torch.autograd.grad(ours, groups, pull), torch.autograd.grad(torchs.view(shape), groups, pull)):
        assert torch.equal(a, b)
    with torch.no_grad():
        groups[1][0, 0] = 0.0
    gradient = torch.autograd.grad(training._Products.apply(place, shape, *groups), groups, pull)[1]
    assert torch.isnan(gradient[0, 0])


def test_float64_training_follows_the_exact_replay():
    depth, star, init, step = 4, Fraction(3, 2), Fraction(1, 1000), Fraction(1, 100)
    record = [0, 100, 500, 1000, 2000]
    run = training.train([training.Experiment(depth, (star,), init, step, record)], device="cpu")
    exact = gd.replay(record, depth=depth, target=star, init=init, step=step, dps=30)
    for r, value in enumerate(exact.sigma):
        assert abs(run.sigma[0, r, 0] - float(value)) <= 1e-12 * float(value)


def test_a_batch_of_mixed_depths_and_widths_follows_the_exact_replay_of_each_coordinate():
    """Cases of several depths, listed out of depth order, with one or two targets: every recorded σ_i is GD's
    to float64 rounding, relative to the case's largest σ at that step (the residual mixes its coordinates):
    measured ≤ 5e-15 after 1000 steps, and 1e-14 is twice that."""
    record = (0, 50, 300, 1000)
    cases = [(5, (Fraction(3, 2), Fraction(1, 2)), Fraction(1, 100), Fraction(1, 200)),
             (1, (Fraction(2),), Fraction(1, 10), Fraction(1, 20)),
             (3, (Fraction(1),), Fraction(1, 1000), Fraction(1, 50)),
             (2, (Fraction(5, 4), Fraction(1)), Fraction(1, 100), Fraction(1, 40))]
    run = training.train([training.Experiment(*case, record=record) for case in cases], device="cpu")
    for b, (depth, stars, init, step) in enumerate(cases):
        exact = np.array([[float(v) for v in gd.replay(record, depth=depth, target=star, init=init, step=step,
                                                       dps=30).sigma] for star in stars]).T
        scale = exact.max(axis=1, keepdims=True)
        assert (np.abs(run.sigma[b, :, : len(stars)] - exact) <= 1e-14 * scale).all()
        assert np.isnan(run.sigma[b, :, len(stars):]).all()


def test_divergence_is_flagged_not_hidden():
    run = training.train([training.Experiment(2, (Fraction(4),), Fraction(1, 2), Fraction(1), (0, 50, 200))],
                         device="cpu")
    assert not run.finite[0]


def test_device_and_dtype_choices():
    assert placement.select_device() == torch.device("cuda" if torch.cuda.is_available() else "cpu")  # auto
    with pytest.raises(ValueError, match="device="):
        placement.select_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            placement.select_device("cuda")
    with pytest.raises(ValueError, match="dtype="):
        training.train([training.Experiment(1, (Fraction(1),), Fraction(1, 2), Fraction(1, 10), (0, 1))], dtype="float16")
    run = training.train([training.Experiment(2, (Fraction(1),), Fraction(1, 10), Fraction(1, 10), (0, 100))],
                         dtype="float32")
    assert run.dtype == "float32" and abs(run.sigma[0, 1, 0] - 1) < 1e-3


@pytest.mark.skipif(placement.lanes(torch.device("cpu")) < 2, reason="programs run at once on two cores or more")
def test_programs_run_at_once_on_the_cpu_each_on_one_thread_results_in_order():
    """Two programs that each wait for the other pass a two-party barrier only when they run at the same time (one
    after another, the first times out); a third waits for a free thread. On a GPU they run one after another."""
    barrier, seen = threading.Barrier(2, timeout=10), []

    def program(value, wait, stopping):
        assert not stopping.is_set()
        if wait:
            barrier.wait()
        seen.append((torch.get_num_threads(), threading.current_thread() is threading.main_thread()))
        return value

    programs = [partial(program, "a", True), partial(program, "b", True), partial(program, "c", False)]
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert placement.concurrently(programs, torch.device("cpu")) == ["a", "b", "c"]
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert seen == [(1, False)] * 3
    seen.clear()
    assert placement.concurrently(programs[2:] * 2, torch.device("cuda")) == ["c", "c"]  # no tensor: no GPU needed
    assert [on_main for _, on_main in seen] == [True, True]
    assert placement.concurrently(programs[:2], torch.device("cpu")) == ["a", "b"]  # two programs: two threads
    with pytest.raises(ValueError, match="boom"):
        placement.concurrently([partial(program, "d", False), partial(_fails, "boom")], torch.device("cpu"))
    assert placement.concurrently([], torch.device("cpu")) == []
    crowd = placement.lanes(torch.device("cpu")) + 1  # no more at once than lanes: one program too many never meets
    with pytest.raises(threading.BrokenBarrierError):
        placement.concurrently([lambda stopping, meet=threading.Barrier(crowd, timeout=2): meet.wait()] * crowd,
                               torch.device("cpu"))


@pytest.mark.skipif(placement.lanes(torch.device("cpu")) < 2, reason="programs run at once on two cores or more")
@pytest.mark.parametrize("ending", ["Ctrl-C", "a program's error"])
def test_a_ctrl_c_or_an_error_stops_the_running_programs_at_their_next_step(ending):
    """Programs that would poll for half a minute end at their next step once the wait is interrupted by a real SIGINT
    to the main thread (a Ctrl-C reaches no other thread) or once a program fails, and the exception leaves. Programs
    waiting for a free thread do not run (a thread freed by the failure may start one: it ends at its first step)."""
    cpu, lanes = torch.device("cpu"), placement.lanes(torch.device("cpu"))
    began, ended, busy = [], [], threading.Event()  # busy: every thread has a program

    def begin(name):
        began.append(name)
        if len(began) == lanes:
            busy.set()

    def program(name, stopping):
        begin(name)
        for _ in range(3000):  # 30 s unless asked to stop
            if stopping.is_set():
                ended.append(name)
                raise placement.Stopped()
            time.sleep(0.01)
        ended.append(f"{name} ran to its end")

    def failing(stopping):
        begin("failing")
        busy.wait(10)
        time.sleep(0.1)  # fails while the main thread waits for the programs (not before it gets there)
        _fails("boom")

    programs = [partial(program, name) for name in range(lanes + 2)]  # two too many: they wait for a free thread
    if ending == "Ctrl-C":
        def interrupt():
            busy.wait(10)
            time.sleep(0.1)  # for the main thread to reach the wait (a Ctrl-C while it starts a thread works too)
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        threading.Thread(target=interrupt).start()
        with pytest.raises(KeyboardInterrupt):
            placement.concurrently(programs, cpu)
        assert sorted(began) == list(range(lanes))  # the two waiting for a thread were cancelled
    else:
        with pytest.raises(ValueError, match="boom"):
            placement.concurrently(programs[: lanes - 1] + [failing] + programs[lanes - 1 :], cpu)
    for _ in range(1000):  # (a program whose thread was being started when the Ctrl-C came is not waited for)
        if len(ended) == len(began) - (ending != "Ctrl-C"):
            break
        time.sleep(0.01)
    assert sorted(ended) == sorted(name for name in began if name != "failing")
    assert set(range(lanes - (ending != "Ctrl-C"))) <= set(ended)


def test_balanced_parts_put_the_costliest_first_onto_the_lightest():
    costs = {"e": 5, "d": 4, "c": 3, "b": 3, "a": 1}  # names in the opposite order to the costs
    assert placement.balanced(costs, 2) == [["e", "b"], ["d", "c", "a"]]  # 8 and 8
    assert placement.balanced(costs, 3) == [["c", "b"], ["e"], ["d", "a"]]  # 6, 5, 5: the costliest part first
    assert placement.balanced(costs, 9) == [["e"], ["d"], ["c"], ["b"], ["a"]]
    assert placement.balanced({"a": 1}, 1) == [["a"]] and placement.balanced({}, 2) == []
    for parts in (0, 1.5):
        with pytest.raises(ValueError, match="parts=.* must be an integer >= 1"):
            placement.balanced(costs, parts)


def _fails(message, stopping=None):
    raise ValueError(message)


def test_one_thread_on_cpu_restores_the_thread_count_even_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with placement.one_thread_on_cpu(torch.device("cpu")):
            assert torch.get_num_threads() == 1
            raise RuntimeError("training failed")
    assert torch.get_num_threads() == before
