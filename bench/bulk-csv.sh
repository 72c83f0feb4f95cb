#!/usr/bin/env bash
# Peak memory of `mail2sms serve` accepting one format 4 email whose CSV holds ROWS rows (default
# 100,000): prints the time to the 250, the SMS queued and the process's peak working set (VmHWM).
#   bench/bulk-csv.sh [ROWS]
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
rows=${1:-100000}
port=2735
work=$(mktemp -d /tmp/mail2sms-bulk.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build -c Release src/Mail2Sms -v quiet -nologo >/dev/null
binary="$PWD/src/Mail2Sms/bin/Release/net10.0/mail2sms.dll"
m2s() { (cd "$work" && exec dotnet "$binary" "$@"); }
m2s account add CI00123456 --country AU --credits 100000000 >/dev/null
m2s account allow-ip CI00123456 127.0.0.1 >/dev/null
m2s user add CI00123456 ops@example.com >/dev/null
# Started directly (not through the function) so that $! is the gateway's own process.
(cd "$work" && exec dotnet "$binary" serve --Smtp:Port=$port --Web:Urls=http://127.0.0.1:0) >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done

python3 - "$rows" "$port" <<'PY'
import smtplib, sys, time
from email.message import EmailMessage
rows, port = int(sys.argv[1]), int(sys.argv[2])
csv = ["Number,Message"] + [f'0412{345000 + i % 600:06d},"Dear customer, your order {i} has shipped."' for i in range(rows)]
message = EmailMessage()
message["From"], message["To"], message["Subject"], message["Message-ID"] = "ops@example.com", "bulksms@sms.localhost", "bulk", "<bulk@example.com>"
message.set_content("bulk send")
message.add_attachment("\r\n".join(csv).encode(), maintype="text", subtype="csv", filename="CI00123456251125120000.csv")
with smtplib.SMTP("127.0.0.1", port) as smtp:
    start = time.time()
    smtp.send_message(message)
    print(f"accepted in {time.time() - start:.2f} s")
PY
echo "SMS queued: $(m2s messages --limit 100000000 | wc -l)"
grep VmHWM "/proc/$pid/status"
