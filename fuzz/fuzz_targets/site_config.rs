//! Framework config files (JS/TS through oxc, Hugo TOML/YAML by lines) on
//! arbitrary text: reading one must return, never panic.
#![no_main]

use assetrail::scan::site_config::ConfigValues;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes).into_owned();
    let values = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            if pick % 2 == 0 {
                ConfigValues::read_script("docusaurus.config.ts", &text)
            } else {
                ConfigValues::read_flat("hugo.toml", &text)
            }
        })
        .unwrap()
        .join()
        .unwrap();
    for key in ["baseUrl", "url", "staticDirectories", "srcDir", "baseURL"] {
        let _ = values.get(key);
        let _ = values.all(key);
    }
});
