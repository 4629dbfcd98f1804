#!/usr/bin/env bash
# Compatibility test: the published simple-salesforce package against `sfterm mock-org --tls`.
# Needs python3 with venv; the virtualenv is kept in target/ so reruns are fast.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/compat-venv
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/compat/requirements.txt

cargo build --locked --quiet --bin sfterm
work=$(mktemp -d)
env_file="$work/mock-org.env"
target/debug/sfterm mock-org --tls --port 0 --records 2500 --env-file "$env_file" >"$work/mock-org.log" 2>&1 &
org_pid=$!
trap 'kill "$org_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# The env file appears once the mock org listens: it is the readiness signal.
for _ in $(seq 1 300); do
    [[ -s "$env_file" ]] && break
    if ! kill -0 "$org_pid" 2>/dev/null; then
        echo "mock org exited early:" >&2
        cat "$work/mock-org.log" >&2
        exit 1
    fi
    sleep 0.1
done
[[ -s "$env_file" ]] || { echo "mock org did not write $env_file in 30 s" >&2; cat "$work/mock-org.log" >&2; exit 1; }

set -a
# shellcheck disable=SC1090
source "$env_file"
set +a
REQUESTS_CA_BUNDLE="$SF_CA_FILE" SF_EXPECTED_ACCOUNTS=2500 \
    "$venv/bin/python" tests/compat/test_simple_salesforce.py
