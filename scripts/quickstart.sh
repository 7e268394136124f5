#!/usr/bin/env bash
# Quick start: build assetrail, copy the example site (fixtures/site) into a temp
# folder, generate a cover image on the offline route, and print its manifest
# entry, the site's asset status and what `check` finds (the example keeps one
# unrecorded image on purpose). The checkout itself is not modified.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "building assetrail (the first build compiles its dependencies: a few minutes)" >&2
cargo build --locked
bin="$PWD/target/debug/assetrail"

site="$(mktemp -d "${TMPDIR:-/tmp}/assetrail-quickstart.XXXXXX")"
cp -R fixtures/site/. "$site"
git -C "$site" init -q
git -C "$site" add -A
git -C "$site" -c user.name=quickstart -c user.email=quickstart@example.invalid \
    -c commit.gpgsign=false commit -qm "example site"
echo "example site copied to $site" >&2

# content/posts/second-post.mdx names a cover that does not exist yet: make it.
echo "\$ assetrail generate --kind cover --prompt 'A paper boat on a pond at dawn' --out public/images/covers/second-post.png" >&2
path="$("$bin" --repo "$site" generate --kind cover --prompt "A paper boat on a pond at dawn" \
    --out public/images/covers/second-post.png)"
echo "$path"
echo "\$ assetrail show $path" >&2
"$bin" --repo "$site" show "$path"
echo "\$ assetrail status" >&2
"$bin" --repo "$site" status
echo "\$ assetrail check" >&2
"$bin" --repo "$site" check || echo "(check exits 1 on findings: the example keeps one unrecorded image on purpose)" >&2
