"""The collector is paused during bulk work, resumes after the last pause, and stays off if it
was off before."""

from __future__ import annotations

import gc
import threading

import pytest

from customs.gcpause import paused_gc


@pytest.fixture(autouse=True)
def _restore() -> object:
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


def test_nested_and_failing_pauses_resume_the_collector() -> None:
    gc.enable()
    with paused_gc():
        assert not gc.isenabled()
        with pytest.raises(RuntimeError), paused_gc():
            raise RuntimeError("boom")
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_concurrent_pauses_resume_when_the_last_ends() -> None:
    gc.enable()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with paused_gc():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(5)
    with paused_gc():
        pass
    assert not gc.isenabled()  # the other thread's pause is still on
    release.set()
    thread.join()
    assert gc.isenabled()
