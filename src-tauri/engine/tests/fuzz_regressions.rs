//! Replays the fuzz targets' seeds and every input that once crashed them
//! (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`) through the same harness the
//! targets call, so each finding stays fixed under a plain `cargo test`.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut v = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(dir) = std::fs::read_dir(fuzz.join(kind).join(target)) else {
            continue;
        };
        for e in dir.flatten() {
            let p = e.path();
            if p.is_file() {
                let bytes = std::fs::read(&p).unwrap();
                v.push((p, bytes));
            }
        }
    }
    v.sort();
    v
}

fn replay(target: &str, run: fn(&[u8])) {
    let all = inputs(target);
    assert!(!all.is_empty(), "no inputs for {target}");
    for (path, bytes) in all {
        let r = std::panic::catch_unwind(|| run(&bytes));
        assert!(r.is_ok(), "{} panics again", path.display());
    }
}

#[test]
fn message_inputs_stay_fixed() {
    replay("message", tern_engine::harness::message);
}

#[test]
fn server_response_inputs_stay_fixed() {
    replay("server_response", tern_engine::harness::server_response);
}
