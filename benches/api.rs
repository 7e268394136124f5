//! API route benchmarks against the loopback OpenAI server of the test suite:
//! a batch of 32 images with `--jobs 8` at a fixed 500 ms latency (ideal: 4 ×
//! 500 ms), 20 offline placeholders regenerated at `--jobs 8` (ideal: 3 ×
//! 500 ms), and assetrail's own work per 1024×1024 image once the bytes have
//! arrived (decode check, hash, atomic write, manifest update). Prints
//! figures; asserts nothing.
//!
//! Run with `cargo bench --bench api`.

#[path = "../tests/common/openai_server.rs"]
mod openai_server;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use assetrail::image_file::Verify;
use assetrail::image_options::OutputFormat;
use assetrail::manifest::ManifestEntry;
use assetrail::provenance::{self, Content, NewAsset};
use assetrail::routes::api_image::decode_image;
use assetrail::workspace::Workspace;
use openai_server::{IMAGE_EDGE, REPLY_DELAY_MS, Server, b64};

fn run(dir: &Path, server: &Server, args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_assetrail"))
        .args(args)
        .current_dir(dir)
        .env("OPENAI_BASE_URL", &server.url)
        .env("OPENAI_API_KEY", "sk-bench")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .status()
            .unwrap()
            .success()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_assetrail"))
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    dir
}

fn main() {
    let server = Server::start();
    IMAGE_EDGE.store(1024, Ordering::Relaxed);

    // 32 images, 8 at a time, 500 ms each.
    REPLY_DELAY_MS.store(500, Ordering::Relaxed);
    let mut batch_times = Vec::new();
    for round in 0..3 {
        let dir = repo();
        let jobs: String = (0..32)
            .map(|i| format!("[[job]]\nprompt = \"image {round}-{i}\"\nsize = \"1024x1024\"\nout = \"public/images/b{i:02}.png\"\n\n"))
            .collect();
        std::fs::write(dir.path().join("jobs.toml"), jobs).unwrap();
        batch_times.push(run(
            dir.path(),
            &server,
            &[
                "generate",
                "--batch",
                "jobs.toml",
                "--jobs",
                "8",
                "--route",
                "images",
            ],
        ));
    }
    batch_times.sort();
    let median = batch_times[1];
    println!(
        "batch: 32 images, --jobs 8, 500 ms latency: median {:.3} s ({:.2}x the ideal 2.000 s; runs {:?})",
        median.as_secs_f64(),
        median.as_secs_f64() / 2.0,
        batch_times
            .iter()
            .map(|d| format!("{:.3}", d.as_secs_f64()))
            .collect::<Vec<_>>()
    );

    // 20 placeholders from the offline route made again, 8 at a time: three
    // waves of 500 ms, ideal 1.5 s.
    let mut regenerate_times = Vec::new();
    for round in 0..3 {
        let dir = repo();
        for i in 0..20 {
            let prompt = format!("placeholder {round}-{i}");
            let out = format!("public/images/p{i:02}.png");
            run(
                dir.path(),
                &server,
                &[
                    "generate",
                    "--prompt",
                    &prompt,
                    "--size",
                    "1024x1024",
                    "--out",
                    &out,
                ],
            );
        }
        regenerate_times.push(run(
            dir.path(),
            &server,
            &[
                "regenerate",
                "--where",
                "route=local",
                "--route",
                "images",
                "--jobs",
                "8",
            ],
        ));
    }
    regenerate_times.sort();
    let median = regenerate_times[1];
    println!(
        "regenerate: 20 placeholders, --jobs 8, 500 ms latency: median {:.3} s ({:.2}x the ideal 1.500 s; runs {:?})",
        median.as_secs_f64(),
        median.as_secs_f64() / 1.5,
        regenerate_times
            .iter()
            .map(|d| format!("{:.3}", d.as_secs_f64()))
            .collect::<Vec<_>>()
    );

    // assetrail's own work per image: decode check, hash, write, manifest update.
    let dir = repo();
    let ws = Workspace::open(Some(dir.path())).unwrap();
    // Noise compresses like a photo does not: a realistic 2-3 MB PNG.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noisy = image::RgbImage::from_fn(1024, 1024, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let [a, b, c, ..] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    noisy.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    let encoded = b64(&png);
    let mut per_image = Vec::new();
    for i in 0..20 {
        let start = Instant::now();
        let bytes = decode_image(&encoded, OutputFormat::Png, Some("req_bench")).unwrap();
        let provenance = ManifestEntry {
            route: "images".into(),
            credit: "openai-api".into(),
            model: Some("gpt-image-2".into()),
            prompt: Some(format!("bench {i}")),
            request_id: Some("req_bench".into()),
            ..ManifestEntry::default()
        };
        provenance::commit(
            &ws,
            vec![NewAsset {
                path: format!("public/images/overhead-{i:02}.png"),
                content: Content::Bytes(bytes),
                verify: Verify::Header,
                provenance,
                rename_if_taken: false,
            }],
            false,
            None,
        )
        .unwrap();
        per_image.push(start.elapsed());
    }
    per_image.sort();
    println!(
        "own overhead per 1024x1024 PNG ({} KB): median {:.1} ms, max {:.1} ms (20 runs)",
        png.len() / 1024,
        per_image[10].as_secs_f64() * 1000.0,
        per_image[19].as_secs_f64() * 1000.0
    );
}
