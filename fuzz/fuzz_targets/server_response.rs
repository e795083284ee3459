//! Any bytes as what an IMAP server sends: greeting and capability lines, then responses
//! parsed as async-imap parses them and handed to the engine's handlers (STATUS, SELECT,
//! SEARCH, flag FETCH, BODYSTRUCTURE, header fields, VANISHED, COPYUID/APPENDUID).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tern_engine::harness::server_response(data);
});
