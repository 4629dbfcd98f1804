#!/usr/bin/env bash
# sfterm against the tools users would pick instead (issue #10), as whole processes against ONE
# local mock org (https, 50,000 Accounts): median wall time of N runs and peak RSS.
#
#   1. sfterm query "SOQL" --all --format csv   vs  sf data query --all-rows --result-format csv
#                                                vs  a simple-salesforce query_all script (CSV)
#   2. sfterm token                             vs  sf org display
#   3. (--wrk) the mock org's record GET throughput with wrk, 10 s, 2 threads, plain http
#
# Run from anywhere:  bash bench/compare.sh [--runs N] [--records N] [--wrk] [--no-build]
#                                            [--skip-sf] [--skip-python]
# Tools are installed on first use into target/bench-tools/ (never into the repo): Node 22 and
# the Salesforce CLI from npm (`npm install node@22 @salesforce/cli`), a Python virtualenv with
# simple-salesforce (tests/compat/requirements.txt). hyperfine times the runs when installed,
# otherwise a loop with /usr/bin/time. A tool that cannot be installed or run is reported as
# such and the rest still runs. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

runs=5
records=50000
with_wrk=0
build=1
skip_sf=0
skip_python=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --records) records=$2; shift 2 ;;
        --wrk) with_wrk=1; shift ;;
        --no-build) build=0; shift ;;
        --skip-sf) skip_sf=1; shift ;;
        --skip-python) skip_python=1; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

[[ -x /usr/bin/time ]] || { say "needs /usr/bin/time (apt-get install -y time) for peak RSS"; exit 1; }

if [[ $build == 1 ]]; then
    say "building sfterm (release)..."
    cargo build --release --locked --quiet --bin sfterm
fi
sfterm=$root/target/release/sfterm
[[ -x $sfterm ]] || { say "no $sfterm: run without --no-build"; exit 1; }

tools=$root/target/bench-tools
mkdir -p "$tools"
work=$(mktemp -d)
org_pid=
cleanup() {
    [[ -n $org_pid ]] && kill "$org_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# ---- the other tools ------------------------------------------------------------------------
sf_status="not run (--skip-sf)"
[[ $skip_sf == 0 ]] && sf_cli_install "$tools"
py_status="not run (--skip-python)"
if [[ $skip_python == 0 ]]; then
    venv=$tools/venv
    if [[ ! -x $venv/bin/python ]]; then
        say "creating a Python virtualenv with simple-salesforce in $venv (once)..."
        python3 -m venv "$venv" >&2 || true
    fi
    if [[ -x $venv/bin/pip ]] && "$venv/bin/pip" install --quiet --disable-pip-version-check \
        -r tests/compat/requirements.txt >&2; then
        py_status=ok
    else
        py_status="not run: could not create a virtualenv with simple-salesforce (needs python3-venv)"
    fi
fi

# ---- one mock org ---------------------------------------------------------------------------
say "starting the mock org with $records Accounts (https)..."
"$sfterm" mock-org --tls --port 0 --records "$records" --env-file "$work/org.env" \
    >"$work/org.log" 2>&1 &
org_pid=$!
mock_org_ready "$work" "$org_pid" 60

# sfterm: a scratch profile (secret from the environment, the mock org's CA trusted).
sfterm_bench_profile "$work"

# sf: its own HOME (its auth files stay in $work), Node trusts the CA, telemetry and update
# checks off; logged in with an access token from the client credentials flow.
if [[ $sf_status == ok ]]; then
    sf_cli_login "$tools" "$work"
    export SF_ORG_MAX_QUERY_LIMIT=$((records + 1))
fi

# ---- measuring ------------------------------------------------------------------------------

# measure NAME EXPECTED_LINES COMMAND: checks one run's output (EXPECTED_LINES 0: no line count
# check), then prints "NAME WALL_SECONDS PEAK_RSS_KIB CPU_SECONDS" (medians). CPU is the
# command's own user+sys time: unlike wall time it does not include the mock org's work or
# waiting for a busy machine.
measure() {
    local name=$1 expected=$2 cmd=$3 secs lines
    local walls=() rss=() cpus=()
    timed() {
        /usr/bin/time -f '%e %M %U %S' -o "$work/time" bash -c "$cmd" >"$1" 2>"$work/err" || return 1
        walls+=("$(awk '{print $1}' "$work/time")")
        rss+=("$(awk '{print $2}' "$work/time")")
        cpus+=("$(awk '{print $3 + $4}' "$work/time")")
    }
    if ! timed "$work/out"; then
        say "$name failed:"; tail -n 5 "$work/err" >&2
        echo "$name FAIL FAIL FAIL"; return
    fi
    lines=$(wc -l <"$work/out")
    if [[ $expected != 0 && $lines != "$expected" ]]; then
        say "$name wrote $lines lines, expected $expected"
        echo "$name FAIL FAIL FAIL"; return
    fi
    if command -v hyperfine >/dev/null; then
        timed /dev/null && timed /dev/null
        if hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/h.json" \
            --output null "$cmd" >/dev/null 2>&1; then
            secs=$(jq '.results[0].median' "$work/h.json")
        else
            secs=$(printf '%s\n' "${walls[@]}" | median)
        fi
    else
        for _ in $(seq 2 "$runs"); do timed /dev/null; done
        secs=$(printf '%s\n' "${walls[@]}" | median)
    fi
    echo "$name $secs $(printf '%s\n' "${rss[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median)"
}

soql="SELECT Id, Name, Industry FROM Account"
rows=$((records + 1))
results=()
say "timing (median of $runs runs$(command -v hyperfine >/dev/null && echo ', hyperfine'))..."
results+=("$(measure sfterm-query "$rows" "'$sfterm' query -p bench \"$soql\" --all --format csv")")
if [[ $sf_status == ok ]]; then
    results+=("$(measure sf-data-query "$rows" "sf data query --query \"$soql\" --all-rows --target-org mock --result-format csv")")
fi
if [[ $py_status == ok ]]; then
    results+=("$(measure simple-salesforce "$rows" "REQUESTS_CA_BUNDLE='$SF_CA_FILE' '$venv/bin/python' bench/simple_salesforce_query.py \"$soql\"")")
fi
results+=("$(measure sfterm-token 0 "'$sfterm' token -p bench")")
if [[ $sf_status == ok ]]; then
    results+=("$(measure sf-org-display 0 "sf org display --target-org mock")")
fi

# ---- the table ------------------------------------------------------------------------------
lookup() { printf '%s\n' "${results[@]}" | awk -v n="$1" -v f="$2" '$1 == n {print $f}'; }
row() { # row LABEL NAME BASELINE
    local secs kib cpu base_s base_k base_c ratio="-"
    secs=$(lookup "$2" 2); kib=$(lookup "$2" 3); cpu=$(lookup "$2" 4)
    if [[ -z $secs ]]; then return; fi
    if [[ $secs == FAIL ]]; then printf '%-32s %8s %11s %8s   %s\n' "$1" failed failed failed "-"; return; fi
    base_s=$(lookup "$3" 2); base_k=$(lookup "$3" 3); base_c=$(lookup "$3" 4)
    if [[ $2 != "$3" && -n $base_s && $base_s != FAIL ]]; then
        ratio=$(awk -v s="$secs" -v k="$kib" -v c="$cpu" -v bs="$base_s" -v bk="$base_k" -v bc="$base_c" \
            'BEGIN {printf "%.1fx / %.1fx / ", s / bs, k / bk; if (bc > 0) printf "%.1fx", c / bc; else printf "n/a (sfterm < 10 ms)"}')
    fi
    printf '%-32s %7.3fs %7.1f MiB %7.2fs   %s\n' "$1" "$secs" "$(awk -v k="$kib" 'BEGIN {print k / 1024}')" "$cpu" "$ratio"
}

echo
echo "sfterm $("$sfterm" --version | awk '{print $2}') vs other tools: $records Accounts, mock org on https://127.0.0.1 ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
echo "mock org RSS after seeding: $((org_rss_kib / 1024)) MiB"
echo "ratio = the other tool / sfterm for wall time / peak RSS / CPU (above 1: sfterm is better)"
echo
printf '%-32s %8s %11s %8s   %s\n' "command (median of $runs)" "wall" "peak RSS" "CPU" "ratio wall / RSS / CPU"
echo "query --all -> CSV ($rows lines)"
row "  sfterm query" sfterm-query sfterm-query
row "  sf data query --all-rows" sf-data-query sfterm-query
row "  simple-salesforce query_all" simple-salesforce sfterm-query
echo "token status"
row "  sfterm token" sfterm-token sfterm-token
row "  sf org display" sf-org-display sfterm-token
[[ $sf_status == ok ]] || echo "Salesforce CLI: $sf_status"
[[ $py_status == ok ]] || echo "simple-salesforce: $py_status"

# ---- mock org GET throughput ----------------------------------------------------------------
if [[ $with_wrk == 1 ]]; then
    echo
    if ! command -v wrk >/dev/null; then
        echo "mock org GET throughput: not run (no wrk; apt-get install -y wrk)"
        exit 0
    fi
    kill "$org_pid" 2>/dev/null || true
    wait "$org_pid" 2>/dev/null || true
    rm -f "$work/org.env"
    # Plain http, as tests use it; the record ids to cycle through come from a query.
    "$sfterm" mock-org --port 0 --records "$records" --api-limit 1000000000 \
        --env-file "$work/org.env" >"$work/org.log" 2>&1 &
    org_pid=$!
    for _ in $(seq 1 600); do [[ -s $work/org.env ]] && break; sleep 0.1; done
    set -a
    # shellcheck disable=SC1091
    source "$work/org.env"
    set +a
    token=$(curl -sf "$SF_INSTANCE_URL/services/oauth2/token" -d grant_type=client_credentials \
        -d client_id="$SF_CLIENT_ID" -d client_secret="$SF_CLIENT_SECRET" \
        | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    curl -sf -G "$SF_INSTANCE_URL/services/data/v62.0/query" -H "Authorization: Bearer $token" \
        --data-urlencode "q=SELECT Id FROM Account LIMIT 1000" \
        | grep -o '"Id":"[^"]*"' | cut -d'"' -f4 >"$work/ids"
    {
        echo 'local ids = {'
        sed 's/.*/"&",/' "$work/ids"
        echo '}'
        echo 'local i = 0'
        echo 'request = function()'
        echo '  i = i % #ids + 1'
        echo '  return wrk.format("GET", "/services/data/v62.0/sobjects/Account/" .. ids[i])'
        echo 'end'
    } >"$work/get.lua"
    # Every response must be a 200: wrk counts non-2xx separately.
    wrk -t2 -c32 -d10s --latency -H "Authorization: Bearer $token" -s "$work/get.lua" \
        "$SF_INSTANCE_URL" >"$work/wrk.txt" 2>&1 || true
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    echo "mock org: GET /services/data/v62.0/sobjects/Account/{id} ($records Accounts, 1000 ids), wrk -t2 -c32 -d10s"
    echo "  ${rps:-?} requests/s, p99 latency ${p99:-?}, non-2xx: ${non2xx:-0} (target >= 20000/s)"
fi
