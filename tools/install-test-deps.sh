#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Debian packages the tests drive for real: SpamAssassin scores a rendered digest.
need=()
[ -x /usr/bin/spamassassin ] || need+=(spamassassin)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

dotnet restore Newsletter.sln --verbosity quiet
