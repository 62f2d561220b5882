"""Serve one ASGI application with uvicorn on a listening socket the benchmark opened.

`python benchmarks/_serve.py MODULE:APP FD`. The settings are those of `openkap serve`: one
worker, no access log, uvicorn's default HTTP and event-loop implementations. The socket comes
from the parent (bound to a free port before this process starts), so no other program can
take the port in between.
"""

import socket
import sys

import uvicorn


def main() -> None:
    """Run the application named on the command line until the process is stopped."""
    app, fd = sys.argv[1], int(sys.argv[2])
    listening = socket.socket(fileno=fd)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listening])


if __name__ == "__main__":
    main()
