#!/usr/bin/env python3
"""How long the audit page takes to open in headless Chromium.

usage: report_open.py PAGE.html [--runs N]

Drives Debian's chromium through chromedriver's W3C WebDriver HTTP API (no
Python packages needed) and prints, per run and as medians, the time to first
contentful paint and to the load event, measured by the browser itself.
The goal: a page of 5,000 assets loads in under 2 s.
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time, urllib.request


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        value = json.load(r)["value"]
    if isinstance(value, dict) and "error" in value:
        sys.exit(f"{path}: {value['error']}: {value.get('message')}")
    return value


def timing(base, url):
    call(base, "POST", "/url", {"url": "about:blank"})
    start = time.perf_counter()
    call(base, "POST", "/url", {"url": url})
    wall = time.perf_counter() - start
    t = call(base, "POST", "/execute/sync", {"script": """
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return [fcp ? fcp.startTime : null, nav.loadEventEnd];""", "args": []})
    return t[0] / 1000 if t[0] is not None else None, t[1] / 1000, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("page")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    page = os.path.abspath(a.page)
    size = os.path.getsize(page)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    driver = subprocess.Popen(["chromedriver", f"--port={port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                call(root, "GET", "/status")
                break
            except OSError:
                time.sleep(0.05)
        profile = tempfile.mkdtemp()
        session = call(root, "POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", f"--user-data-dir={profile}",
                "--window-size=1280,900"]}}}})
        base = f"{root}/session/{session['sessionId']}"
        rows = []
        for run in range(a.runs):
            fcp, load, wall = timing(base, "file://" + page)
            rows.append((fcp, load))
            print(f"run {run + 1} first paint {fcp:.3f} s  load {load:.3f} s  navigate {wall:.3f} s")
        for i, what in ((0, "first paint"), (1, "load")):
            values = [r[i] for r in rows]
            print(f"median {what}: {statistics.median(values):.3f} s "
                  f"(spread {min(values):.3f}-{max(values):.3f}); page {size / 1e6:.1f} MB")
        call(base, "DELETE", "")
    finally:
        driver.kill()


if __name__ == "__main__":
    main()
