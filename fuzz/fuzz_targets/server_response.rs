//! Any bytes as what an IMAP server sends: greeting and capability lines, then responses
//! parsed as async-imap parses them and handed to the engine's handlers (STATUS, SELECT,
//! SEARCH, flag FETCH, BODYSTRUCTURE, header fields, VANISHED, COPYUID/APPENDUID).
#![no_main]

use std::sync::Once;

static HOOK: Once = Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys aborts on every panic, before `harness::server_response` can tolerate
    // the known imap-proto 0.17.0 panics (see fuzz/regressions/server_response/). Let
    // exactly those unwind; every other panic still aborts and is a finding.
    HOOK.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let known = info
                .location()
                .is_some_and(|l| l.file().contains("imap-proto"))
                && tern_engine::harness::KNOWN_PARSER_PANICS
                    .iter()
                    .any(|k| info.to_string().contains(k));
            if !known {
                abort(info);
            }
        }));
    });
    tern_engine::harness::server_response(data);
});
