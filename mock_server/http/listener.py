"""Listener: an aiohttp app served on a real socket, started and stopped as one object."""

from __future__ import annotations

import socket
from types import TracebackType
from typing import Self

from aiohttp import web

__all__ = ["Listener"]


class Listener:
    """Base of every server this package starts (the mock, the callback receiver)."""

    keepalive_timeout: float = 75.0
    """Real seconds a connection has to send a request's headers, from connecting or the end
    of the previous answer (aiohttp's keep-alive timer, which partial headers do not reset)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Where it listens, e.g. http://127.0.0.1:54321."""
        if self._runner is None:
            raise RuntimeError(f"{type(self).__name__} is not started; await start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def build_app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> Self:
        """Bind (port 0 picks a free port) and serve; returns once listening."""
        runner = web.AppRunner(
            self.build_app(),
            access_log=None,
            shutdown_timeout=2.0,
            keepalive_timeout=self.keepalive_timeout,
        )
        await runner.setup()
        try:
            if self.host == "::":  # every address, IPv4 too, as 0.0.0.0 does for IPv4
                await web.SockSite(runner, _dual_stack(self.port)).start()
            else:
                await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self

    async def close(self) -> None:
        """Stop listening and run the app's cleanup."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def _dual_stack(port: int) -> socket.socket:
    """A socket on `::` that takes IPv4 connections too (asyncio's own binds IPv6 only)."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("::", port))
    except OSError:
        sock.close()
        raise
    return sock
