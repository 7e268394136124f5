//! `retry-after-ms` and `retry-after` values from a server: a wait or none,
//! never a panic (huge, negative, NaN, infinite, dates far away).
#![no_main]

use assetrail::routes::openai::server_wait;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (ms, after) = text.split_once('\n').unwrap_or((&text, ""));
    let now = jiff::Timestamp::UNIX_EPOCH;
    let _ = server_wait(Some(ms), Some(after), now);
    let _ = server_wait(None, Some(ms), now);
    let _ = server_wait(Some(after), None, jiff::Timestamp::MAX);
});
