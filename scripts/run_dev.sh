#!/usr/bin/env bash
# Serve the app for development with the mail/job worker alongside it.
set -euo pipefail
cd "$(dirname "$0")/.."
host="$1"; port="$2"
bin=.venv/bin
$bin/flask deliver-mail >instance/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
if [ "${HTTPS:-0}" = "1" ]; then
  cert=instance/dev-cert.pem; key=instance/dev-key.pem
  if [ ! -f "$cert" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=tsunagu-dev" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:${host}" \
      -keyout "$key" -out "$cert" >/dev/null 2>&1
  fi
  echo "Tsunagu: https://${host}:${port}/ (self-signed certificate; accept it once in the browser)"
  BASE_URL="${BASE_URL:-https://${host}:${port}}" $bin/gunicorn --bind "${host}:${port}" --workers 2 --threads 4 \
    --certfile "$cert" --keyfile "$key" --access-logfile - wsgi:app
else
  echo "Tsunagu: http://${host}:${port}/  (worker log: instance/worker.log)"
  BASE_URL="${BASE_URL:-http://${host}:${port}}" $bin/gunicorn --bind "${host}:${port}" --workers 2 --threads 4 \
    --access-logfile - wsgi:app
fi
