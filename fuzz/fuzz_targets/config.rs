//! `assets.toml` on arbitrary text: a configuration or an error with its
//! position, never a panic.
#![no_main]

use assetrail::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = Config::parse(&text, "assets.toml") {
        let _ = e.to_string();
    }
});
