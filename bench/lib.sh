# Shared by bench/compare.sh and bench/export_parallel.sh (sourced, not run): messages, the
# median, and the Salesforce CLI, installed on first use into target/bench-tools/ and logged in
# to the mock org with an access token from its client credentials flow.

say() { printf '%s\n' "$*" >&2; }

# median: the median of the numbers on stdin, one a line (0 for none).
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# sf_cli_install TOOLS: Node 22 and the Salesforce CLI in TOOLS/node_modules (npm, once); sets
# sf_status to "ok" or why not.
sf_cli_install() {
    local tools=$1
    if [[ ! -x $tools/node_modules/.bin/sf || ! -x $tools/node_modules/.bin/node ]]; then
        if command -v npm >/dev/null; then
            say "installing Node 22 and the Salesforce CLI into $tools (once)..."
            [[ -f $tools/package.json ]] || echo '{"name":"sfterm-bench-tools","private":true}' >"$tools/package.json"
            (cd "$tools" && npm install --no-audit --no-fund --loglevel=error node@22 @salesforce/cli >&2) \
                || say "npm install failed"
        fi
    fi
    if [[ -x $tools/node_modules/.bin/sf && -x $tools/node_modules/.bin/node ]]; then
        sf_status=ok
    else
        sf_status="not run: the Salesforce CLI could not be installed (needs npm and network)"
    fi
}

# sf_cli_login TOOLS WORK: sf on the PATH with its own HOME (its auth files stay in WORK), Node
# trusting the mock org's CA, telemetry and update checks off, logged in as the alias `mock`
# (the org from SF_INSTANCE_URL, SF_CLIENT_ID, SF_CLIENT_SECRET, SF_CA_FILE); on failure
# sf_status says why.
sf_cli_login() {
    local tools=$1 work=$2 token
    export PATH=$tools/node_modules/.bin:$PATH
    export HOME=$work/home SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true \
        SF_USE_GENERIC_UNIX_KEYCHAIN=true NODE_EXTRA_CA_CERTS=$SF_CA_FILE
    mkdir -p "$HOME"
    token=$(curl -sf --cacert "$SF_CA_FILE" "$SF_INSTANCE_URL/services/oauth2/token" \
        -d grant_type=client_credentials -d client_id="$SF_CLIENT_ID" \
        -d client_secret="$SF_CLIENT_SECRET" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    if ! SF_ACCESS_TOKEN=$token sf org login access-token --instance-url "$SF_INSTANCE_URL" \
        --alias mock --no-prompt >"$work/sf-login.log" 2>&1; then
        sf_status="not run: sf org login access-token failed: $(tail -n 3 "$work/sf-login.log" | tr '\n' ' ')"
    fi
}

# mock_org_ready WORK PID SECONDS: waits up to SECONDS for the mock org started as PID (its
# output in WORK/org.log, shown if it dies or is late) to write WORK/org.env, exports what that
# file says (SF_INSTANCE_URL, SF_CLIENT_ID, ...) and sets org_rss_kib (its RSS after seeding).
mock_org_ready() {
    local work=$1 pid=$2 seconds=$3
    for _ in $(seq 1 $((seconds * 10))); do
        [[ -s $work/org.env ]] && break
        kill -0 "$pid" 2>/dev/null || { cat "$work/org.log" >&2; exit 1; }
        sleep 0.1
    done
    [[ -s $work/org.env ]] || { say "mock org did not start in $seconds s"; cat "$work/org.log" >&2; exit 1; }
    set -a
    # shellcheck disable=SC1091
    source "$work/org.env"
    set +a
    org_rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
}

# sfterm_bench_profile WORK: sfterm's config and data in WORK, with the profile "bench" on the
# mock org (its secret from the environment, its CA trusted).
sfterm_bench_profile() {
    local work=$1
    export SFTERM_CONFIG_DIR=$work/sfterm-config SFTERM_DATA_DIR=$work/sfterm-data
    mkdir -p "$SFTERM_CONFIG_DIR" "$SFTERM_DATA_DIR"
    cat >"$SFTERM_CONFIG_DIR/profiles.toml" <<PROFILE
[[profile]]
name = "bench"
endpoint = "$SF_INSTANCE_URL"
client_id = "$SF_CLIENT_ID"
secret = { source = "env", var = "SF_CLIENT_SECRET" }
ca_file = "$SF_CA_FILE"
PROFILE
}
