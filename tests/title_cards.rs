//! What the offline route draws, looked at as images: title cards whose
//! title can be read back (by OCR, where Debian's tesseract is installed),
//! icons transparent around their tile, social cards at 1200×630, small
//! files, and the same bytes for the same inputs.

mod common;

use common::Repo;

fn repo() -> Repo {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    let config = String::from_utf8(repo.read("assets.toml")).unwrap();
    repo.write(
        "assets.toml",
        config.replace("# site_name = \"My Site\"", "site_name = \"Harbour Notes\""),
    );
    repo
}

/// Generates on the local route and returns the written path.
fn generate(repo: &Repo, args: &[&str]) -> String {
    let mut all = vec!["generate", "--format", "json"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    run.success();
    run.json()["assets"][0]["path"].as_str().unwrap().to_owned()
}

fn decode(repo: &Repo, path: &str) -> image::RgbaImage {
    image::load_from_memory(&repo.read(path))
        .unwrap()
        .to_rgba8()
}

/// The text tesseract reads in an image, or `None` where it is not installed
/// (outside CI; on CI a missing tesseract fails the test). The image is
/// handed over as tesseract reads best: grey, dark ink on a light ground.
fn ocr(file: &std::path::Path) -> Option<String> {
    let mut grey = image::open(file).unwrap().to_luma8();
    let mean = grey.pixels().map(|p| u64::from(p.0[0])).sum::<u64>() / grey.len().max(1) as u64;
    if mean < 128 {
        image::imageops::invert(&mut grey);
    }
    let prepared = file.with_extension("ocr.png");
    grey.save(&prepared).unwrap();
    let read = std::process::Command::new("tesseract")
        .arg(&prepared)
        .arg("stdout")
        .output();
    std::fs::remove_file(&prepared).unwrap();
    match read {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "tesseract is missing on CI: install Debian's tesseract-ocr"
            );
            eprintln!("skipped the OCR check: install Debian's tesseract-ocr to run it");
            None
        }
    }
}

#[test]
fn a_title_card_says_its_title() {
    let repo = repo();
    let path = generate(
        &repo,
        &[
            "--kind",
            "cover",
            "--prompt",
            "a harbour at dawn, boats, soft light",
            "--title",
            "Quarterly Harbour Report",
            "--subtitle",
            "Numbers from the docks",
        ],
    );
    let img = decode(&repo, &path);
    assert_eq!((img.width(), img.height()), (1536, 1024));
    if let Some(text) = ocr(&repo.path().join(&path)) {
        let words: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "Quarterly Harbour Report",
            "Numbers from the docks",
            "Harbour Notes",
        ] {
            assert!(
                words.contains(expected),
                "{expected:?} not read in {words:?}"
            );
        }
    }
    // Without --title the card says the prompt's first clause.
    let path = generate(
        &repo,
        &[
            "--kind",
            "article",
            "--prompt",
            "Shipping faster. A long story",
            "--output-format",
            "png",
        ],
    );
    if let Some(text) = ocr(&repo.path().join(&path)) {
        assert!(text.contains("Shipping faster"), "{text}");
        assert!(!text.contains("long story"), "{text}");
    }
}

#[test]
fn an_icon_is_transparent_around_its_tile() {
    let repo = repo();
    for format in ["png", "webp"] {
        let path = generate(
            &repo,
            &[
                "--kind",
                "ui",
                "--prompt",
                "Settings gear icon",
                "--output-format",
                format,
            ],
        );
        let img = decode(&repo, &path);
        let (w, h) = (img.width(), img.height());
        for (x, y) in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), (w / 2, 2)] {
            assert_eq!(
                img.get_pixel(x, y)[3],
                0,
                "{format}: ({x},{y}) is not transparent"
            );
        }
        assert_eq!(
            img.get_pixel(w / 4, h / 2)[3],
            255,
            "{format}: the tile is not opaque"
        );
    }
}

#[test]
fn social_cards_are_1200_by_630_and_files_stay_small() {
    let repo = repo();
    let path = generate(&repo, &["--kind", "social", "--prompt", "Announcing v1.0"]);
    assert!(path.starts_with("public/images/social/"), "{path}");
    let img = decode(&repo, &path);
    assert_eq!((img.width(), img.height()), (1200, 630));
    assert_eq!(repo.entry(&path)["size"].as_str(), Some("1200x630"));

    for (format, limit) in [("png", 150_000), ("webp", 60_000)] {
        let path = generate(
            &repo,
            &[
                "--kind",
                "cover",
                "--prompt",
                "What we learned from a year of canary releases",
                "--subtitle",
                "A field report",
                "--output-format",
                format,
            ],
        );
        let bytes = repo.read(&path).len();
        assert!(
            bytes < limit,
            "a 1536x1024 {format} title card is {bytes} bytes"
        );
    }
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let (a, b) = (repo(), repo());
    let args = ["--kind", "cover", "--prompt", "Deterministic", "--badge"];
    let (pa, pb) = (generate(&a, &args), generate(&b, &args));
    assert_eq!(a.read(&pa), b.read(&pb));
    let other = generate(&a, &["--kind", "cover", "--prompt", "Different"]);
    assert_ne!(a.read(&pa), a.read(&other));
}

#[test]
fn a_badge_marks_the_placeholder() {
    let repo = repo();
    let plain = generate(&repo, &["--kind", "social", "--prompt", "Badge test"]);
    let marked = generate(
        &repo,
        &[
            "--kind",
            "social",
            "--prompt",
            "Badge test",
            "--badge",
            "--out",
            "public/images/social/marked.png",
        ],
    );
    let (plain, marked) = (decode(&repo, &plain), decode(&repo, &marked));
    // The badge sits in the top right corner, in amber, and nowhere else.
    let amber = |p: &image::Rgba<u8>| p[0] > 200 && p[1] > 120 && p[1] < 190 && p[2] < 60;
    let corner = |img: &image::RgbaImage| {
        (900..1190)
            .flat_map(|x| (10..80).map(move |y| (x, y)))
            .filter(|&(x, y)| amber(img.get_pixel(x, y)))
            .count()
    };
    assert!(corner(&marked) > 2000, "no badge: {}", corner(&marked));
    assert_eq!(corner(&plain), 0);
    if let Some(text) = ocr(&repo.path().join("public/images/social/marked.png")) {
        assert!(text.contains("PLACEHOLDER"), "{text}");
    }
}
