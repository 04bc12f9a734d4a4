"""Sending e-mail over SMTP (SMTP_URL, e.g. smtp://127.0.0.1:8025 or
smtp://user:password@host:587?starttls=1)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

FROM = "Installmall <notices@installmall.example>"


class Mailer:
    """One SMTP connection for a batch of messages (a context manager)."""

    def __init__(self, url: str, sender: str = FROM):
        self.parts = urlsplit(url)
        self.sender = sender
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        p = self.parts
        self.smtp = smtplib.SMTP(p.hostname or "127.0.0.1", p.port or 25, timeout=10)
        if parse_qs(p.query).get("starttls") == ["1"]:
            self.smtp.starttls()
        if p.username:
            self.smtp.login(unquote(p.username), unquote(p.password or ""))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass

    def send(self, notice) -> None:
        assert self.smtp is not None
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, notice.to, notice.subject
        message.set_content(notice.text)
        self.smtp.send_message(message)
