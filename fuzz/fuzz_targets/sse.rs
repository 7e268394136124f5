//! The server-sent event reader on arbitrary bytes: it returns events or an
//! error, never panics, and never buffers past its event limit.
#![no_main]

use assetrail::routes::openai::parse_event_stream;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut seen = 0usize;
    let _ = parse_event_stream(data, Some("req_fuzz"), &mut |_| seen += 1);
});
