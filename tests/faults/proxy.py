"""A small threaded TCP proxy on loopback (port 0) that injects link faults between two
processes: cut the reply after N bytes, delay it, reset the connection, or refuse to connect.

The mode can change while it runs; each accepted connection takes the mode of its moment.
Used by the fault tests and bench/faults.py; it knows nothing of HTTP or of the service."""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Fault:
    """`cut_after`: forward at most this many reply bytes, then close both sides; `delay`:
    seconds before the reply is forwarded; `reset`: answer the request with a TCP reset (RST)
    once it has been forwarded; `refuse`: reset at once, forwarding nothing."""

    cut_after: int | None = None
    delay: float = 0.0
    reset: bool = False
    refuse: bool = False


PASS = Fault()


@dataclass
class FaultProxy:
    target: tuple[str, int]
    fault: Fault = field(default_factory=Fault)
    chooser: object = None  # optional callable(rng) -> Fault, picked per connection
    seed: int = 0
    connections: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _pick(self) -> Fault:
        with self._lock:
            self.connections += 1
            fault = self.chooser(self._rng) if callable(self.chooser) else self.fault
            name = _name(fault)
            self.faults[name] = self.faults.get(name, 0) + 1
            return fault

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:  # a client gone before it was accepted: not the end of the proxy
                if self._stop.is_set():
                    return
                continue
            try:
                threading.Thread(target=self._serve, args=(client, self._pick()),
                                 daemon=True).start()
            except Exception as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                _reset(client)

    def _serve(self, client: socket.socket, fault: Fault) -> None:
        try:
            if fault.refuse:
                _reset(client)
                return
            upstream = socket.create_connection(self.target, timeout=30)
            upstream.settimeout(None)  # an idle pooled connection is not a fault of ours
        except OSError:
            _reset(client)
            return
        threading.Thread(target=_pump_request, args=(client, upstream), daemon=True).start()
        try:
            self._pump_reply(upstream, client, fault)
        finally:
            upstream.close()

    def _pump_reply(self, upstream: socket.socket, client: socket.socket, fault: Fault) -> None:
        sent, delayed = 0, False
        try:
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                if fault.reset:
                    _reset(client)
                    return
                if fault.delay and not delayed:
                    time.sleep(fault.delay)
                    delayed = True
                if fault.cut_after is not None:
                    chunk = chunk[: max(0, fault.cut_after - sent)]
                client.sendall(chunk)
                sent += len(chunk)
                if fault.cut_after is not None and sent >= fault.cut_after:
                    break
        except OSError:
            pass
        _close(client)


def _close(sock: socket.socket) -> None:
    """Shut down first: the thread still reading the request is woken, and the peer sees the
    end of the reply at once (a bare close waits for that thread)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def _name(fault: Fault) -> str:
    if fault.refuse:
        return "refuse"
    if fault.reset:
        return "reset"
    if fault.cut_after is not None:
        return "cut"
    return "delay" if fault.delay else "pass"


def _pump_request(client: socket.socket, upstream: socket.socket) -> None:
    try:
        while True:
            chunk = client.recv(65536)
            if not chunk:
                break
            upstream.sendall(chunk)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        upstream.shutdown(socket.SHUT_WR)


def _reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST, not an orderly end. Shutting down the
    reading side first wakes the thread blocked reading the request (while it is in recv the
    socket is not really closed, and the peer would wait for its timeout)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)
    sock.close()
