"""The baseline for bench/web.py: the smallest useful Flask app, one route.

gunicorn --pythonpath bench hello_app:app
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "<!doctype html><title>hello</title><p>Hello, world!</p>"
