use super::*;

fn text(field: Field, t: &str, prefix: bool) -> Kind {
    Kind::Text {
        field,
        text: t.into(),
        prefix,
    }
}

fn kinds(q: &str) -> Vec<(bool, Kind)> {
    parse(q)
        .unwrap()
        .terms
        .into_iter()
        .map(|t| (t.negated, t.kind))
        .collect()
}

#[test]
fn free_words_last_one_is_a_prefix_while_typing() {
    assert_eq!(
        kinds("quarterly rep"),
        vec![
            (false, text(Field::Any, "quarterly", false)),
            (false, text(Field::Any, "rep", true)),
        ]
    );
    // A space after the last word means it is complete.
    assert_eq!(
        kinds("quarterly report "),
        vec![
            (false, text(Field::Any, "quarterly", false)),
            (false, text(Field::Any, "report", false)),
        ]
    );
}

#[test]
fn phrases_closed_and_open() {
    assert_eq!(
        kinds("\"budget review\" x"),
        vec![
            (false, text(Field::Any, "budget review", false)),
            (false, text(Field::Any, "x", true)),
        ]
    );
    assert_eq!(
        kinds("\"budget review\""),
        vec![(false, text(Field::Any, "budget review", false))]
    );
    assert_eq!(
        kinds("\"budget rev"),
        vec![(false, text(Field::Any, "budget rev", true))]
    );
}

#[test]
fn operators_with_words_and_phrases() {
    assert_eq!(
        kinds("from:alice@example.org To:bob cc:carol subject:\"weekly report\" foo"),
        vec![
            (false, text(Field::From, "alice@example.org", false)),
            (false, text(Field::To, "bob", false)),
            (false, text(Field::Cc, "carol", false)),
            (false, text(Field::Subject, "weekly report", false)),
            (false, text(Field::Any, "foo", true)),
        ]
    );
    assert_eq!(
        kinds("from:\"José Müller\""),
        vec![(false, text(Field::From, "José Müller", false))]
    );
    assert_eq!(
        kinds("from:ali"),
        vec![(false, text(Field::From, "ali", true))]
    );
}

#[test]
fn negation() {
    assert_eq!(
        kinds("invoice -paid -from:bob -\"out of office\" -is:unread"),
        vec![
            (false, text(Field::Any, "invoice", false)),
            (true, text(Field::Any, "paid", false)),
            (true, text(Field::From, "bob", false)),
            (true, text(Field::Any, "out of office", false)),
            (true, Kind::Unread),
        ]
    );
    // A negated last word is not a prefix: excluding "fo*" while typing "-foo" would hide too much.
    assert_eq!(kinds("-fo"), vec![(true, text(Field::Any, "fo", false))]);
    // A lone dash is not a negation and has nothing to find.
    assert_eq!(kinds("a - b"), kinds("a b"));
}

#[test]
fn flags_attachments_folders_accounts() {
    assert_eq!(
        kinds("has:attachment is:unread IS:Read is:starred is:flagged in:Sent account:alice@example.org account:2"),
        vec![
            (false, Kind::HasAttachment),
            (false, Kind::Unread),
            (false, Kind::Read),
            (false, Kind::Starred),
            (false, Kind::Starred),
            (false, Kind::In("Sent".into())),
            (false, Kind::Account("alice@example.org".into())),
            (false, Kind::Account("2".into())),
        ]
    );
    assert_eq!(
        kinds("in:\"Lists/rust users\""),
        vec![(false, Kind::In("Lists/rust users".into()))]
    );
}

#[test]
fn dates_are_utc_days() {
    assert_eq!(
        kinds("after:2025-11-03 before:2025/11/04"),
        vec![
            (false, Kind::After(1_762_128_000)),
            (false, Kind::Before(1_762_214_400)),
        ]
    );
    assert_eq!(kinds("after:1970-01-01"), vec![(false, Kind::After(0))]);
    assert_eq!(
        kinds("before:2024-02-29"),
        vec![(false, Kind::Before(1_709_164_800))]
    );
    for bad in [
        "before:2025-13-01",
        "before:2025-02-29",
        "after:yesterday",
        "after:2025-1",
    ] {
        assert!(parse(bad).is_err(), "{bad} should not parse");
    }
}

#[test]
fn unknown_values_are_errors_unknown_keys_are_text() {
    assert!(parse("is:important").is_err());
    assert!(parse("has:pdf").is_err());
    assert_eq!(
        kinds("re:lunch http://x.org"),
        vec![
            (false, text(Field::Any, "re:lunch", false)),
            (false, text(Field::Any, "http://x.org", true)),
        ]
    );
}

#[test]
fn empty_values_and_punctuation_are_ignored() {
    assert!(parse("").unwrap().is_empty());
    assert!(parse("   ").unwrap().is_empty());
    assert!(parse("from:").unwrap().is_empty());
    assert!(parse("\"\" - ... ☕").unwrap().is_empty());
    assert_eq!(
        kinds("from: bob"),
        vec![(false, text(Field::Any, "bob", true))]
    );
}

#[test]
fn non_ascii_text_is_kept_as_written() {
    assert_eq!(
        kinds("café Zürich"),
        vec![
            (false, text(Field::Any, "café", false)),
            (false, text(Field::Any, "Zürich", true)),
        ]
    );
}
