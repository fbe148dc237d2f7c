"""The home page: where each role starts."""

from __future__ import annotations

from flask import render_template

from api.console.auth import console_login_required, current_user
from api.console.blueprint import console


@console.get("/")
@console_login_required()
def home() -> str:
    return render_template("console/home.html", user=current_user())
