"""A local SMTP sink for development (`make run`): aiosmtpd on 127.0.0.1
keeping every message it receives in a Maildir, which the app's
development-only page /dev/mail lists.

    python -m shop.gateways.mail_sink --port 8025 --maildir instance/mail
"""

from __future__ import annotations

import argparse
import mailbox
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


def read_maildir(path: str | Path, limit: int = 100) -> list[dict]:
    """The newest messages of a Maildir as dicts (to, subject, body)."""
    if not Path(path, "cur").exists():
        return []
    box = mailbox.Maildir(str(path), create=False)
    found = []
    for key in box.keys():
        message = box[key]
        body = message.get_payload(decode=True) if not message.is_multipart() else b""
        body = body if isinstance(body, bytes) else b""
        found.append(
            {
                "key": key,
                "to": message["To"],
                "subject": message["Subject"],
                "date": message["Date"] or "",
                "body": body.decode("utf-8", "replace"),
                "mtime": Path(path, "new", key).stat().st_mtime if Path(path, "new", key).exists() else 0,
            }
        )
    return sorted(found, key=lambda m: m["mtime"], reverse=True)[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", default="instance/mail")
    args = parser.parse_args()
    Path(args.maildir).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(args.maildir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"SMTP sink on 127.0.0.1:{args.port}, keeping mail in {args.maildir}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()
