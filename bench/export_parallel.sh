#!/usr/bin/env bash
# Parallel exports (issue #21): `sfterm export` of a large query job from ONE local mock org
# (https) that answers every data API call 250 ms late, page by page (`--concurrency 1`) vs in
# parallel chunks through resultPages (the default, 4 at once), and `sf data export bulk` on
# the same org. Wall time, peak RSS and CPU of each; the files are checked (line count, and
# the two sfterm files must be the same bytes).
#
# Run from anywhere:  bash bench/export_parallel.sh [--records N] [--latency-ms MS] [--runs N]
#                                                   [--page-size N] [--no-build] [--skip-sf]
# Defaults: 1,000,000 Accounts, 250 ms, 1 run each (each run is long), the mock org's result
# page size (50,000 rows: the chunks and the pages by locator are the same size).
# The Salesforce CLI is installed on first use into target/bench-tools/ as bench/compare.sh does
# (npm install node@22 @salesforce/cli). See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

records=1000000
latency=250
runs=1
page_size=
build=1
skip_sf=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --records) records=$2; shift 2 ;;
        --latency-ms) latency=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --page-size) page_size=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --skip-sf) skip_sf=1; shift ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
sfterm=${SFTERM_BIN:-$root/target/release/sfterm}
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

# ---- the Salesforce CLI --------------------------------------------------------------------
sf_status="not run (--skip-sf)"
[[ $skip_sf == 0 ]] && sf_cli_install "$tools"

# ---- one mock org, every data API call $latency ms late --------------------------------------
say "starting the mock org with $records Accounts (https, $latency ms a call)..."
org_args=(mock-org --tls --port 0 --records "$records" --fault-latency-ms "$latency"
    --api-limit 1000000000 --env-file "$work/org.env" --log-requests)
[[ -n $page_size ]] && org_args+=(--bulk-page-size "$page_size")
seed_start=$(date +%s.%N)
"$sfterm" "${org_args[@]}" >"$work/org.log" 2>&1 &
org_pid=$!
mock_org_ready "$work" "$org_pid" 600
seed_secs=$(awk -v s="$seed_start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
sfterm_bench_profile "$work"

[[ $sf_status == ok ]] && sf_cli_login "$tools" "$work"

# ---- measuring ------------------------------------------------------------------------------

# download_secs FROM_LINE: from the mock org's request log (`--log-requests`: seconds since it
# started when a request came, ..., "(N ms)" it took), the download of the run whose requests
# follow line FROM_LINE: from the first results or resultPages request to the end of the last
# results answer. The rest of a run is the same for every command (process start, login, the
# job's creation and polls).
download_secs() {
    tail -n +"$(($1 + 1))" "$work/org.log" | awk '
        $3 ~ /\/jobs\/query\/[^\/]+\/(results|resultPages)$/ {
            if (first == "" || $1 < first) first = $1
        }
        $3 ~ /\/jobs\/query\/[^\/]+\/results$/ && $7 == "ms)" {
            ms = $6; sub(/^\(/, "", ms)
            if ($1 + ms / 1000 > last) last = $1 + ms / 1000
        }
        END { if (first == "") print 0; else printf "%.2f", last - first }'
}

# measure NAME OUT_FILE COMMAND: runs COMMAND $runs times with /usr/bin/time, checks the file it
# writes (header + $records lines), prints "NAME WALL_SECONDS PEAK_RSS_KIB CPU_SECONDS
# DOWNLOAD_SECONDS" (medians).
measure() {
    local name=$1 out=$2 cmd=$3 lines from
    local walls=() rss=() cpus=() downloads=()
    for _ in $(seq 1 "$runs"); do
        rm -f "$out"
        from=$(wc -l <"$work/org.log")
        if ! /usr/bin/time -f '%e %M %U %S' -o "$work/time" bash -c "$cmd" >"$work/out" 2>"$work/err"; then
            say "$name failed:"; tail -n 5 "$work/err" >&2
            echo "$name FAIL FAIL FAIL FAIL"; return
        fi
        lines=$(wc -l <"$out")
        if [[ $lines != $((records + 1)) ]]; then
            say "$name wrote $lines lines, expected $((records + 1))"; tail -n 5 "$work/err" >&2
            echo "$name FAIL FAIL FAIL FAIL"; return
        fi
        walls+=("$(awk '{print $1}' "$work/time")")
        rss+=("$(awk '{print $2}' "$work/time")")
        cpus+=("$(awk '{print $3 + $4}' "$work/time")")
        downloads+=("$(download_secs "$from")")
        say "  $name: $(awk '{print $1}' "$work/time") s (download ${downloads[-1]} s)"
    done
    echo "$name $(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${rss[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median) $(printf '%s\n' "${downloads[@]}" | median)"
}

soql="SELECT Id, Name, Industry FROM Account"
results=()
say "timing (median of $runs runs)..."
results+=("$(measure sequential "$work/seq.csv" "'$sfterm' export -p bench \"$soql\" --out '$work/seq.csv' --concurrency 1")")
results+=("$(measure parallel "$work/par.csv" "'$sfterm' export -p bench \"$soql\" --out '$work/par.csv'")")
same="not compared"
if [[ -s $work/seq.csv && -s $work/par.csv ]]; then
    if cmp -s "$work/seq.csv" "$work/par.csv"; then same="identical"; else same="DIFFERENT"; fi
fi
if [[ $sf_status == ok ]]; then
    results+=("$(measure sf-data-export-bulk "$work/sf.csv" "sf data export bulk --query \"$soql\" --output-file '$work/sf.csv' --result-format csv --wait 60 --target-org mock")")
fi

# ---- the table ------------------------------------------------------------------------------
lookup() { printf '%s\n' "${results[@]}" | awk -v n="$1" -v f="$2" '$1 == n {print $f}'; }
row() { # row LABEL NAME: the figures and how many times slower than the parallel export
    local secs kib cpu down base base_down ratio="-" down_ratio="-"
    secs=$(lookup "$2" 2); kib=$(lookup "$2" 3); cpu=$(lookup "$2" 4); down=$(lookup "$2" 5)
    [[ -z $secs ]] && return
    if [[ $secs == FAIL ]]; then printf '%-44s %9s %11s %8s %9s   %s\n' "$1" failed failed failed failed "-"; return; fi
    base=$(lookup parallel 2); base_down=$(lookup parallel 5)
    if [[ $2 != parallel && -n $base && $base != FAIL ]]; then
        ratio=$(awk -v s="$secs" -v b="$base" 'BEGIN {printf "%.1fx", s / b}')
        down_ratio=$(awk -v s="$down" -v b="$base_down" 'BEGIN {if (b > 0) printf "%.1fx", s / b; else print "-"}')
    fi
    printf '%-44s %8.2fs %7.1f MiB %7.2fs %8.2fs   %-6s %s\n' "$1" "$secs" "$(awk -v k="$kib" 'BEGIN {print k / 1024}')" "$cpu" "$down" "$ratio" "$down_ratio"
}

echo
echo "sfterm $("$sfterm" --version | awk '{print $2}'): export of $records Accounts ($soql), mock org on https://127.0.0.1 with $latency ms a data API call ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
echo "mock org: seeded in $seed_secs s, RSS after seeding $((org_rss_kib / 1024)) MiB; result page size ${page_size:-50000 (default)}"
echo "ratio = wall time / the parallel export's (above 1: the parallel export is faster); download ="
echo "from the first results/resultPages request to the last results answer (the mock org's log),"
echo "the rest (start, login, creating and polling the job) being the same for every command"
echo
printf '%-44s %9s %11s %8s %9s   %-6s %s\n' "command (median of $runs)" "wall" "peak RSS" "CPU" "download" "ratio" "(download)"
row "sfterm export --concurrency 1 (by locator)" sequential
row "sfterm export (resultPages, 4 at once)" parallel
row "sf data export bulk" sf-data-export-bulk
echo "the two sfterm files: $same"
[[ $sf_status == ok ]] || echo "Salesforce CLI: $sf_status"
