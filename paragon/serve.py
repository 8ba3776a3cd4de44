"""`paragon serve`: the web app under gunicorn (gthread workers sized from the CPU count), or Flask's reloader
with `--dev`.

gthread: each worker process holds a few threads, so slow clients (a phone uploading a photo over a weak
connection) and the participant's polling do not hold a whole process each, and the app stays one Flask app
per process with its own database pool and Redis client (built after the fork: no shared sockets).
"""

from __future__ import annotations

import io
import logging
import os

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)

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

        app = create_app()
        warm_up(app, self.options.get("threads") or THREADS)
        return app


def warm_up(app, connections: int) -> None:
    """Do once, before this worker process takes its first request, what its first requests would each pay for.

    gunicorn loads the app in every worker after the fork and only then accepts: without this, the first
    uploads a fresh process takes wait for the ORM's mapper set-up (one thread configures, the others wait),
    a database connection per thread, and the quality gate's threads and first decode; measured, the first wave
    of uploads spent 250 ms each in authentication alone against 10-20 ms later. A failure here only costs that
    time again.
    """
    from sqlalchemy import text
    from sqlalchemy.orm import configure_mappers

    from claims.services.intake import warm_up_gate

    try:
        configure_mappers()
        engine = app.extensions["paragon"].engine
        pooled = getattr(engine.pool, "size", lambda: 1)()  # connections the pool keeps open
        opened = [engine.connect() for _ in range(max(1, min(connections, pooled)))]
        for connection in opened:
            connection.execute(text("SELECT 1"))
            connection.close()  # back to the pool, open
        warm_up_gate(_warm_up_photo())  # the uploads' gate runs in its own threads: start them, run it once on each
    except Exception:  # noqa: BLE001 - a database not up yet: the requests will say so, with a reason code
        log.warning("could not warm up the web worker", exc_info=True)


def _warm_up_photo() -> bytes:
    """A small JPEG of a printed page, so the gate's first call runs every step it runs on a real photo."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 640), (90, 80, 70))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 40, 420, 600), fill=(240, 238, 232))
    for row in range(24):
        draw.text((80, 60 + row * 22), f"PARAGON FISKALNY {row:02d} 12,34 A", fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


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
