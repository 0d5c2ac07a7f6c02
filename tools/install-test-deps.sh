#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet restore Newsletter.sln --verbosity quiet
