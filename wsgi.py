"""The WSGI entry point: `python wsgi.py` serves the app with websockets; gunicorn serves `wsgi:app`."""

if __name__ == "__main__":
    # Cooperative networking for the websocket server; must happen before other imports.
    from gevent import monkey

    monkey.patch_all()

import os

from app import create_app

app = create_app()


def serve() -> None:
    """Serve on HOST:PORT with the mail sender running in the background (no client address is
    written to any log: see app/web/server.py)."""
    from app.mail.delivery import start_background_sender
    from app.web import server

    start_background_sender(app)
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Undersigned is serving on http://{host}:{port}/", flush=True)
    server.serve(app, host, port)


if __name__ == "__main__":
    serve()
