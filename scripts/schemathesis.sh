#!/usr/bin/env bash
# Property-based checks of the HTTP API against its own OpenAPI document (schemathesis, PyPI):
# a throwaway collection from the test fixture, `plotline serve` on 127.0.0.1 (port 0), and a
# bounded, seeded run: no 5xx, responses match the documented schemas, status codes and content
# types. Installs schemathesis into a venv outside the repository ($PLOTLINE_CACHE, else
# ~/.cache/plotline). Run after `npm run build`; .ci/run runs it after npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
cache="${PLOTLINE_CACHE:-$HOME/.cache/plotline}"
venv="$cache/schemathesis-venv-$SCHEMATHESIS_VERSION"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
node bin/plotline.js ingest test/fixtures/movies.csv --db "$work/fixture.db" --embedder glove --json >/dev/null
node bin/plotline.js serve --db "$work/fixture.db" --port 0 --workers 1 --json >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 120); do
  url="$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$work/serve.out")"
  [ -n "$url" ] && break
  sleep 1
done
[ -n "$url" ] || { cat "$work/serve.err"; echo "schemathesis: the server did not start" >&2; exit 1; }
"$venv/bin/st" run "$url/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --seed 18 --request-timeout 30
