"""Helpers the benchmark scripts share: the synthetic repositories of
../shared/bench/make_perfrepo.py with every image recorded, and timing in
pairs against a peer (A B A B …, the ratio taken pair by pair, since these
machines drift between runs)."""
import hashlib
import os
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
binary = os.path.abspath(os.path.join(here, "..", "target", "release", "assetrail"))
make = os.path.abspath(os.path.join(here, "..", "..", "shared", "bench", "make_perfrepo.py"))
env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.invalid",
           GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.invalid")


def scale_args():
    """The arguments the repository benchmarks share: ROOT (the perf repos
    are ROOT-SCALE), --scales and --pairs."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("root", nargs="?", default="/tmp/assetrail-gate")
    ap.add_argument("--scales", default="0.25,1,4")
    ap.add_argument("--pairs", type=int, default=5)
    args = ap.parse_args()
    args.scales = [float(s) for s in args.scales.split(",")]
    return args


def row(label, result, peer, width=34):
    """One paired figure: both medians and the median ratio with its spread."""
    a, b, ratio, lo, hi = result
    print(f"  {label:{width}s} {a:7.3f} s  {peer} {b:7.3f} s  ratio {ratio:5.2f} ({lo:.2f}-{hi:.2f})")


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, env=env, stdout=subprocess.DEVNULL)


def perfrepo(repo, scale=1.0):
    """Builds the synthetic repository (once) and records every image."""
    if not os.path.isdir(repo):
        subprocess.run([sys.executable, make, repo, "--scale", str(scale)], check=True)
    if not os.path.exists(os.path.join(repo, "assets.lock")):
        write_manifest(repo)


def write_manifest(repo):
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
    git(repo, "add", "assets.lock", "assets.toml")
    git(repo, "commit", "-qm", "record assets")


def timed(cmd, cwd, ok=(0, 1, 2)):
    """Wall seconds of one run (output discarded)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return elapsed


def paired(a, b, cwd, pairs=5, before_a=None, before_b=None):
    """Runs A and B in turn `pairs` times (after one warm-up each): the
    medians of A, of B, and of A/B pair by pair, with the ratios' spread."""
    for cmd in (a, b):
        timed(cmd, cwd)
    ta, tb, ratios = [], [], []
    for _ in range(pairs):
        if before_a:
            before_a()
        x = timed(a, cwd)
        if before_b:
            before_b()
        y = timed(b, cwd)
        ta.append(x)
        tb.append(y)
        ratios.append(x / y)
    return statistics.median(ta), statistics.median(tb), statistics.median(ratios), min(ratios), max(ratios)


def peak_mb(cmd, cwd):
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(proc.stderr.decode().strip().splitlines()[-1]) / 1024
