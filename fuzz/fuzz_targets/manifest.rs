//! `assets.lock` on arbitrary text: parsed whole, by table, as a conflicted
//! merge and three-way merged with itself; each returns, never panics.
#![no_main]

use assetrail::lock_file::parse_by_table;
use assetrail::lock_merge::{merge_texts, read_conflicted};
use assetrail::manifest::Manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Manifest::parse_text(&text, "assets.lock");
    let _ = parse_by_table(&text, "assets.lock");
    let _ = read_conflicted(&text, "assets.lock");
    let _ = merge_texts("", &text, "");
    let _ = merge_texts(&text, &text, "");
});
