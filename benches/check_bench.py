#!/usr/bin/env python3
"""Benchmark `assetrail check` on the synthetic 100k-file repository of
../shared/bench/make_perfrepo.py (10k images, 20k content files), with every
image recorded in assets.lock. Reports cold `check`, warm `check`, and warm
`check --staged` right after staging one changed MDX file, each beside
`git status` on the same repository, median of 3, with peak memory.
Prints figures; asserts nothing.

usage: check_bench.py [REPO]   (build with `cargo build --release` first)
"""
import os
import shutil
import statistics
import sys

from benchlib import binary, git as git_in, peak_mb as peak_in, perfrepo, timed as timed_in

repo = sys.argv[1] if len(sys.argv) > 1 else "/tmp/assetrail-check-bench"


def git(*args):
    git_in(repo, *args)


def timed(cmd):
    return timed_in(cmd, repo)


def peak_mb(cmd):
    return peak_in(cmd, repo)


perfrepo(repo)

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
