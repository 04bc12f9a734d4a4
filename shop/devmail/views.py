"""Development only (registered when DEV_MAIL_DIR is set, as `make run` does):
the mail the local SMTP sink caught."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from shop.gateways.mail_sink import read_maildir

bp = Blueprint("devmail", __name__, url_prefix="/dev")


@bp.get("/mail")
def caught_mail():
    return render_template("devmail/mail.html", messages=read_maildir(current_app.config["DEV_MAIL_DIR"]))
