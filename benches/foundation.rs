//! Foundation benchmarks: `generate` on the local route as a whole process, and
//! manifest load/save with 10,000 entries. Prints medians; asserts nothing.
//!
//! Run with `cargo bench --bench foundation`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use assetrail::manifest::{Manifest, ManifestEntry, ManifestTransaction};

const RUNS: usize = 15;

fn git_init(dir: &Path) {
    let ok = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(ok.success());
}

fn assetrail(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_assetrail"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stats(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:7.1} ms   min {:7.1} ms   max {:7.1} ms   ({} runs)",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    )
}

/// Times `generate` with `args` plus a fresh prompt and --out per run.
fn time_images(dir: &Path, tag: &str, ext: &str, args: &[&str]) -> Vec<Duration> {
    (0..RUNS)
        .map(|i| {
            let out = format!("public/images/bench-{tag}-{i}.{ext}");
            let prompt = format!("What we learned from benchmark run {i}");
            let mut all = vec!["generate", "--prompt", &prompt, "--out", &out];
            all.extend_from_slice(args);
            let start = Instant::now();
            assetrail(dir, &all);
            start.elapsed()
        })
        .collect()
}

fn time_generate(dir: &Path, tag: &str) -> Vec<Duration> {
    (0..RUNS)
        .map(|i| {
            let out = format!("public/images/bench-{tag}-{i}.png");
            let prompt = format!("benchmark image {i}");
            let start = Instant::now();
            assetrail(
                dir,
                &[
                    "generate",
                    "--prompt",
                    &prompt,
                    "--size",
                    "1024x1024",
                    "--output-format",
                    "png",
                    "--out",
                    &out,
                ],
            );
            start.elapsed()
        })
        .collect()
}

fn synthetic_entry(i: usize) -> ManifestEntry {
    ManifestEntry {
        path: format!("public/img/{:02}/image-{i:05}.png", i % 100),
        id: format!("01a20000-0000-7000-8000-{i:012}"),
        sha256: format!("{:064x}", i as u128 * 0x9e37_79b9_7f4a_7c15),
        bytes: 2048 + i as u64,
        format: assetrail::recorded::ImageFormat::Png,
        width: Some(1536),
        height: Some(1024),
        route: "images".into(),
        credit: "openai-api".into(),
        model: Some("gpt-image-2".into()),
        prompt: Some(format!(
            "An illustration for article number {i}, flat colours, soft light"
        )),
        size: Some("1536x1024".into()),
        quality: Some("medium".into()),
        request_id: Some(format!("req_{i:024}")),
        cost_estimate_usd: Some(0.041),
        base_commit: Some(format!("{:040x}", i)),
        git_blob: Some(format!("{:040x}", i * 7)),
        created_at: "2026-11-24T12:00:00Z".into(),
        tool_version: "0.1.0".into(),
        ..ManifestEntry::default()
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored here.
    println!(
        "assetrail foundation benchmarks ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let empty = tempfile::tempdir().unwrap();
    git_init(empty.path());
    assetrail(empty.path(), &["init"]);
    assetrail(
        empty.path(),
        &["generate", "--prompt", "warm-up", "--size", "1024x1024"],
    );
    println!("generate --route local, 1024x1024 png, process end to end:");
    println!(
        "  empty manifest           {}",
        stats(time_generate(empty.path(), "empty"))
    );

    println!(
        "  cover title card 1536x1024 png  {}",
        stats(time_images(
            empty.path(),
            "card",
            "png",
            &["--kind", "cover", "--subtitle", "A field report"]
        ))
    );
    println!(
        "  cover title card 1536x1024 webp {}",
        stats(time_images(
            empty.path(),
            "cardw",
            "webp",
            &["--kind", "cover", "--subtitle", "A field report"]
        ))
    );
    println!(
        "  3840x2160 jpeg                  {}",
        stats(time_images(
            empty.path(),
            "uhd",
            "jpg",
            &["--size", "3840x2160"]
        ))
    );

    let big = tempfile::tempdir().unwrap();
    git_init(big.path());
    assetrail(big.path(), &["init"]);
    let mut manifest = Manifest::new();
    for i in 0..10_000 {
        manifest.upsert(synthetic_entry(i));
    }
    let text = manifest.to_text();
    std::fs::write(big.path().join("assets.lock"), &text).unwrap();
    println!(
        "  10,000-entry manifest    {}",
        stats(time_generate(big.path(), "big"))
    );

    println!(
        "manifest with 10,000 entries ({:.1} MB):",
        text.len() as f64 / 1e6
    );
    let cache_dir = big.path().join(".git/assetrail");
    let manifest_path = big.path().join("assets.lock");
    let loads: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let m = Manifest::load(&manifest_path).unwrap();
            let elapsed = start.elapsed();
            assert!(m.assets.len() >= 10_000);
            elapsed
        })
        .collect();
    println!("  load (read + parse)      {}", stats(loads));
    let mut saves = Vec::new();
    let mut cycles = Vec::new();
    for i in 0..RUNS {
        let start = Instant::now();
        let mut txn = ManifestTransaction::begin(&manifest_path, &cache_dir, None).unwrap();
        let loaded = start.elapsed();
        txn.lock.upsert(synthetic_entry(20_000 + i));
        let save_start = Instant::now();
        txn.commit().unwrap();
        saves.push(save_start.elapsed());
        cycles.push(loaded + saves.last().copied().unwrap());
    }
    println!("  save (splice + fsync + rename)    {}", stats(saves));
    println!("  lock + load + upsert + save       {}", stats(cycles));
}
