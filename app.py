"""WSGI entry point: `gunicorn app:app` and `flask --app app run` both use this."""

from eventsys import create_app

app = create_app()
