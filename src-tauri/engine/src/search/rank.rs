//! `tern_rank(search_index, uncounted, docs)`: how well a message matches a full-text query, an
//! FTS5 auxiliary function registered on every connection of the cache.
//!
//! It is FTS5's own bm25 (k1 = 1.2, b = 0.75, the column weights below), with one change that
//! keeps it cheap on a large mailbox: a phrase's document frequency, which bm25 needs for its
//! IDF, is counted only up to [`DF_CAP`] documents. FTS5's `bm25()` counts every document that
//! holds each phrase, once per query: 70,000 documents for a common word, a whole merged
//! doclist for a prefix (tens of milliseconds on 100,000 messages) before the first row. Words
//! in more than `DF_CAP` documents weigh the same; rarer words exactly as bm25 weighs them
//! (and in a mailbox of fewer than `2 * DF_CAP` messages it is bm25, up to sign).
//!
//! `uncounted` is a bit mask of phrases (in the order they appear in the MATCH expression)
//! whose documents are not counted at all and which weigh as a common word: the facet phrases
//! (folder, attachment), negated ones, and the only text phrase of a query (whose IDF would
//! scale every match alike). `docs`, a JSON array, gives the number of documents of phrases
//! that is known already (-1 where not): those of a prefix's words (search/words.rs).
//!
//! Returns a positive number, larger for a better match (bm25 with its sign turned).

use rusqlite::ffi;
use rusqlite::Connection;
use std::ffi::{c_int, c_void};
use std::ptr;

/// The function's name in SQL.
pub const NAME: &str = "tern_rank";
/// `tern_columns(search_index)`: which columns the row's matches are in, bit i for column i
/// (so a page's hits only have their bodies read for a snippet when a body matched).
pub const COLUMNS: &str = "tern_columns";

/// bm25 weights per column: sender, recipients, cc, subject, body, attachments, facets. A
/// word in the subject or from the sender says more about a message than one deep in its
/// body; the facets are filters, not text.
const WEIGHTS: [f64; 7] = [4.0, 2.0, 1.5, 6.0, 1.0, 3.0, 0.0];

/// Documents counted per phrase for its IDF (about 0.2 ms of FTS5 iteration).
const DF_CAP: i64 = 1000;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// What the function computes once per query and keeps as FTS5 auxiliary data.
struct QueryData {
    idf: Vec<f64>,
    avgdl: f64,
}

/// Registers `tern_rank` and `tern_columns` on a connection (FTS5 functions are per
/// connection).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let api = fts5_api(conn)?;
    let functions: [(&std::ffi::CStr, ffi::fts5_extension_function); 2] =
        [(c"tern_rank", Some(rank)), (c"tern_columns", Some(columns))];
    for (name, function) in functions {
        // SAFETY: `api` is the live fts5_api of this connection (checked non-null); the
        // name is a NUL-terminated static string; the functions have no user data.
        let rc = unsafe {
            match (*api).xCreateFunction {
                Some(create) => create(api, name.as_ptr(), ptr::null_mut(), function, None),
                None => ffi::SQLITE_ERROR,
            }
        };
        check(rc, "registering the search's FTS5 functions")?;
    }
    Ok(())
}

/// The connection's FTS5 API object, asked for through `SELECT fts5(?1)` as the FTS5
/// documentation prescribes (section 7.1).
fn fts5_api(conn: &Connection) -> rusqlite::Result<*mut ffi::fts5_api> {
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
    // SAFETY: the handle is valid for the connection's lifetime, which outlives this call;
    // the statement is finalized on every path; the pointer bound is to `api`, a local that
    // outlives the statement, with the type name FTS5 expects.
    let rc = unsafe {
        let db = conn.handle();
        let mut rc = ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut stmt,
            ptr::null_mut(),
        );
        if rc == ffi::SQLITE_OK {
            rc = ffi::sqlite3_bind_pointer(
                stmt,
                1,
                (&mut api as *mut *mut ffi::fts5_api).cast::<c_void>(),
                c"fts5_api_ptr".as_ptr(),
                None,
            );
        }
        if rc == ffi::SQLITE_OK {
            rc = ffi::sqlite3_step(stmt);
            if rc == ffi::SQLITE_ROW {
                rc = ffi::SQLITE_OK;
            }
        }
        let fin = ffi::sqlite3_finalize(stmt);
        if rc == ffi::SQLITE_OK {
            fin
        } else {
            rc
        }
    };
    check(rc, "looking up FTS5")?;
    if api.is_null() {
        check(ffi::SQLITE_ERROR, "FTS5 is not available")?;
    }
    Ok(api)
}

fn check(rc: c_int, what: &str) -> rusqlite::Result<()> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(
            ffi::Error::new(rc),
            Some(what.to_string()),
        ))
    }
}

/// Counts the documents a phrase matches, stopping at [`DF_CAP`] (`SQLITE_DONE` ends
/// `xQueryPhrase` early without an error).
unsafe extern "C" fn count_docs(
    _api: *const ffi::Fts5ExtensionApi,
    _fts: *mut ffi::Fts5Context,
    user: *mut c_void,
) -> c_int {
    // SAFETY: `user` is the `&mut i64` that `query_data` passed to xQueryPhrase.
    let n = unsafe { &mut *user.cast::<i64>() };
    *n += 1;
    if *n >= DF_CAP {
        ffi::SQLITE_DONE
    } else {
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn drop_query_data(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: `p` came from `Box::into_raw` in `query_data`, and FTS5 frees it once.
        drop(unsafe { Box::from_raw(p.cast::<QueryData>()) });
    }
}

/// The per-query data, computed on the first row and kept by FTS5 until the query ends.
///
/// # Safety
/// `api` and `fts` must be the pointers FTS5 passed to the auxiliary function.
unsafe fn query_data(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    uncounted: u64,
    known: &dyn Fn() -> Vec<i64>,
) -> Result<*const QueryData, c_int> {
    let (Some(get), Some(set), Some(phrases), Some(rows), Some(total), Some(query)) = (
        api.xGetAuxdata,
        api.xSetAuxdata,
        api.xPhraseCount,
        api.xRowCount,
        api.xColumnTotalSize,
        api.xQueryPhrase,
    ) else {
        return Err(ffi::SQLITE_ERROR);
    };
    // SAFETY (whole block): the caller passes FTS5's own api and context; out-pointers are
    // to locals; the auxiliary data is a leaked Box that FTS5 hands to `drop_query_data`.
    unsafe {
        let kept = get(fts, 0);
        if !kept.is_null() {
            return Ok(kept.cast::<QueryData>());
        }
        let (mut n_rows, mut n_tokens) = (0i64, 0i64);
        let rc = rows(fts, &mut n_rows);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        let rc = total(fts, -1, &mut n_tokens);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        let n_rows = n_rows.max(1);
        let known = known();
        let mut idf = Vec::new();
        for i in 0..phrases(fts).max(0) {
            let given = known.get(i as usize).copied().filter(|n| *n >= 0);
            let hits = if i < 64 && uncounted & (1 << i) != 0 {
                DF_CAP
            } else if let Some(n) = given {
                n.min(DF_CAP)
            } else if i < 64 {
                let mut n = 0i64;
                let rc = query(
                    fts,
                    i,
                    (&mut n as *mut i64).cast::<c_void>(),
                    Some(count_docs),
                );
                if rc != ffi::SQLITE_OK {
                    return Err(rc);
                }
                n
            } else {
                DF_CAP
            };
            // bm25's IDF, floored at 1e-6 as FTS5 does for words in most documents.
            let v = ((n_rows as f64 - hits as f64 + 0.5) / (hits as f64 + 0.5)).ln();
            idf.push(if v > 0.0 { v } else { 1e-6 });
        }
        let data = Box::new(QueryData {
            idf,
            avgdl: n_tokens as f64 / n_rows as f64,
        });
        let raw = Box::into_raw(data);
        let rc = set(fts, raw.cast::<c_void>(), Some(drop_query_data));
        if rc != ffi::SQLITE_OK {
            // FTS5 has already called the destructor on failure.
            return Err(rc);
        }
        Ok(raw)
    }
}

/// The auxiliary function itself: bm25 of the current row, as a positive number.
unsafe extern "C" fn rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    n_args: c_int,
    args: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 passes a valid api, context and `n_args` argument values.
    unsafe {
        match score(&*api, fts, n_args, args) {
            Ok(s) => ffi::sqlite3_result_double(ctx, s),
            Err(rc) => ffi::sqlite3_result_error_code(ctx, rc),
        }
    }
}

/// The auxiliary function `tern_columns`: a bit per column holding one of the row's matches.
unsafe extern "C" fn columns(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    _n_args: c_int,
    _args: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 passes a valid api and context; out-pointers are to locals.
    unsafe {
        let api = &*api;
        let (Some(inst_count), Some(inst)) = (api.xInstCount, api.xInst) else {
            ffi::sqlite3_result_error_code(ctx, ffi::SQLITE_ERROR);
            return;
        };
        let mut n: c_int = 0;
        let mut rc = inst_count(fts, &mut n);
        let mut bits: i64 = 0;
        for i in 0..n {
            if rc != ffi::SQLITE_OK {
                break;
            }
            let (mut phrase, mut col, mut off) = (0, 0, 0);
            rc = inst(fts, i, &mut phrase, &mut col, &mut off);
            if (0..63).contains(&col) {
                bits |= 1 << col;
            }
        }
        if rc == ffi::SQLITE_OK {
            ffi::sqlite3_result_int64(ctx, bits);
        } else {
            ffi::sqlite3_result_error_code(ctx, rc);
        }
    }
}

/// # Safety
/// The arguments must be those FTS5 passed to [`rank`].
unsafe fn score(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    n_args: c_int,
    args: *mut *mut ffi::sqlite3_value,
) -> Result<f64, c_int> {
    let (Some(inst_count), Some(inst), Some(col_size)) =
        (api.xInstCount, api.xInst, api.xColumnSize)
    else {
        return Err(ffi::SQLITE_ERROR);
    };
    // The JSON text of `docs`, read only on a query's first row.
    let known = || -> Vec<i64> {
        if n_args < 2 {
            return Vec::new();
        }
        // SAFETY: `args` holds at least two values; the text lives until the call ends, and
        // SQLite returned `len` bytes at `text`.
        let bytes = unsafe {
            let v = *args.add(1);
            let (text, len) = (ffi::sqlite3_value_text(v), ffi::sqlite3_value_bytes(v));
            if text.is_null() || len <= 0 {
                return Vec::new();
            }
            std::slice::from_raw_parts(text, len as usize)
        };
        serde_json::from_slice(bytes).unwrap_or_default()
    };
    // SAFETY (whole block): as for `query_data`; `args` holds `n_args` values.
    unsafe {
        let uncounted = if n_args >= 1 {
            ffi::sqlite3_value_int64(*args) as u64
        } else {
            0
        };
        let data = &*query_data(api, fts, uncounted, &known)?;
        // Weighted hits per phrase in this row.
        let mut freq = vec![0.0f64; data.idf.len()];
        let mut n_inst: c_int = 0;
        let rc = inst_count(fts, &mut n_inst);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        for i in 0..n_inst {
            let (mut phrase, mut col, mut off) = (0, 0, 0);
            let rc = inst(fts, i, &mut phrase, &mut col, &mut off);
            if rc != ffi::SQLITE_OK {
                return Err(rc);
            }
            if let (Some(f), Some(w)) = (freq.get_mut(phrase as usize), WEIGHTS.get(col as usize)) {
                *f += w;
            }
        }
        let mut len: c_int = 0;
        let rc = col_size(fts, -1, &mut len);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        let norm = K1 * (1.0 - B + B * f64::from(len) / data.avgdl.max(f64::MIN_POSITIVE));
        Ok(data
            .idf
            .iter()
            .zip(&freq)
            .map(|(idf, f)| idf * f * (K1 + 1.0) / (f + norm))
            .sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_like_bm25_on_a_small_table() {
        let c = Connection::open_in_memory().unwrap();
        register(&c).unwrap();
        c.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(sender, recipients, cc, subject, body, attachments, facets,
                 content = '', contentless_delete = 1);
             INSERT INTO t (rowid, subject, body) VALUES
                 (1, 'kiwi', 'mango'), (2, 'mango', 'kiwi kiwi'), (3, 'plum', 'kiwi'), (4, 'plum', 'pear');",
        )
        .unwrap();
        let ranked = |q: &str| -> Vec<(i64, f64, f64)> {
            let mut s = c
                .prepare(
                    "SELECT rowid, tern_rank(t, 0), bm25(t, 4.0, 2.0, 1.5, 6.0, 1.0, 3.0, 0.0)
                     FROM t WHERE t MATCH ?1 ORDER BY rowid",
                )
                .unwrap();
            let rows = s
                .query_map([q], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<Vec<_>>>()
                .unwrap();
            rows
        };
        for q in ["kiwi", "kiwi AND mango", "plum", "pear OR kiwi"] {
            let rows = ranked(q);
            assert!(!rows.is_empty(), "{q}");
            for (id, ours, theirs) in rows {
                assert!(
                    (ours + theirs).abs() < 1e-9,
                    "{q} row {id}: {ours} vs {theirs}"
                );
            }
        }
        // A word in the subject weighs more than in the body.
        let r = ranked("kiwi");
        assert!(r[0].1 > r[2].1, "{r:?}");
        let cols: Vec<i64> = c
            .prepare("SELECT tern_columns(t) FROM t WHERE t MATCH 'kiwi' ORDER BY rowid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(cols, [1 << 3, 1 << 4, 1 << 4]);
    }

    #[test]
    fn uncounted_phrases_weigh_as_common_words() {
        let c = Connection::open_in_memory().unwrap();
        register(&c).unwrap();
        c.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(sender, recipients, cc, subject, body, attachments, facets,
                 content = '', contentless_delete = 1);
             INSERT INTO t (rowid, body) VALUES (1, 'kiwi'), (2, 'mango'), (3, 'pear');",
        )
        .unwrap();
        let score = |mask: i64| -> f64 {
            c.query_row(
                "SELECT tern_rank(t, ?1) FROM t WHERE t MATCH 'kiwi'",
                [mask],
                |r| r.get(0),
            )
            .unwrap()
        };
        // One document of three holds kiwi: a positive IDF; uncounted, below half: 1e-6.
        assert!(score(0) > 0.1);
        assert!(score(1) < 1e-5);
    }
}
