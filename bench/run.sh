#!/usr/bin/env bash
# The whole benchmark suite (a few minutes on 2 cores); writes bench/results.md with the date, commit and machine.
# Needs the aiosmtpd discarding sink (Debian's python3-aiosmtpd, run by /usr/bin/python3), installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get install -y -q python3-aiosmtpd >/dev/null
fi
dotnet run -c Release --project bench/Newsletter.Bench -- all "${1:-bench/results.md}"
