"""gunicorn settings for production: gevent workers serving websockets (see docs/deploy.md)."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# gevent-websocket's worker; its handler answers unreadable requests as JSON on /api, and it
# writes no client address to any log (app/web/server.py).
worker_class = "app.web.gunicorn_worker.Worker"
# One worker per process: Socket.IO needs sticky sessions; run several processes behind nginx
# with SOCKETIO_MESSAGE_QUEUE set to scale out.
workers = 1
worker_connections = 2000
timeout = 60
graceful_timeout = 20
# gunicorn's control socket is one per user by default: several instances on one host would clash.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# No remote address (%(h)s) and no forwarded-for header: residents' IP addresses are never written
# (the websocket worker's requests are not access-logged today; this holds if they ever are).
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


# Where mail is rendered and sent: "process" (the default), a `flask mail serve` process of its own
# that the master starts, restarts and stops, so that requests never share the worker with mail;
# "worker", in the worker as with `python wsgi.py`; "none", not by this server (another runs it).
MAIL_SENDER = os.environ.get("MAIL_SENDER", "process")
_sender_process = None


def when_ready(server):
    global _sender_process
    if MAIL_SENDER == "process":
        from app.mail.sender_process import SenderProcess

        _sender_process = SenderProcess()
        _sender_process.start()


def on_exit(server):
    if _sender_process is not None:
        _sender_process.stop()


def post_worker_init(worker):
    """Start the background mail sender in the worker, if it runs there."""
    if MAIL_SENDER != "worker":
        return
    from app.mail.delivery import start_background_sender
    from wsgi import app

    start_background_sender(app)
