//! Properties of the extractors, on generated input: every syntax returns
//! for arbitrary bytes (no panic, no stack overflow, references inside the
//! text), the CommonMark fast path and the MDX path agree on plain Markdown,
//! and the inputs that once crashed an extractor stay fixed.

use std::path::Path;

use assetrail::scan::{ExtractOptions, Extraction, RefKind, Syntax, extract, extract_bytes};
use proptest::prelude::*;

fn path_for(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Json => "data/x.json",
        Syntax::BrowserConfig => "public/browserconfig.xml",
        Syntax::Script => "src/x.tsx",
        Syntax::Vue => "src/X.vue",
        Syntax::Astro => "src/x.astro",
        Syntax::Html => "x.html",
        Syntax::Css => "x.css",
        _ => "content/x.mdx",
    }
}

/// Runs an extraction on a thread with the stack extraction threads have.
fn extract_on_thread(syntax: Syntax, bytes: Vec<u8>) -> Extraction {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || extract_bytes(path_for(syntax), &bytes, syntax, &ExtractOptions::default()))
        .unwrap()
        .join()
        .expect("extraction returns")
}

fn assert_well_formed(bytes: &[u8], extraction: &Extraction) {
    let len = String::from_utf8_lossy(bytes).len();
    for r in &extraction.references {
        assert!(
            r.start <= r.end && r.end <= len,
            "{r:?} outside {len} bytes"
        );
        assert!(r.line >= 1 && r.column >= 1, "{r:?}");
    }
}

/// Bytes that look like the sources the extractors read: markup and code
/// punctuation, image paths, multi-byte characters, and raw noise.
fn source_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"<img src=\"/a.png\">".to_vec()),
        Just(b"![x](./b.jpg)".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"<".to_vec()),
        Just(b">".to_vec()),
        Just(b"(".to_vec()),
        Just(b"`".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"'".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"---\n".to_vec()),
        Just(b"url(".to_vec()),
        Just(b"import a from './c.svg'\n".to_vec()),
        Just(b"export const x = ".to_vec()),
        Just("é".as_bytes().to_vec()),
        Just("😀".as_bytes().to_vec()),
        Just(b"<!--".to_vec()),
        Just(b"/*".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(pieces, 0..64).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_extractor_returns_for_any_bytes(pick in 0..Syntax::ALL.len(), bytes in source_bytes()) {
        let syntax = Syntax::ALL[pick];
        let extraction = extract_on_thread(syntax, bytes.clone());
        assert_well_formed(&bytes, &extraction);
    }

    #[test]
    fn plain_markdown_reads_the_same_on_both_paths(doc in plain_markdown()) {
        // The claim: wherever the fast path is taken, it is exact.
        prop_assume!(assetrail::scan::commonmark::is_plain(&doc));
        assert_same_on_both_paths(&doc);
    }
}

/// Markdown that uses no MDX syntax: headings, paragraphs, images, links,
/// definitions, lists, quotes and fenced code.
fn plain_markdown() -> impl Strategy<Value = String> {
    let names = prop_oneof![
        Just("/img/a.png"),
        Just("./b.jpg"),
        Just("../c/d.webp"),
        Just("https://x.test/e.svg"),
        Just("f.gif")
    ];
    let block = (0..8usize, names, "[a-z ]{0,12}").prop_map(|(kind, name, words)| match kind {
        0 => format!("# {words}\n"),
        1 => format!("{words} ![alt]({name}) {words}\n"),
        2 => format!("[link {words}]({name})\n"),
        3 => format!("- item ![x]({name})\n- {words}\n"),
        4 => format!("> quoted ![q]({name} \"title\")\n"),
        5 => format!("```\n{name}\n```\n"),
        // The label is replaced by a unique one below: a repeated label is a
        // definition CommonMark ignores (and markdown-rs still lists).
        6 => format!("![ref][LABEL]\n\n[LABEL]: {name}\n"),
        _ => format!("{words} `{name}` {words}\n"),
    });
    proptest::collection::vec(block, 0..12).prop_map(|blocks| {
        blocks
            .iter()
            .enumerate()
            .map(|(i, b)| b.replace("LABEL", &format!("r{i}")))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The fast path is taken only where it is exact: forcing each path on the
/// same plain document gives the same references.
fn assert_same_on_both_paths(doc: &str) {
    let options = ExtractOptions::default();
    let fast = extract("x.md", doc, Syntax::Markdown, &options);
    let mdx = assetrail::scan::markdown::extract_with_mdx_parser(doc, &options);
    let key = |e: &Extraction| {
        let mut refs: Vec<_> = e
            .references
            .iter()
            .map(|r| {
                (
                    r.start,
                    r.raw.clone(),
                    r.in_code,
                    r.kind == RefKind::MdDefinition,
                )
            })
            .collect();
        refs.sort();
        refs
    };
    assert_eq!(key(&fast), key(&mdx), "the two paths differ on:\n{doc}");
}

#[test]
fn both_markdown_paths_agree_on_every_plain_fixture_page() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut compared = 0;
    for entry in walkdir::WalkDir::new(&fixtures) {
        let entry = entry.unwrap();
        let path = entry.path();
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("md" | "mdx")
        ) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        if assetrail::scan::commonmark::is_plain(&text) {
            assert_same_on_both_paths(&text);
            compared += 1;
        }
    }
    assert!(compared >= 5, "only {compared} plain fixture pages");
}

#[test]
fn inputs_that_once_crashed_an_extractor() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // Named SYNTAX-what.bin: the syntax that crashed.
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let syntax = Syntax::ALL
            .iter()
            .copied()
            .find(|s| name.starts_with(&format!("{s:?}-").to_ascii_lowercase()))
            .unwrap_or_else(|| panic!("{name}: unknown syntax prefix"));
        let extraction = extract_on_thread(syntax, bytes.clone());
        assert_well_formed(&bytes, &extraction);
        seen += 1;
    }
    assert!(seen > 0, "no regression inputs in {}", dir.display());
}
