#!/usr/bin/env bash
# Quick start: build assetrail, copy the example site (fixtures/site) into a temp
# folder, generate a cover image on the offline route, and print its manifest
# entry and the site's asset status. The checkout itself is not modified.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --locked
bin="$PWD/target/debug/assetrail"

site="$(mktemp -d "${TMPDIR:-/tmp}/assetrail-quickstart.XXXXXX")"
cp -R fixtures/site/. "$site"
git -C "$site" init -q
git -C "$site" add -A
git -C "$site" -c user.name=quickstart -c user.email=quickstart@example.invalid \
    -c commit.gpgsign=false commit -qm "example site"
echo "example site copied to $site" >&2

echo "\$ assetrail generate --kind cover --prompt 'A paper boat on a pond at dawn'" >&2
path="$("$bin" --repo "$site" generate --kind cover --prompt "A paper boat on a pond at dawn")"
echo "$path"
echo "\$ assetrail show $path" >&2
"$bin" --repo "$site" show "$path"
echo "\$ assetrail status" >&2
"$bin" --repo "$site" status
