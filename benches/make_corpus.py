#!/usr/bin/env python3
"""Build a synthetic site for the `refs` benchmark: N content files (half MDX with
a frontmatter cover and a Markdown image, half TSX importing an image), about
5 KB each, and one image per two content files under public/img. Every
reference resolves. Deterministic.

usage: make_corpus.py N DIR
"""
import os
import subprocess
import sys

n = int(sys.argv[1])
root = sys.argv[2]
os.makedirs(root, exist_ok=False)
os.chdir(root)
images = max(1, n // 2)


def img(i):
    return f"public/img/{i // 500}/a{i}.png"


for i in range(images):
    os.makedirs(os.path.dirname(img(i)), exist_ok=True)
    with open(img(i), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + bytes((i * 7 + k) % 256 for k in range(512)))
for i in range(n):
    d = f"content/{i // 1000}"
    os.makedirs(d, exist_ok=True)
    j = i % images
    if i % 2 == 0:
        body = (
            f"---\ntitle: Post {i}\ncover: /img/{j // 500}/a{j}.png\n---\n\n# Post {i}\n\n"
            f"![img](/img/{j // 500}/a{j}.png)\n\n" + "Lorem ipsum dolor sit amet, consectetur. " * 115
        )
        name = f"{d}/p{i}.mdx"
    else:
        body = (
            f'import x from "../../public/img/{j // 500}/a{j}.png"\n'
            f'export default function P() {{ return <img src={{x.src}} alt="" /> }}\n'
            + "// filler line of code that is long enough\n" * 110
        )
        name = f"{d}/p{i}.tsx"
    with open(name, "w") as f:
        f.write(body)
with open("package.json", "w") as f:
    f.write('{"name":"corpus","private":true,"dependencies":{"next":"15.0.0"}}\n')
with open("assets.toml", "w") as f:
    f.write('version = 1\n\n[assets]\nfolders = ["public"]\n')
env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.invalid",
           GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.invalid")
subprocess.run("git init -q && git add -A && git commit -qm corpus", shell=True, check=True, env=env)
