#!/usr/bin/env python3
"""Benchmark `assetrail check` on the synthetic 100k-file repository of
../shared/bench/make_perfrepo.py (10k images, 20k content files), with every
image recorded in assets.lock. Reports cold `check`, warm `check`, and warm
`check --staged` right after staging one changed MDX file, each beside
`git status` on the same repository, median of 3, with peak memory.
Prints figures; asserts nothing.

usage: check_bench.py [REPO]   (build with `cargo build --release` first)
"""
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
binary = os.path.abspath(os.path.join(here, "..", "target", "release", "assetrail"))
repo = sys.argv[1] if len(sys.argv) > 1 else "/tmp/assetrail-check-bench"
make = os.path.abspath(os.path.join(here, "..", "..", "shared", "bench", "make_perfrepo.py"))
env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.invalid",
           GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.invalid")


def git(*args):
    subprocess.run(["git", *args], cwd=repo, check=True, env=env, stdout=subprocess.DEVNULL)


def write_manifest():
    """Records every image under public/ as a local-route asset."""
    images = []
    for dirpath, _, files in os.walk(os.path.join(repo, "public")):
        for name in files:
            images.append(os.path.relpath(os.path.join(dirpath, name), repo))
    out = ["# assets.lock: provenance of every managed asset. Written by assetrail; do not edit by hand.\n",
           "version = 1\n"]
    for i, path in enumerate(sorted(images)):
        data = open(os.path.join(repo, path), "rb").read()
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        out.append(
            f'\n[[asset]]\npath = "{path}"\nid = "01a20000-0000-7000-8000-{i:012d}"\n'
            f'sha256 = "{hashlib.sha256(data).hexdigest()}"\nbytes = {len(data)}\nformat = "png"\n'
            f'route = "local"\ncredit = "none"\nprompt = "benchmark image {i}"\nsize = "1024x1024"\n'
            f'renderer = "assetrail-local/1"\ngit_blob = "{blob}"\ncreated_at = "2026-11-24T12:00:00Z"\n'
            f'tool_version = "0.1.0"\n')
    with open(os.path.join(repo, "assets.lock"), "w") as f:
        f.write("".join(out))
    with open(os.path.join(repo, "assets.toml"), "w") as f:
        f.write('version = 1\n\n[assets]\nfolders = ["public"]\n')
    git("add", "assets.lock", "assets.toml")
    git("commit", "-qm", "record assets")


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def peak_mb(cmd):
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(proc.stderr.decode().strip().splitlines()[-1]) / 1024


if not os.path.isdir(repo):
    subprocess.run([sys.executable, make, repo], check=True)
if not os.path.exists(os.path.join(repo, "assets.lock")):
    write_manifest()

cache = os.path.join(repo, ".git", "assetrail")
check = [binary, "check"]
staged = [binary, "check", "--staged"]
git_status = ["git", "status", "--porcelain"]

cold = []
for _ in range(3):
    shutil.rmtree(cache, ignore_errors=True)
    cold.append(timed(check))
shutil.rmtree(cache, ignore_errors=True)
cold_peak = peak_mb(check)
warm = [timed(check) for _ in range(3)]
warm_peak = peak_mb(check)

staged_times = []
for i in range(3):
    page = os.path.join(repo, "content", "0", f"p{2 * i}.mdx")
    with open(page, "a") as f:
        f.write(f"\nAn edit, number {i}.\n")
    git("add", os.path.relpath(page, repo))
    staged_times.append(timed(staged))
staged_peak = peak_mb(staged)
status = [timed(git_status) for _ in range(3)]
git("reset", "-q", "--hard")

g = statistics.median(status)
print(f"check on {repo} (100k tracked files, 10k recorded images, 20k content files)")
for label, times, peak in [("cold check", cold, cold_peak), ("warm check", warm, warm_peak),
                           ("warm check --staged (1 MDX staged)", staged_times, staged_peak)]:
    m = statistics.median(times)
    print(f"  {label:36s} {m:6.3f} s  ({m / g:5.1f}x git status)  peak {peak:6.1f} MB")
print(f"  {'git status --porcelain':36s} {g:6.3f} s")
