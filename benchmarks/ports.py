"""Ports of the servers a benchmark starts: ``--ports A-B`` keeps them inside a range, so a
benchmark can run beside other services; without it, any free port.

    from ports import PortRange, add_ports_option
    add_ports_option(parser)
    ports = PortRange(args.ports)
    web, other = ports.take(), ports.take()
"""

from __future__ import annotations

import argparse
import socket


def add_ports_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--ports A-B`` (empty: any free port)."""
    parser.add_argument(
        "--ports", default="", help="port range to serve on, e.g. 8700-8799 (default: any free)"
    )


class PortRange:
    """Free ports of a range on 127.0.0.1, each handed out once."""

    def __init__(self, text: str) -> None:
        low, _sep, high = text.partition("-")
        if low and not (low.isdigit() and (not high or high.isdigit())):
            raise SystemExit(f"--ports: expected A-B (for example 8700-8799), got {text!r}")
        self._text = text
        self._next = int(low) if low else 0
        self._high = int(high or low) if low else 0

    def take(self) -> int:
        """Return the next port of the range that is free now (any free one without a range)."""
        if not self._text:
            return _bind(0) or 0
        while self._next <= self._high:
            port, self._next = self._next, self._next + 1
            if _bind(port):
                return port
        raise SystemExit(f"no free port left in {self._text}")


def _bind(port: int) -> int | None:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return None
        return int(sock.getsockname()[1])
