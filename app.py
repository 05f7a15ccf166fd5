"""WSGI entry point: `flask --app app …` and `gunicorn app:app` both load this."""

from training import create_app

app = create_app()
