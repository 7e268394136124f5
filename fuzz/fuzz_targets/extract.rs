//! Every extractor on arbitrary bytes: the first byte picks the syntax, the
//! rest is the file. It must return, never panic or overflow the stack, and
//! every reference it reports must lie inside the text.
#![no_main]

use assetrail::scan::{ExtractOptions, Syntax, extract_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let syntax = Syntax::ALL[usize::from(pick) % Syntax::ALL.len()];
    let path = match syntax {
        Syntax::Json => "data/x.json",
        Syntax::BrowserConfig => "public/browserconfig.xml",
        Syntax::Script => "src/x.tsx",
        _ => "content/x",
    };
    // Extraction runs on threads with large stacks; so does the fuzzer's.
    let extraction = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn({
            let bytes = bytes.to_vec();
            move || extract_bytes(path, &bytes, syntax, &ExtractOptions::default())
        })
        .unwrap()
        .join()
        .unwrap();
    let len = String::from_utf8_lossy(bytes).len();
    for r in &extraction.references {
        assert!(r.start <= r.end && r.end <= len, "{r:?} outside {len} bytes");
        assert!(r.line >= 1 && r.column >= 1);
    }
});
