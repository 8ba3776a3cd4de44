"""`paragon serve`: the web app under gunicorn (gthread workers sized from the CPU count), or Flask's reloader
with `--dev`.

gthread: each worker process holds a few threads, so slow clients (a phone uploading a photo over a weak
connection) and the participant's polling do not hold a whole process each, and the app stays one Flask app
per process with its own database pool and Redis client (built after the fork: no shared sockets).
"""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication

#: Threads per worker: request handling here is mostly waiting on PostgreSQL, Redis and the network.
THREADS = 4


def default_workers() -> int:
    """One process per core, at least two (one busy with a large upload does not stall the other)."""
    return max(2, os.cpu_count() or 1)


class ParagonServer(BaseApplication):
    """gunicorn with paragon's app factory and options given in code (no gunicorn.conf.py to find)."""

    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from paragon.web import create_app

        return create_app()


def gunicorn_options(host: str, port: int, workers: int | None = None, threads: int | None = None) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "threads": threads or THREADS,
        "worker_class": "gthread",
        "timeout": 120,  # a worker stuck that long is replaced (uploads of 10 x 20 MB fit well inside)
        "graceful_timeout": 30,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "limit_request_line": 8190,
        "control_socket_disable": True,  # no ~/.gunicorn socket shared between instances on one machine
    }


def serve(host: str, port: int, *, dev: bool = False, workers: int | None = None, threads: int | None = None) -> None:
    """Serve until stopped."""
    if dev:
        from paragon.web import create_app

        create_app().run(host=host, port=port, threaded=True, debug=True, use_reloader=True)
        return
    ParagonServer(gunicorn_options(host, port, workers, threads)).run()
