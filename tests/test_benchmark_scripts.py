"""The parts of the benchmark scripts that read what the machine reports, and the bound that
replays an evaluation's engine work without recording (the figures themselves are printed by the
scripts, not asserted here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _script(name: str) -> ModuleType:
    """A benchmark script as a module of its own name (they import their siblings by name)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.append(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


instructions = _script("instructions")
run = _script("run")

ANNOTATED = """\
--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
3,254,042,164 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                    file:function
--------------------------------------------------------------------------------
192,512,475 ( 5.92%)  /tmp/Python-3.12.1/Python/generated_cases.c.h:_PyEval_EvalFrameDefault'2
143,564,899 ( 4.41%)  ./elf/../sysdeps/x86_64/tls_get_addr.S:__tls_get_addr [/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2]
 82,958,961 ( 2.55%)  /tmp/Python-3.12.1/Objects/obmalloc.c:_PyObject_Free [/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0]
 50,753,604 ( 1.56%)  ./string/memset-vec-unaligned-erms.S:__memset_avx2_unaligned_erms [/usr/lib/x86_64-linux-gnu/libc.so.6]
 40,000,000 ( 1.23%)  src/rules/rete.c:handleBetaFrame [/work/durable_rules_engine.cpython-312-x86_64-linux-gnu.so]
  1,000,000 ( 0.03%)  ???:0x29ad80 [/usr/lib/x86_64-linux-gnu/libcrypto.so.3]
      2,000 ( 0.00%)  Modules/_json.c:encoder_listencode_obj [/lib/python3.12/lib-dynload/_json.cpython-312-x86_64-linux-gnu.so]
"""


def test_split_by_library_sums_each_shared_object() -> None:
    split = instructions.split_annotated(ANNOTATED)
    assert split == {
        "the interpreter": 192_512_475 + 82_958_961,
        "the dynamic linker (ld.so)": 143_564_899,
        "libc": 50_753_604,
        "the engine (durable_rules_engine)": 40_000_000,
        "libcrypto": 1_000_000,
        "_json": 2_000,
    }
    # the program total is not a function line
    assert sum(split.values()) < 3_254_042_164


def test_split_of_output_without_a_function_table_is_empty() -> None:
    assert instructions.split_annotated("callgrind_annotate: no data") == {}


def test_libpython_is_told_from_the_process_maps(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run.libpython() in {"shared", "linked in", "?"}
    real = Path.read_text

    def maps(text: str | None) -> object:
        def read_text(self: Path, *args: object, **kwargs: object) -> str:
            if str(self) == "/proc/self/maps":
                if text is None:
                    raise OSError("no /proc")
                return text
            return real(self, *args, **kwargs)  # type: ignore[arg-type]
        return read_text

    monkeypatch.setattr(Path, "read_text", maps("7f00 r-xp /root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0\n"))
    assert run.libpython() == "shared"
    monkeypatch.setattr(Path, "read_text", maps("5600 r-xp /usr/bin/python3.11\n"))
    assert run.libpython() == "linked in"
    monkeypatch.setattr(Path, "read_text", maps(None))
    assert run.libpython() == "?"


def _synthetic(book: Any, n: int) -> tuple[list[Any], list[Any]]:
    from antitrust.deal import Deal
    from antitrust.facts import relevant_date

    deals = [Deal.model_validate(d) for d in run.synth.deals(n, seed=5)]
    pairs = [(d, relevant_date(d, run.TODAY)) for d in deals]
    return pairs, [run.lean_flatten(book, d, at) for d, at in pairs]


def test_empty_actions_replay_the_recorded_work(rulebook: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from antitrust.errors import EngineError

    book = rulebook
    pairs, flats = _synthetic(book, 4)
    answers = run.recorded_answers(book, pairs, flats)
    # Each deal's actions were answered, and some of them with derived facts to assert.
    assert all(answers) and any(derived for deal in answers for derived in deal)
    times = run.empty_actions(book, pairs, flats, repeat=1)
    assert len(times) == len(pairs) and all(t >= 0 for t in times)

    # An answer too many: the engine took fewer actions than were recorded.
    monkeypatch.setattr(run, "recorded_answers", lambda *_a: [[*a, []] for a in answers])
    with pytest.raises(AssertionError, match="fewer actions than recorded"):
        run.empty_actions(book, pairs, flats, repeat=1)
    # An answer too few: the engine asks for one more than was recorded.
    monkeypatch.setattr(run, "recorded_answers", lambda *_a: [a[:-1] for a in answers])
    with pytest.raises(EngineError):
        run.empty_actions(book, pairs, flats, repeat=1)
