"""The teacher's device path without torch's model: batch plans under a token budget, padding,
the bounded tokenising pipeline, the device's choices, and `--device cuda` refused where no GPU
is. Fast: no encoder is loaded."""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.classify.batching import pad, plan_batches, prefetch
from groundswell.classify.device import device_ops, require_device, resolve_precision
from groundswell.errors import InputError


@given(
    st.lists(st.integers(0, 300), max_size=200),
    st.integers(1, 2000),
    st.integers(1, 50),
)
def test_length_plan_covers_every_row_once_within_the_budget(lengths, budget, max_rows):
    plan = plan_batches(lengths, budget, max_rows)
    flat = np.concatenate(plan) if plan else np.array([], dtype=int)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    for idx in plan:
        assert 1 <= len(idx) <= max_rows
        width = max(1, max(lengths[i] for i in idx))
        assert len(idx) == 1 or len(idx) * width <= budget  # a lone over-long row still runs
    # sorted by length: each batch's rows are no longer than the next batch's
    widths = [(min(lengths[i] for i in b), max(lengths[i] for i in b)) for b in plan]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(widths))


def test_plan_fills_batches_by_tokens_not_by_count():
    lengths = [10] * 100 + [100] * 10
    plan = plan_batches(lengths, token_budget=500, max_rows=64)
    assert [len(b) for b in plan] == [50, 50, 5, 5]
    plain = plan_batches(lengths, 500, 64, by_length=False)
    assert [b.tolist() for b in plain] == [list(range(64)), list(range(64, 110))]


def test_pad_right_pads_ids_and_mask():
    ids, mask = pad([[101, 7, 102], [101, 102], [101]])
    assert ids.tolist() == [[101, 7, 102], [101, 102, 0], [101, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0], [1, 0, 0]]
    assert ids.dtype == np.int64 and mask.dtype == np.int64


def test_prefetch_keeps_order_and_takes_a_bounded_number_ahead():
    taken = 0
    consumed = 0
    worst = 0

    def stream():
        nonlocal taken, worst
        for i in range(50):
            taken += 1
            worst = max(worst, taken - consumed)
            yield i

    def slow_square(x: int) -> int:
        time.sleep(0.001 * (x % 3))  # finish out of order
        return x * x

    out = []
    for y in prefetch(slow_square, stream(), workers=3, depth=4):
        out.append(y)
        consumed += 1
    assert out == [i * i for i in range(50)]
    assert worst <= 4 + 1  # flat memory on an endless stream


def test_prefetch_runs_work_in_threads_and_passes_errors_on():
    names = set()

    def record(x: int) -> int:
        names.add(threading.current_thread().name)
        if x == 3:
            raise ValueError("bad chunk")
        return x

    with pytest.raises(ValueError, match="bad chunk"):
        list(prefetch(record, range(10), workers=2, depth=2))
    assert all(n.startswith("groundswell-tokenise") for n in names)


def test_cpu_and_cuda_branches_choose_as_documented():
    cpu = device_ops("cpu")
    assert (cpu.kind, cpu.place, cpu.precision) == ("cpu", "cpu", "fp32")
    assert not cpu.pin_memory and not cpu.non_blocking
    # the cuda branch, with its tensors placed on the CPU (the "device set by a flag")
    cuda = device_ops("cuda", place="cpu")
    assert (cuda.kind, cuda.place, cuda.precision) == ("cuda", "cpu", "fp16")
    assert cuda.pin_memory and cuda.non_blocking
    assert cuda.token_budget >= 64 * 1024 and cuda.max_rows >= 2048 and cuda.prefetch >= 2
    assert device_ops("cuda", "bf16", place="cpu").precision == "bf16"
    assert device_ops("cpu", max_rows=8).max_rows == 8
    assert resolve_precision("auto", "cuda") == "fp16"
    with pytest.raises(InputError, match="--precision fp8"):
        resolve_precision("fp8", "cpu")


def test_unknown_device_is_refused():
    assert require_device("cpu") == "cpu"
    with pytest.raises(InputError, match="unknown device"):
        require_device("tpu")


def test_cuda_without_a_gpu_is_refused_with_the_fix():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(InputError, match=r"sees no CUDA GPU.*use --device cpu"):
        require_device("cuda")
    with pytest.raises(InputError):
        device_ops("cuda:1")


@pytest.mark.parametrize(
    "argv",
    [
        ["predict", "-", "--model", "teacher", "--device", "cuda"],
        ["classify", "--model", "student", "--device", "cuda"],
        ["classify", "--device", "tpu"],
    ],
)
def test_cli_device_cuda_without_a_gpu_exits_2_with_one_line(argv, tmp_path, monkeypatch, capsys):
    import io

    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    from classify_helpers import fill_store

    from groundswell.cli import main
    from groundswell.store import Store

    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        fill_store(store)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"text": "me too"}\n'))
    code = main([*argv, "--db", str(db)] if argv[0] == "classify" else argv)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "--device" in err and "Traceback" not in err
