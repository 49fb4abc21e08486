#!/bin/sh
# Migrate (and create keys on first start), then run the given command.
set -e
opendata db upgrade
exec "$@"
