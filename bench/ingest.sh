#!/usr/bin/env bash
# Ingest benchmark: Postfix's smtp-source sends the same load of 1 KB emails to `mail2sms serve`
# (SQLite, synchronous=FULL, SMS queued) and, in the same run, to a throwaway Postfix that queues
# (fsync) and discards; prints both rates and their ratio. Each server first takes a warm-up round
# (WARMUP emails, same sessions) so that what is measured is a running server, not .NET's JIT
# compiling the gateway in its first seconds; the gateway's CPU time per email is printed too.
# STORE=postgres runs the gateway on a throwaway PostgreSQL cluster instead (bench/with-postgres.sh: fsync on,
# synchronous_commit=on) rather than its SQLite file.
#   [STORE=sqlite|postgres] [INGEST_ONLY=1] bench/ingest.sh [MESSAGES] [SESSIONS] [WARMUP]      (defaults: 10000 20 20000)
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
store=${STORE:-sqlite}
case "$store" in
  sqlite) database=(); durability="synchronous=FULL" ;;
  postgres)
    if [ -z "${MAIL2SMS_BENCH_POSTGRES:-}" ]; then exec bench/with-postgres.sh "$PWD/bench/ingest.sh" "$@"; fi
    database=(--Database:Provider=postgres "--Database:ConnectionString=$MAIL2SMS_BENCH_POSTGRES"); durability="synchronous_commit=on, fsync on" ;;
  *) echo "STORE is '$store'; it must be sqlite or postgres" >&2; exit 2 ;;
esac
messages=${1:-10000}
sessions=${2:-20}
warmup=${3:-20000}
work=$(mktemp -d /tmp/mail2sms-ingest.XXXXXX)
chmod 755 "$work" # Postfix drops to its own user, which must reach its folders
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; postfix -c "$work/postfix" stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
keep_logs() { echo "--- $work/postfix.log"; tail -20 "$work/postfix.log"; }

if ! command -v smtp-source >/dev/null; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi

warm() { # PORT FROM TO
  if [ "$warmup" -gt 0 ]; then smtp-source -s "$sessions" -m "$warmup" -l 1024 -f "$2" -t "$3" "127.0.0.1:$1"; fi
}

rate() { # PORT FROM TO -> emails per second
  local start end
  start=$(date +%s.%N)
  smtp-source -s "$sessions" -m "$messages" -l 1024 -f "$2" -t "$3" "127.0.0.1:$1"
  end=$(date +%s.%N)
  echo "$messages / ($end - $start)" | bc -l
}

# mail2sms, Release build, its own database (SQLite file or PostgreSQL database), an account that IP-authenticates this machine.
dotnet build -c Release src/Mail2Sms -v quiet -nologo >/dev/null
mkdir -p "$work/mail2sms"
binary="$PWD/src/Mail2Sms/bin/Release/net10.0/mail2sms.dll"
m2s() { (cd "$work/mail2sms" && exec dotnet "$binary" "$@" "${database[@]}"); }
m2s account add BENCH0001 --credits 100000000 >/dev/null
m2s account allow-ip BENCH0001 127.0.0.1 >/dev/null
m2s user add BENCH0001 '*@example.com' >/dev/null
# Started directly (not through the function) so that $! is the gateway's own process.
# INGEST_ONLY=1 gives the gateway an SMSC that is never there (port 1), so nothing is delivered and
# only intake is measured; by default the built-in simulator takes every SMS as it is queued, as in service.
delivery=()
if [ "${INGEST_ONLY:-0}" = 1 ]; then delivery=(--Sms:Provider=smpp --Smpp:Port=1); fi
(cd "$work/mail2sms" && exec dotnet "$binary" serve --Smtp:Port=2725 --Web:Urls=http://127.0.0.1:0 "${delivery[@]}" "${database[@]}") >"$work/serve.log" 2>&1 &
pids+=($!)
gateway=$!
cpu_seconds() { awk '{ print ($14 + $15) / 100 }' "/proc/$gateway/stat"; }

# A throwaway Postfix on another port that queues every email (fsync) and discards it.
mkdir -p "$work/postfix" "$work/spool" "$work/postfix-data"
cat >"$work/postfix/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $work/spool
data_directory = $work/postfix-data
mail_owner = postfix
myhostname = bench.localhost
mydestination = sms.localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
local_recipient_maps =
alias_maps =
alias_database =
local_transport = discard:
default_transport = discard:
relay_transport = discard:
maillog_file = /dev/stdout
CF
sed -e 's/^smtp \{1,\}inet .*/127.0.0.1:2726 inet n - n - - smtpd/' /etc/postfix/master.cf >"$work/postfix/master.cf"
chown -R postfix "$work/spool" "$work/postfix-data"
postfix -c "$work/postfix" set-permissions >/dev/null 2>&1 || true
postfix -c "$work/postfix" start-fg >"$work/postfix.log" 2>&1 &
pids+=($!)

wait_for() { for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "nothing listens on port $1 (see $2)" >&2; cat "$2" >&2; exit 1; }
wait_for 2725 "$work/serve.log"
wait_for 2726 "$work/postfix.log"

failed() { tail -20 "$work/mail2sms/serve.log" "$work/serve.log" 2>/dev/null; exit 1; }
warm 2725 bench@example.com 61412345678@sms.localhost || failed
cpu_before=$(cpu_seconds)
ours=$(rate 2725 bench@example.com 61412345678@sms.localhost) || failed
cpu_after=$(cpu_seconds)
queued=$(m2s messages --limit 100000000 | wc -l)
warm 2726 bench@example.com 61412345678@sms.localhost || { keep_logs; exit 1; }
theirs=$(rate 2726 bench@example.com 61412345678@sms.localhost) || { keep_logs; exit 1; }
printf 'store:    %s (%s)\n' "$store" "$durability"
printf 'mail2sms: %.0f emails/s (%s SMS queued, %.2f ms of CPU per email)\npostfix:  %.0f emails/s\nratio:    %.2f\n' \
  "$ours" "$queued" "$(echo "($cpu_after - $cpu_before) * 1000 / $messages" | bc -l)" "$theirs" "$(echo "$ours / $theirs" | bc -l)"
