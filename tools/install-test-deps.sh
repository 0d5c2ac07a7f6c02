#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Debian packages the tests drive for real: SpamAssassin scores a rendered digest; aiosmtpd plays SMTP servers
# that refuse, stall or drop (and the discarding sink of the benchmarks); python3-dkim checks DKIM signatures with
# an implementation other than the one that made them; feedparser reads the Atom feed; chromium is the browser Playwright drives
# (Playwright's own browser download is never used: no internet here).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)   # a throwaway cluster per test run, never the system one
[ -x /usr/lib/dovecot/imap ] || need+=(dovecot-imapd)            # the bounce mailbox: a Dovecot per test run with its own config,
[ -x /usr/lib/dovecot/pop3 ] || need+=(dovecot-pop3d)            # never the system service (not started in containers, not needed)
[ -x /usr/bin/spamassassin ] || need+=(spamassassin)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || need+=(python3-aiosmtpd)
/usr/bin/python3 -c "import dkim" 2>/dev/null || need+=(python3-dkim)
/usr/bin/python3 -c "import feedparser" 2>/dev/null || need+=(python3-feedparser)  # reads the private Atom feed as feed readers do
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm: maildev, the SMTP server with a REST API that integration tests send to; axe-core, the accessibility
# checker the browser tests load into each page. A checkout that has maildev from before axe-core was added gets it too.
if [ ! -x tools/node_modules/.bin/maildev ] || [ ! -f tools/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi

dotnet restore Newsletter.sln --verbosity quiet
