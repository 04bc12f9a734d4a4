#!/usr/bin/env bash
# Install, migrate, seed (first run), start the local Stripe server and the app.
# Ctrl-C stops both.  Settings: see the README's configuration table.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PORT=${PORT:-5000}
STRIPE_PORT=${STRIPE_PORT:-8420}
SMTP_PORT=${SMTP_PORT:-8025}
export SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:$SMTP_PORT}
export DEV_MAIL_DIR=${DEV_MAIL_DIR:-$PWD/instance/mail}
export STRIPE_API_BASE=${STRIPE_API_BASE:-http://127.0.0.1:$STRIPE_PORT}
export FLASK_APP=app

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
.venv/bin/flask db upgrade
.venv/bin/flask seed demo --if-empty

PIDS=()
stop() { trap - EXIT INT TERM; kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
.venv/bin/python -m shop.gateways.stripe_server --port "$STRIPE_PORT" &
PIDS+=($!)
.venv/bin/python -m shop.gateways.mail_sink --port "$SMTP_PORT" --maildir "$DEV_MAIL_DIR" &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$STRIPE_PORT/js.stripe.com/v3/" >/dev/null 2>&1 && break
  sleep 0.1
done
.venv/bin/flask stripe register-webhook --url "http://127.0.0.1:$PORT/stripe/webhook"
echo "Installmall: http://127.0.0.1:$PORT  (local Stripe on 127.0.0.1:$STRIPE_PORT; SMTP sink on 127.0.0.1:$SMTP_PORT,"
echo "  caught mail at http://127.0.0.1:$PORT/dev/mail after \`flask outbox send\`; Ctrl-C stops all)"
.venv/bin/flask run --host 127.0.0.1 --port "$PORT" &
PIDS+=($!)
wait -n "${PIDS[@]}"  # Ctrl-C (or either server exiting) stops both
