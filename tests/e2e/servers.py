"""Servers started as a user starts them (a `customs` command in the background), each on a free
loopback port, waited for with a bound and always stopped, even when the test fails."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests


def free_port() -> int:
    """A port the kernel has just handed out (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def background(command: list[str] | str, *, url: str, cwd: Path,
               env: Mapping[str, str] | None = None, wait: float = 60) -> Iterator[
                   subprocess.Popen[str]]:
    """Start a server and wait until `url` answers (any status); stop its process group after.

    A string command runs under bash, as a README line would."""
    process = subprocess.Popen(
        command, shell=isinstance(command, str), executable="/bin/bash" if isinstance(
            command, str) else None, cwd=cwd, env=None if env is None else dict(env),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    # Its output is read only if it dies early; a chatty server would fill the pipe: redirect
    # it to a file in the command (as test_readme does) when it runs long.
    try:
        _wait_until_up(process, url, wait)
        yield process
    finally:
        _stop(process)


def _wait_until_up(process: subprocess.Popen[str], url: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the server exited ({process.returncode}) before answering "
                                 f"{url}:\n{output[-3000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered {url} within {wait:.0f} s")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
    if process.stdout:
        process.stdout.close()
