"""The bare Flask insert: one view, one INSERT, no sign-in, forms, rules or audit (the comparison floor).

DATABASE_URL=postgresql://... gunicorn bench.load_bare_app:app
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import create_engine, text

from config.settings import normalise_database_url

app = Flask(__name__)
engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)


@app.post("/insert")
def insert() -> tuple[str, int]:
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO bare_inserts (note, created_at) VALUES (:note, now())"),
            {"note": request.form.get("note", "")[:100]},
        )
    return "", 204


@app.get("/healthz")
def healthz() -> str:
    return "ok"
