use super::*;
use crate::message::flags;
use crate::search::{parse, MARK_END, MARK_START};
use crate::store::fixture::{fixture, header, Fixture};

fn no_folders(_: &Kind) -> Vec<FolderId> {
    Vec::new()
}

fn plan_of(q: &str) -> Plan {
    plan(&parse(q).unwrap(), &no_folders, None)
}

#[test]
fn text_terms_become_one_quoted_match_expression() {
    let p = plan_of("from:alice \"budget review\" rep");
    assert_eq!(
        p.matches.as_deref(),
        Some("(sender : \"alice\") AND (\"budget review\") AND (\"rep\"*)")
    );
    assert!(p.conditions.is_empty());
    // FTS5 syntax in the input is only text.
    let p = plan_of("a OR b NEAR(c) \"x\"\"y\" col:z");
    assert_eq!(
        p.matches.as_deref(),
        Some("(\"a\") AND (\"OR\") AND (\"b\") AND (\"NEAR(c)\") AND (\"x\") AND (\"y\") AND (\"col:z\"*)")
    );
}

#[test]
fn negation_uses_not_or_an_exclusion() {
    let p = plan_of("invoice -paid -subject:draft");
    assert_eq!(
        p.matches.as_deref(),
        Some("((\"invoice\")) NOT (\"paid\") NOT (subject : \"draft\")")
    );
    let p = plan_of("-paid -from:bob is:unread");
    assert_eq!(p.matches, None);
    assert_eq!(p.excludes.as_deref(), Some("\"paid\" OR sender : \"bob\""));
    assert_eq!(
        p.conditions,
        vec![("(m.flags & 1) = 0".to_string(), vec![])]
    );
}

#[test]
fn filters_become_conditions() {
    let p = plan_of(
        "has:attachment -is:read is:starred -is:unread after:1970-01-02 -before:1970-01-03",
    );
    let sql: Vec<&str> = p.conditions.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        sql,
        [
            "m.has_attachments <> 0",
            "(m.flags & 1) = 0",
            "(m.flags & 4) <> 0",
            "(m.flags & 1) <> 0",
            "(CASE WHEN m.date <> 0 THEN m.date ELSE m.internal_date END) >= ?",
            "(CASE WHEN m.date <> 0 THEN m.date ELSE m.internal_date END) >= ?",
        ]
    );
    assert_eq!(p.conditions[4].1, vec![Value::Integer(86_400)]);
    assert_eq!(p.conditions[5].1, vec![Value::Integer(172_800)]);

    let folders = |k: &Kind| match k {
        Kind::In(n) if n == "sent" => vec![4, 9],
        _ => vec![],
    };
    let p = plan(
        &parse("in:sent -in:trash in:nowhere").unwrap(),
        &folders,
        Some(3),
    );
    let sql: Vec<&str> = p.conditions.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(sql, ["m.folder_id = ?", "m.folder_id IN (4,9)", "0"]);
}

fn add(f: &Fixture, folder: i64, uid: u32, subject: &str, body: &str, date: i64) -> i64 {
    let mut h = header(uid, &format!("{uid}@t"), &[], subject, date);
    h.flags = flags::SEEN;
    let id = f.store.insert_headers(folder, &[h]).unwrap().ids[0];
    let raw =
        format!("Subject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");
    f.store
        .store_bodies(folder, &[(uid, raw.into_bytes())])
        .unwrap();
    id
}

fn ids(f: &Fixture, q: &str) -> Vec<i64> {
    let mut v: Vec<i64> = f
        .store
        .search(&parse(q).unwrap(), None, 2_000_000_000, 0, 100)
        .unwrap()
        .iter()
        .map(|h| h.message.id)
        .collect();
    v.sort();
    v
}

#[test]
fn searches_bodies_with_accents_prefixes_and_highlights() {
    let f = fixture();
    let day = 86_400;
    let a = add(
        &f,
        f.inbox,
        1,
        "Café meeting",
        "Let us meet at the café in Zürich.",
        day,
    );
    let b = add(
        &f,
        f.inbox,
        2,
        "Budget",
        "The budget review is on Friday.",
        2 * day,
    );
    let c = add(
        &f,
        f.sent,
        3,
        "Re: Budget",
        "Budget approved. See you at the cafe.",
        3 * day,
    );

    assert_eq!(ids(&f, "cafe "), vec![a, c]);
    assert_eq!(ids(&f, "CAFÉ "), vec![a, c]);
    assert_eq!(ids(&f, "zurich "), vec![a]);
    assert_eq!(ids(&f, "bud"), vec![b, c]);
    assert_eq!(ids(&f, "\"budget review\""), vec![b]);
    assert_eq!(ids(&f, "budget -approved"), vec![b]);
    assert_eq!(ids(&f, "-budget"), vec![a]);
    assert_eq!(ids(&f, "subject:budget in:sent"), vec![c]);
    assert_eq!(ids(&f, "budget -in:sent"), vec![b]);
    assert_eq!(ids(&f, "in:nowhere"), Vec::<i64>::new());
    assert_eq!(ids(&f, "account:me@example.org -in:inbox"), vec![c]);
    assert_eq!(ids(&f, "after:1970-01-03 "), vec![b, c]);
    assert_eq!(ids(&f, "before:1970-01-03 "), vec![a]);
    assert_eq!(ids(&f, "from:s2@example.org"), vec![b]);
    for q in [
        "budget",
        "-budget",
        "is:read",
        "cafe -in:sent",
        "in:nowhere",
    ] {
        let n = f.store.search_count(&parse(q).unwrap(), None).unwrap();
        assert_eq!(n, ids(&f, q).len() as u64, "{q}");
    }

    let hits = f
        .store
        .search(&parse("budget").unwrap(), None, 3 * day, 0, 10)
        .unwrap();
    // Same relevance class, the newer first.
    assert_eq!(hits[0].message.id, c);
    assert_eq!(
        hits[0].highlighted_subject,
        format!("Re: {MARK_START}Budget{MARK_END}")
    );
    assert!(hits[0]
        .highlighted_snippet
        .starts_with(&format!("{MARK_START}Budget{MARK_END} approved")));
    assert_eq!(hits[0].source, Source::Local);

    // Markers in mail text are dropped by the index, so they cannot fake a highlight.
    let d = add(
        &f,
        f.inbox,
        4,
        "x\u{2}evil\u{3}",
        "\u{2}evil\u{3} payload",
        4 * day,
    );
    let hit = &f
        .store
        .search(&parse("payload").unwrap(), None, 4 * day, 0, 10)
        .unwrap()[0];
    assert_eq!(hit.message.id, d);
    assert_eq!(hit.highlighted_subject, "xevil");
    assert_eq!(
        hit.highlighted_snippet,
        format!("evil {MARK_START}payload{MARK_END}")
    );
}

#[test]
fn index_follows_deletes_and_rebuilds() {
    let f = fixture();
    let a = add(&f, f.inbox, 1, "Alpha", "kiwi", 100);
    add(&f, f.inbox, 2, "Beta", "mango", 200);
    assert_eq!(ids(&f, "kiwi "), vec![a]);
    f.store.remove_uids(f.inbox, &[1]).unwrap();
    assert!(ids(&f, "kiwi ").is_empty());
    f.store.rebuild_search_index().unwrap();
    assert_eq!(ids(&f, "mango ").len(), 1);
    let ok: i64 = f
        .store
        .write(|c| {
            c.execute(
                "INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)",
                [],
            )?;
            c.query_row("SELECT count(*) FROM search_index", [], |r| r.get(0))
        })
        .unwrap();
    assert_eq!(ok, 1);
}

#[test]
fn any_input_is_a_valid_fts5_query() {
    let f = fixture();
    add(&f, f.inbox, 1, "Alpha beta", "gamma delta", 100);
    for q in [
        "a b",
        "a -b -c",
        "-a -b",
        "from:x subject:\"y z\" w",
        "\"unterminated phrase",
        "a OR b",
        "AND",
        "NOT a",
        "NEAR(a b)",
        "NEAR(",
        "* ^a a*b +c",
        "( ) { } [ ] : ; ' \\",
        "{sender}:x sender:y col:z",
        "-\"a b\" -from:\"c d\"",
        "\"a \"\" b\"",
        "café -zürich is:unread has:attachment after:2020-01-01",
        "東京 ☕ ありがとう",
        "alice@example.org",
        "-",
        "\"",
    ] {
        let r = f.store.search(&parse(q).unwrap(), None, 0, 0, 10);
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    assert_eq!(ids(&f, "gamma delt"), ids(&f, "alpha"));
}

#[test]
fn the_background_indexer_empties_the_queue() {
    let f = fixture();
    let queued = |f: &Fixture| -> i64 {
        f.store
            .read(|c| c.query_row("SELECT count(*) FROM search_pending", [], |r| r.get(0)))
            .unwrap()
    };
    let hs: Vec<_> = (1..=3000u32)
        .map(|i| {
            header(
                i,
                &format!("{i}@q"),
                &[],
                &format!("Kiwi {i}"),
                i64::from(i),
            )
        })
        .collect();
    f.store.insert_headers(f.inbox, &hs).unwrap();
    // Longer than a search indexes by itself: the store's thread does it once inserts pause.
    for _ in 0..200 {
        if queued(&f) == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert_eq!(queued(&f), 0);
    let indexed: i64 = f
        .store
        .read(|c| c.query_row("SELECT count(*) FROM search_index", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(indexed, 3000);
    assert_eq!(ids(&f, "kiwi 2999").len(), 1);
}
