#!/usr/bin/env python3
"""Benchmark `assetrail refs` on synthetic sites of 1k and 20k content files:
cold (no reference cache) and warm (nothing changed), median of 3, with files/s,
MB/s and peak memory. Prints figures; asserts nothing.

usage: refs_bench.py [WORKDIR]   (build with `cargo build --release` first)
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
binary = os.path.join(here, "..", "target", "release", "assetrail")
work = sys.argv[1] if len(sys.argv) > 1 else "/tmp/assetrail-refs-bench"
os.makedirs(work, exist_ok=True)


def run(cmd, cwd):
    """Runs cmd and returns the wall time in seconds."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{cmd} failed: {proc.stderr.decode()}")
    return elapsed


def peak_rss(cmd, cwd):
    """Peak resident memory of one run in MB (GNU time), NaN without it."""
    if not shutil.which("/usr/bin/time"):
        return float("nan")
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(proc.stderr.decode().strip().splitlines()[-1]) / 1024


def content_bytes(root):
    total = 0
    for dirpath, _, files in os.walk(os.path.join(root, "content")):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total


for n in (1000, 20000):
    site = os.path.join(work, f"site-{n}")
    if not os.path.isdir(site):
        subprocess.run([sys.executable, os.path.join(here, "make_corpus.py"), str(n), site], check=True)
    cache = os.path.join(site, ".git", "assetrail", "refs-cache")
    mb = content_bytes(site) / 1e6
    cmd = [binary, "refs", "--format", "json"]
    def drop_cache():
        if os.path.exists(cache):
            os.remove(cache)

    cold = []
    for _ in range(3):
        drop_cache()
        cold.append(run(cmd, site))
    drop_cache()
    cold_rss = peak_rss(cmd, site)
    warm = [run(cmd, site) for _ in range(3)]
    warm_rss = peak_rss(cmd, site)
    git = statistics.median(run(["git", "status", "--porcelain"], site) for _ in range(3))
    c, w = statistics.median(cold), statistics.median(warm)
    print(f"{n} content files ({mb:.1f} MB):")
    print(f"  cold  {c:6.3f} s  {n / c:9.0f} files/s  {mb / c:6.1f} MB/s  peak {cold_rss:6.1f} MB")
    print(f"  warm  {w:6.3f} s  {n / w:9.0f} files/s  {mb / w:6.1f} MB/s  peak {warm_rss:6.1f} MB")
    print(f"  git status --porcelain (same repository) {git:.3f} s")
