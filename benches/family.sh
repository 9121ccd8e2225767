#!/usr/bin/env bash
# CPU time per unit of work of each engine over the generated family
# (benches/family/generate.rs), and the growth exponent (log-log slope).
#
#   benches/family.sh [BASELINE_DRSIM]
#
# Measures target/release/drsim (build it first: cargo build --release),
# and, when given, a baseline binary on the same files in the same run,
# with the ratio baseline/this. CPU time (user + system, /usr/bin/time), not
# wall time: the machine may be shared; the load average is printed with
# each figure. SIZES, TRIALS_x_SITES, SAMPLES_x_SITES override the sizes
# and the work per size (work scales as 1/sites so each run takes about
# the same time; AUTO_SAMPLES_x_SITES for `auto`, whose turnip samples
# cost more). ENGINES picks among run (plan aa), svc (plan svc: a front
# end with a dependency), bw and bwsvc (the same plans on the bandwidth
# variant family-bw-N.toml, whose links bind), crude, auto (what
# `--method auto` picks), capacity. MAXRSS=1 adds each command's peak
# memory (max RSS, MB).
set -euo pipefail
cd "$(dirname "$0")/.."
DRSIM=${DRSIM:-target/release/drsim}
BASE=${1:-}
DIR=${FAMILY_DIR:-target/family}
SIZES=${SIZES:-"50 200 1000 5000"}
TRIALS_x_SITES=${TRIALS_x_SITES:-100000}
SAMPLES_x_SITES=${SAMPLES_x_SITES:-200000000}
AUTO_SAMPLES_x_SITES=${AUTO_SAMPLES_x_SITES:-2000000}
ENGINES=${ENGINES:-"run crude auto capacity"}
if [ ! -f "$DIR/family-bw-50.toml" ]; then
    cargo bench --bench family -- --emit "$DIR" >/dev/null
fi

# cpu BINARY ARGS...: user+system seconds of one command (its output
# dropped), then its max RSS in MB when MAXRSS is set.
cpu() {
    local t
    t=$(mktemp)
    /usr/bin/time -o "$t" -f '%U %S %M' "$@" >/dev/null 2>&1 || {
        echo "failed: $*" >&2
        exit 1
    }
    awk -v rss="${MAXRSS:-}" '{ printf "%.3f", $1 + $2; if (rss != "") printf " %.0f", $3 / 1024 }' "$t"
    rm -f "$t"
}

# args ENGINE N: the command line and the units of work it does.
args() {
    local f="$DIR/family-$2.toml"
    case $1 in
    run | svc | bw | bwsvc)
        local plan=aa
        case $1 in svc | bwsvc) plan=svc ;; esac
        case $1 in bw*) f="$DIR/family-bw-$2.toml" ;; esac
        local trials=$((TRIALS_x_SITES / $2))
        [ $trials -lt 2 ] && trials=2
        echo "$trials run $f --plan $plan --trials $trials --years 1 --seed 1 --quiet --format json -o /dev/null"
        ;;
    crude)
        local s=$((SAMPLES_x_SITES / $2))
        echo "$s reliability $f --service --plan aa --method crude --samples $s --seed 1 --quiet --format json"
        ;;
    auto)
        # What `auto` picks for aa's service (the turnip when its crude
        # pilot finds the plan down under 1% of the time).
        local s=$((AUTO_SAMPLES_x_SITES / $2))
        echo "$s reliability $f --service --plan aa --method auto --samples $s --seed 1 --quiet --format json"
        ;;
    capacity)
        # Between the first two serving sites (s12 and s37); the sampler
        # alone (its rare-tail fallback held to one sample).
        local s=$((SAMPLES_x_SITES / $2 / 10))
        echo "$s capacity $f --from s12 --to s37 --samples $s --max-rare-samples 1 --seed 1 --quiet --format json"
        ;;
    esac
}

printf '%-9s %6s %10s %12s %12s %8s %6s%s\n' engine sites units cpu_s/unit base_s/unit base/this load \
    "${MAXRSS:+   rss_MB base_rss_MB}"
declare -A logs
for e in $ENGINES; do
    xs="" ys="" bys=""
    for n in $SIZES; do
        read -r units cmd <<<"$(args "$e" "$n")"
        load=$(cut -d' ' -f1 /proc/loadavg)
        # shellcheck disable=SC2086
        read -r c rss <<<"$(cpu "$DRSIM" $cmd)"
        per=$(awk -v c="$c" -v u="$units" 'BEGIN { printf "%.3e", c / u }')
        bper="-" ratio="-" brss="-"
        if [ -n "$BASE" ]; then
            # shellcheck disable=SC2086
            read -r bc brss <<<"$(cpu "$BASE" $cmd)"
            bper=$(awk -v c="$bc" -v u="$units" 'BEGIN { printf "%.3e", c / u }')
            ratio=$(awk -v a="$bper" -v b="$per" 'BEGIN { printf "%.1f", a / b }')
            bys="$bys $bper"
        fi
        printf '%-9s %6s %10s %12s %12s %8s %6s%s\n' "$e" "$n" "$units" "$per" "$bper" "$ratio" \
            "$load" "${MAXRSS:+ $(printf '%8s %11s' "$rss" "$brss")}"
        xs="$xs $n" ys="$ys $per"
    done
    logs[$e]="$xs|$ys|$bys"
done

# slope XS YS: least-squares slope of log y on log x.
slope() {
    awk -v xs="$1" -v ys="$2" 'BEGIN {
        n = split(xs, x, " "); split(ys, y, " ")
        for (i = 1; i <= n; i++) { a = log(x[i]); b = log(y[i]); sa += a; sb += b; saa += a*a; sab += a*b }
        if (n < 2) { print "-"; exit }
        printf "%.2f", (n*sab - sa*sb) / (n*saa - sa*sa) }'
}
echo
echo "growth exponent of cost per unit of work (log-log slope over the sizes above):"
for e in $ENGINES; do
    IFS='|' read -r xs ys bys <<<"${logs[$e]}"
    line="$e: this $(slope "$xs" "$ys")"
    [ -n "$bys" ] && line="$line, baseline $(slope "$xs" "$bys")"
    echo "  $line"
done
