#!/usr/bin/env python3
"""The gate in everyday git, beside its peers, on the synthetic repositories of
../shared/bench/make_perfrepo.py (25k, 100k and 400k tracked files with
--scales 0.25,1,4; every image recorded):

- `check --staged` for a content-only commit, for `commit -a` (a temporary
  index named by GIT_INDEX_FILE, as git runs the hook) and for a commit that
  changes assets.lock (a new image, its entry and a page using it), each
  beside `git status`; peak memory of `check --staged`;
- `status` beside `git status`; `adopt` of every image beside `sha256sum` of
  them;

then, on small repositories: `generate --route local` into a 10,000-entry
lock beside the same into an empty one, and what the entries add beside the
cost of replacing a file of the lock's size (copy, sync, rename); `generate --batch` of 50 jobs into a
10,000-entry lock, CPU seconds beside 50 separate runs; `merge-lock` of two
10,000-entry locks. Pairs A B A B …, median ratio and spread. Prints figures;
asserts nothing.

usage: lifecycle_bench.py [ROOT] [--scales 0.25,1,4] [--pairs 5]
       (build with `cargo build --release` first)
"""
import glob
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time

from benchlib import row, scale_args, binary, env, git, paired, peak_mb, perfrepo, timed

args = scale_args()


def png(seed):
    import struct
    import zlib
    raw = b"".join(b"\x00" + bytes([seed % 256, x % 256, 7]) * 1 for x in range(1))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


git_status = ["git", "status", "--porcelain"]
check_staged = [binary, "check", "--staged"]

for scale in args.scales:
    repo = f"{args.root}-{scale:g}"
    perfrepo(repo, scale)
    subprocess.run([binary, "check"], cwd=repo, stdout=subprocess.DEVNULL)  # warm the caches
    print(f"{repo}")
    page = sorted(glob.glob(os.path.join(repo, "content", "**", "*.mdx"), recursive=True))[0]
    original = open(page).read()

    # A content-only commit.
    with open(page, "a") as f:
        f.write("\nOne more line.\n")
    git(repo, "add", page)
    row("check --staged (content only)", paired(check_staged, git_status, repo, args.pairs), "git status")

    # `git commit -a`: the hook sees a temporary index.
    temp_index = os.path.join(repo, ".git", "bench-index.lock")
    shutil.copy(os.path.join(repo, ".git", "index"), temp_index)
    subprocess.run(["git", "add", "-u"], cwd=repo, check=True,
                   env=dict(env, GIT_INDEX_FILE=temp_index))
    staged_a = ["env", f"GIT_INDEX_FILE={temp_index}"] + check_staged
    row("check --staged (commit -a)", paired(staged_a, git_status, repo, args.pairs), "git status")
    os.remove(temp_index)

    # A commit that changes assets.lock: a new image, its entry, a page using it.
    new_image = os.path.join(repo, "public", "img", "bench-new.png")
    with open(new_image, "wb") as f:
        f.write(png(int(scale * 10)))
    lock_before = open(os.path.join(repo, "assets.lock"), "rb").read()
    subprocess.run([binary, "adopt", "public/img/bench-new.png"], cwd=repo, check=True,
                   stdout=subprocess.DEVNULL)
    with open(page, "a") as f:
        f.write("\n![new](/img/bench-new.png)\n")
    git(repo, "add", page, "assets.lock", "public/img/bench-new.png")
    row("check --staged (assets.lock changed)", paired(check_staged, git_status, repo, args.pairs),
        "git status")
    print(f"  peak memory: check --staged {peak_mb(check_staged, repo):.0f} MB, "
          f"git status {peak_mb(git_status, repo):.0f} MB")
    git(repo, "reset", "-q")
    os.remove(new_image)
    with open(os.path.join(repo, "assets.lock"), "wb") as f:
        f.write(lock_before)
    with open(page, "w") as f:
        f.write(original)

    row("status", paired([binary, "status"], git_status, repo, args.pairs), "git status")

    # adopt of every image from an empty lock, beside hashing them.
    images = sorted(glob.glob(os.path.join(repo, "public", "**", "*.png"), recursive=True))
    lock = os.path.join(repo, "assets.lock")
    empty = "# assets.lock\nversion = 1\n"

    def empty_lock():
        with open(lock, "w") as f:
            f.write(empty)

    with tempfile.NamedTemporaryFile("w", delete=False) as listing:
        listing.write("\0".join(images))
    sha = ["sh", "-c", f"xargs -0 sha256sum < {listing.name} > /dev/null"]
    row("adopt public (every image)", paired([binary, "adopt", "public"], sha, repo, args.pairs,
                                             before_a=empty_lock), "sha256sum")
    os.remove(listing.name)
    with open(lock, "wb") as f:
        f.write(lock_before)
    git(repo, "checkout", "-q", "--", "assets.lock")

# Small repositories: writing one asset, a batch, a merge.
work = tempfile.mkdtemp(prefix="assetrail-lifecycle-")
big_lock = os.path.join(f"{args.root}-1", "assets.lock")


def small_repo(name, lock_text):
    path = os.path.join(work, name)
    os.makedirs(path)
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    subprocess.run([binary, "init"], cwd=path, check=True, stdout=subprocess.DEVNULL)
    if lock_text is not None:
        with open(os.path.join(path, "assets.lock"), "w") as f:
            f.write(lock_text)
    # One write first, as in steady use (the lock is then one assetrail wrote).
    subprocess.run([binary, "generate", "--prompt", "first", "--size", "1024x1024",
                    "--out", "public/images/first.png"], cwd=path, check=True,
                   stdout=subprocess.DEVNULL)
    return path


empty_repo = small_repo("empty", None)
full_repo = small_repo("full", open(big_lock).read())
counter = [0]


def generate_in(path):
    def run():
        counter[0] += 1
        return [binary, "generate", "--prompt", "a cover", "--size", "1024x1024",
                "--out", f"public/images/g{counter[0]}.png"]
    return run


def replace_like_the_lock(path):
    """The floor of any whole-file replacement of `path` that readers see as
    old or new (a new file beside it, synced, renamed over it, the folder
    synced): what the larger lock costs beyond the empty one at the least."""
    folder = os.path.dirname(path)
    start = time.perf_counter()
    src = os.open(path, os.O_RDONLY)
    size = os.fstat(src).st_size
    temp = os.path.join(folder, ".floor.tmp")
    dst = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    copied = 0
    while copied < size:
        copied += os.copy_file_range(src, dst, size - copied)
    os.fsync(dst)
    os.rename(temp, path)
    os.close(dst)
    os.close(src)
    handle = os.open(folder, os.O_RDONLY)
    os.fsync(handle)
    os.close(handle)
    return time.perf_counter() - start


times_e, times_f, ratios, extras, floors = [], [], [], [], []
floor_copy = os.path.join(work, "floor", "assets.lock")
os.makedirs(os.path.dirname(floor_copy))
shutil.copy(big_lock, floor_copy)
for _ in range(max(args.pairs, 7)):
    e = timed(generate_in(empty_repo)(), empty_repo)
    f = timed(generate_in(full_repo)(), full_repo)
    times_e.append(e)
    times_f.append(f)
    ratios.append(f / e)
    extras.append(f - e)
    floors.append(replace_like_the_lock(floor_copy))
print(f"{work}")
print(f"  generate into a 10,000-entry lock    {statistics.median(times_f):7.3f} s  into an empty one "
      f"{statistics.median(times_e):7.3f} s  ratio {statistics.median(ratios):5.2f} "
      f"({min(ratios):.2f}-{max(ratios):.2f})")
print(f"  what the 10,000 entries add          {statistics.median(extras) * 1000:7.1f} ms  "
      f"replacing a file of the lock's size  {statistics.median(floors) * 1000:5.1f} ms")


def cpu_of(cmds, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for cmd in cmds:
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


batch_ratios = []
for round_ in range(3):
    with open(os.path.join(full_repo, "jobs.toml"), "w") as f:
        for i in range(50):
            f.write(f'[[job]]\nprompt = "batch {round_} {i}"\nsize = "1024x1024"\n'
                    f'out = "public/images/b{round_}-{i}.png"\n\n')
    batch = cpu_of([[binary, "generate", "--batch", "jobs.toml", "--jobs", "2"]], full_repo)
    single = cpu_of([[binary, "generate", "--prompt", f"single {round_} {i}", "--size", "1024x1024",
                      "--out", f"public/images/s{round_}-{i}.png"] for i in range(50)], full_repo)
    batch_ratios.append(batch / single)
    print(f"  batch of 50 into 10,000 entries: {batch:6.2f} CPU-s, 50 runs {single:6.2f} CPU-s, "
          f"ratio {batch / single:.2f}")

# merge-lock of two 10,000-entry locks (one side changes 100 prompts, the other removes 50).
text = open(big_lock).read()
head, *tables = text.split("\n[[asset]]\n")
ours = "\n[[asset]]\n".join([head] + [t.replace('prompt = "', 'prompt = "ours ', 1) if i % 100 == 0 else t
                                     for i, t in enumerate(tables)])
theirs = "\n[[asset]]\n".join([head] + [t for i, t in enumerate(tables) if i % 200 != 7])
paths = {n: os.path.join(work, n) for n in ("base", "ours", "theirs")}
for name, body in (("base", text), ("theirs", theirs)):
    with open(paths[name], "w") as f:
        f.write(body)
merges = []
for _ in range(5):
    with open(paths["ours"], "w") as f:
        f.write(ours)
    start = time.perf_counter()
    subprocess.run([binary, "merge-lock", paths["base"], paths["ours"], paths["theirs"]], check=True,
                   stdout=subprocess.DEVNULL)
    merges.append(time.perf_counter() - start)
print(f"  merge-lock of two 10,000-entry locks {statistics.median(merges):7.3f} s "
      f"({min(merges):.3f}-{max(merges):.3f})")
shutil.rmtree(work, ignore_errors=True)
