//! Any bytes as a message: MIME parsing, header fields, sanitizing and rendering (remote
//! content blocked and allowed), attachment names, and reopening as a draft.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tern_engine::harness::message(data);
});
