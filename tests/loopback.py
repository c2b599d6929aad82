"""The one way tests serve an ASGI app (the hub): uvicorn in a thread on 127.0.0.1.

``with serving(app) as url:`` for a server that lives as long as a block;
``LoopbackServer(app)`` and its ``stop()`` for one stopped and started again (a hub
that goes away and comes back).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

START_TIMEOUT_S = 30.0


class _Server(uvicorn.Server):
    """uvicorn's server, telling a waiting thread once it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


def loopback_socket() -> socket.socket:
    """A socket bound to a free loopback port, not listening yet.

    Made with ``IPPROTO_TCP``: asyncio sets TCP_NODELAY only on such sockets, and
    without it every answer waits about 40 ms for a delayed ACK (Nagle).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    return sock


class LoopbackServer:
    """``app`` served in a thread; ``url`` is its base URL once it listens.

    On ``sock`` when given (an address kept while no server listens there), else on a
    free port. Returns only once the server listens (an event set by its start-up,
    never a fixed sleep); raises if it does not start.
    """

    def __init__(self, app, sock: socket.socket | None = None) -> None:
        self.sock = sock if sock is not None else loopback_socket()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = _Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self._thread.start()
        if not self._server.ready.wait(START_TIMEOUT_S) or not self._server.started:
            self.stop()
            raise RuntimeError(f"the server on {self.url} did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(START_TIMEOUT_S)
        self.sock.close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def serving(app, sock: socket.socket | None = None) -> Iterator[str]:
    """Serve ``app`` on loopback for the ``with`` block; yields its base URL."""
    with LoopbackServer(app, sock) as server:
        yield server.url
