"""WSGI entry point: ``gunicorn wsgi:app``."""

from indirect_work import create_app

app = create_app()
