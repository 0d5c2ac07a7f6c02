#!/usr/bin/env bash
# The whole benchmark suite (a few minutes on 2 cores); writes bench/results.md with the date, commit and machine.
# Needs two discarding SMTP sinks, installed here when missing: Debian's python3-aiosmtpd (run by /usr/bin/python3),
# and Postfix's smtp-sink, taken out of Debian's postfix package into bench/.tools/postfix (no MTA is installed) unless
# /usr/sbin/smtp-sink is there (apt-get install postfix, choosing "No configuration").
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  $sudo apt-get install -y -q python3-aiosmtpd >/dev/null
fi
if [ ! -x /usr/sbin/smtp-sink ] && [ ! -x bench/.tools/postfix/usr/sbin/smtp-sink ]; then
  download=$(mktemp -d)
  (cd "$download" && apt-get download postfix >/dev/null 2>&1) || { $sudo apt-get update -q >/dev/null && (cd "$download" && apt-get download postfix >/dev/null); }
  mkdir -p bench/.tools/postfix
  dpkg-deb -x "$download"/postfix_*.deb bench/.tools/postfix
  rm -rf "$download"
fi
dotnet run -c Release --project bench/Newsletter.Bench -- all "${1:-bench/results.md}"
