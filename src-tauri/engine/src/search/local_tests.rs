use super::*;
use crate::message::flags;
use crate::search::{parse, MARK_END, MARK_START};
use crate::store::fixture::{fixture, header, Fixture};

fn no_folders(_: &Kind) -> Vec<FolderId> {
    Vec::new()
}

fn no_words(_: &str) -> Option<Words> {
    None
}

fn plan_of(q: &str) -> Plan {
    plan(&parse(q).unwrap(), &no_folders, &no_words, None)
}

/// A folder's facet, as plans spell it.
fn folder(id: i64) -> String {
    format!("\"{FACET}folder{id}\"")
}

#[test]
fn text_terms_become_one_quoted_match_expression() {
    let p = plan_of("from:alice \"budget review\" rep");
    assert_eq!(
        p.matches.unwrap(),
        "(sender : \"alice\") AND (\"budget review\") AND (\"rep\"*)"
    );
    assert!(p.conditions.is_empty());
    // Every text phrase without a field is counted for ranking when there are several
    // (search/rank.rs).
    assert_eq!(p.uncounted, 0b1);
    assert_eq!(plan_of("budget").uncounted, 0b1);
    // FTS5 syntax in the input is only text.
    let p = plan_of("a OR b NEAR(c) \"x\"\"y\" col:zz");
    assert_eq!(
        p.matches.unwrap(),
        [
            "\"a\"",
            "\"OR\"",
            "\"b\"",
            "\"NEAR(c)\"",
            "\"x\"",
            "\"y\"",
            "\"col:zz\"*"
        ]
        .map(|q| format!("({q})"))
        .join(" AND ")
    );
}

#[test]
fn a_single_letter_being_typed_does_not_narrow_yet() {
    assert_eq!(plan_of("d"), Plan::default());
    assert_eq!(plan_of("from:d"), Plan::default());
    let p = plan_of("budget r");
    assert_eq!(p.matches.unwrap(), "(\"budget\")");
    assert_eq!(p.uncounted, 0b1);
    // In an unfinished phrase the words before it are complete.
    let p = plan_of("\"budget r");
    assert_eq!(p.matches.unwrap(), "(\"budget \")");
    // Two letters, a finished word, and a letter of a script without an alphabet do narrow.
    assert_eq!(plan_of("re").matches.unwrap(), "(\"re\"*)");
    assert_eq!(plan_of("r ").matches.unwrap(), "(\"r\")");
    assert_eq!(plan_of("東").matches.unwrap(), "(\"東\"*)");
}

#[test]
fn with_text_folders_and_attachments_are_facets() {
    let folders = |k: &Kind| match k {
        Kind::In(n) if n == "sent" => vec![4, 9],
        Kind::In(n) if n == "trash" => vec![5],
        _ => vec![],
    };
    let p = plan(
        &parse("budget in:sent -in:trash has:attachment is:unread after:1970-01-02 rev").unwrap(),
        &folders,
        &no_words,
        Some(3),
    );
    assert_eq!(
        p.matches.unwrap(),
        format!(
            "((\"budget\") AND (\"rev\"*) AND (facets : ({})) AND (facets : ({} OR {})) \
             AND (facets : \"{FACET}attachment\")) NOT (facets : ({}))",
            folder(3),
            folder(4),
            folder(9),
            folder(5)
        )
    );
    // Phrases: budget, rev*, folder3, folder4, folder9, attachment, folder5.
    assert_eq!(p.uncounted, 0b1111100);
    let sql: Vec<&str> = p.conditions.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        sql,
        [
            "(m.flags & 1) = 0",
            "(CASE WHEN m.date <> 0 THEN m.date ELSE m.internal_date END) >= ?"
        ]
    );
    assert_eq!(p.min_doc, Some(86_400));
}

#[test]
fn negation_uses_not_or_an_exclusion() {
    let p = plan_of("invoice -paid -subject:draft");
    assert_eq!(
        p.matches.unwrap(),
        "((\"invoice\")) NOT (\"paid\") NOT (subject : \"draft\")"
    );
    assert_eq!(p.uncounted, 0b111);
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
        &no_words,
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

#[test]
fn a_broad_query_ranks_its_newest_matches_then_lists_older_ones() {
    let f = fixture();
    let day = 86_400;
    let n = RANKED + 100;
    // Every message has "kiwi" in its body; the oldest also in its subject, which would win
    // on relevance if every match were ranked.
    let headers: Vec<_> = (1..=n)
        .map(|i| {
            let subject = if i == 1 { "Kiwi kiwi" } else { "Fruit" };
            let mut h = header(i, &format!("{i}@k"), &[], subject, i64::from(i) * day);
            h.flags = flags::SEEN;
            h
        })
        .collect();
    f.store.insert_headers(f.inbox, &headers).unwrap();
    let bodies: Vec<(u32, Vec<u8>)> = (1..=n)
        .map(|i| {
            (
                i,
                format!("Subject: x\r\n\r\nkiwi number {i}\r\n").into_bytes(),
            )
        })
        .collect();
    f.store.store_bodies(f.inbox, &bodies).unwrap();
    let now = i64::from(n) * day;
    let page = |offset, limit| -> Vec<u32> {
        f.store
            .search(&parse("kiwi ").unwrap(), None, now, offset, limit)
            .unwrap()
            .iter()
            .map(|h| h.message.uid)
            .collect()
    };
    assert_eq!(
        f.store
            .search_count(&parse("kiwi ").unwrap(), None)
            .unwrap(),
        u64::from(n)
    );
    // Equal relevance: the newest first, all from the ranked window.
    assert_eq!(page(0, 3), [n, n - 1, n - 2]);
    // Pages fit together: every match exactly once, the window then the rest by date.
    let mut all = Vec::new();
    for k in 0..(n / 70 + 1) {
        all.extend(page(k * 70, 70));
    }
    assert_eq!(all.len(), n as usize);
    let older: Vec<u32> = (1..=n - RANKED).rev().collect();
    assert_eq!(all[RANKED as usize..], older[..]);
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), n as usize);
    // The old message with kiwi in its subject: first when it is among few matches.
    let hits = f
        .store
        .search(&parse("kiwi number 1 ").unwrap(), None, now, 0, 5)
        .unwrap();
    assert_eq!(hits[0].message.uid, 1);
    assert_eq!(
        hits[0].highlighted_subject,
        format!("{MARK_START}Kiwi{MARK_END} {MARK_START}kiwi{MARK_END}")
    );
}

#[test]
fn messages_with_the_same_date_get_their_own_keys() {
    let f = fixture();
    let headers: Vec<_> = (1..=5)
        .map(|i| header(i, &format!("{i}@d"), &[], "Same second", 1_000))
        .chain([header(6, "6@d", &[], "Next second", 1_001)])
        .collect();
    f.store.insert_headers(f.inbox, &headers).unwrap();
    f.store
        .insert_headers(f.sent, &[header(1, "1@d", &[], "Same second", 1_000)])
        .unwrap();
    assert_eq!(ids(&f, "second").len(), 7);
    let keys: Vec<i64> = f
        .store
        .read(|c| {
            let mut s = c.prepare("SELECT doc FROM search_docs ORDER BY doc")?;
            let rows = s.query_map([], |r| r.get(0))?.collect();
            rows
        })
        .unwrap();
    assert_eq!(keys, (1_000..1_007).collect::<Vec<i64>>());
}

#[test]
fn facets_filter_text_queries_by_folder_and_attachment() {
    let f = fixture();
    let a = add(&f, f.inbox, 1, "Plum", "plum tart", 100);
    let b = add(&f, f.sent, 2, "Plum", "plum jam", 200);
    let mut h = header(3, "3@t", &[], "Plum pie", 300);
    h.parts.push(crate::message::MimePart {
        section: "2".into(),
        mime: "application/pdf".into(),
        filename: "recipe.pdf".into(),
        attachment: true,
        ..Default::default()
    });
    let c = f.store.insert_headers(f.inbox, &[h]).unwrap().ids[0];
    assert_eq!(ids(&f, "plum"), vec![a, b, c]);
    assert_eq!(ids(&f, "plum in:sent"), vec![b]);
    assert_eq!(ids(&f, "plum -in:sent"), vec![a, c]);
    assert_eq!(ids(&f, "plum has:attachment"), vec![c]);
    assert_eq!(ids(&f, "plum -has:attachment"), vec![a, b]);
    assert_eq!(ids(&f, "recipe"), vec![c]);
    // Facets are not text: a folder's token matches nothing as a word.
    assert!(ids(&f, &format!("folder{}", f.inbox)).is_empty());
    assert!(ids(&f, &format!("{FACET}folder{} ", f.inbox)).is_empty());
    assert!(ids(&f, "attachment").is_empty());
    let scoped = f
        .store
        .search(&parse("plum").unwrap(), Some(f.sent), 0, 0, 10)
        .unwrap();
    assert_eq!(scoped.len(), 1);
    assert_eq!(
        f.store
            .search_count(&parse("plum -has:attachment").unwrap(), Some(f.inbox))
            .unwrap(),
        1
    );
}

#[test]
fn a_moved_message_is_found_in_its_new_folder() {
    let f = fixture();
    let a = add(&f, f.inbox, 1, "Quince", "quince paste", 100);
    assert_eq!(ids(&f, "quince in:sent"), Vec::<i64>::new());
    // A move keeps the row and changes its folder (store/actions.rs).
    f.store
        .write(|c| {
            c.execute(
                "UPDATE messages SET folder_id = ?2, uid = -id WHERE id = ?1",
                (a, f.sent),
            )
        })
        .unwrap();
    assert_eq!(ids(&f, "quince in:sent"), vec![a]);
    assert_eq!(ids(&f, "quince -in:sent"), Vec::<i64>::new());
}

#[test]
fn a_body_removed_alone_leaves_the_index() {
    let f = fixture();
    let a = add(&f, f.inbox, 1, "Quince", "quince marmalade", 100);
    assert_eq!(ids(&f, "marmalade"), vec![a]);
    f.store
        .write(|c| c.execute("DELETE FROM bodies WHERE message_id = ?1", [a]))
        .unwrap();
    assert!(ids(&f, "marmalade").is_empty());
    assert_eq!(ids(&f, "quince"), vec![a]);
    // A header change re-indexes the message under the same key.
    f.store
        .write(|c| c.execute("UPDATE messages SET subject = 'Medlar' WHERE id = ?1", [a]))
        .unwrap();
    assert!(ids(&f, "quince").is_empty());
    assert_eq!(ids(&f, "medlar"), vec![a]);
}

#[test]
fn a_folder_filter_naming_all_mail_filters_nothing() {
    let f = fixture();
    let a = add(&f, f.inbox, 1, "Plum", "plum tart", 100);
    let b = add(&f, f.inbox, 2, "Pear", "pear tart", 200);
    // All mail is in INBOX: these filters are left out of the plan, with the same results.
    for q in [
        "tart in:inbox",
        "tart account:me@example.org",
        "tart -in:sent",
        "tart",
    ] {
        assert_eq!(ids(&f, q), vec![a, b], "{q}");
        let n = f.store.search_count(&parse(q).unwrap(), None).unwrap();
        assert_eq!(n, 2, "{q}");
    }
    assert_eq!(ids(&f, "in:inbox"), vec![a, b]);
    assert!(ids(&f, "tart in:sent").is_empty());
    let scoped = |folder| {
        f.store
            .search_count(&parse("tart").unwrap(), Some(folder))
            .unwrap()
    };
    assert_eq!((scoped(f.inbox), scoped(f.sent)), (2, 0));
}

#[test]
fn a_word_being_typed_becomes_the_words_it_may_become() {
    let words = |prefix: &str| match prefix {
        "quart" => Some(vec![
            ("quarter".to_string(), 70),
            ("quarterly".to_string(), 30),
        ]),
        "nothing" => Some(vec![]),
        _ => None,
    };
    let p = plan(&parse("budget quart").unwrap(), &no_folders, &words, None);
    assert_eq!(
        p.matches.unwrap(),
        "(\"budget\") AND ((\"quarter\" OR \"quarterly\"))"
    );
    assert_eq!(p.uncounted, 0);
    // The words weigh as the prefix would: as common as all of them together.
    assert_eq!(p.docs, [-1, 100, 100]);
    // Highlighting still looks for the prefix.
    assert_eq!(p.marks.unwrap(), "(\"budget\") OR (\"quart\"*)");
    // No words (or too many): FTS5 takes the prefix itself.
    let p = plan(&parse("nothing").unwrap(), &no_folders, &words, None);
    assert_eq!(p.matches.unwrap(), "(\"nothing\"*)");
    let p = plan(&parse("from:quart").unwrap(), &no_folders, &words, None);
    assert_eq!(
        p.matches.unwrap(),
        "(sender : (\"quarter\" OR \"quarterly\"))"
    );
}

#[test]
fn typed_words_find_new_words_after_a_write() {
    let f = fixture();
    let a = add(&f, f.inbox, 1, "Quarter", "the quarter ends", 100);
    let b = add(&f, f.inbox, 2, "Quarterly", "quarterly numbers", 200);
    let c = add(&f, f.inbox, 3, "Quartet", "string quartet", 300);
    assert_eq!(ids(&f, "quar"), vec![a, b, c]);
    assert_eq!(ids(&f, "quarte"), vec![a, b, c]);
    assert_eq!(ids(&f, "quarter"), vec![a, b]);
    assert_eq!(ids(&f, "QUARTERL"), vec![b]);
    // A word the last lookup did not know.
    let d = add(&f, f.inbox, 4, "Clock", "a quartz clock", 400);
    assert_eq!(ids(&f, "quart"), vec![a, b, c, d]);
    let hits = f
        .store
        .search(&parse("quarte").unwrap(), None, 400, 0, 10)
        .unwrap();
    let b_hit = hits.iter().find(|h| h.message.id == b).unwrap();
    assert_eq!(
        b_hit.highlighted_subject,
        format!("{MARK_START}Quarterly{MARK_END}")
    );
    assert_eq!(
        b_hit.highlighted_snippet,
        format!("{MARK_START}quarterly{MARK_END} numbers")
    );
}
