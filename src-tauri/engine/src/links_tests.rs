use super::*;

#[test]
fn schemes_are_read_as_a_browser_would() {
    assert_eq!(scheme_of("  JavaScript:alert(1)"), "javascript");
    assert_eq!(scheme_of("java\tscript:alert(1)"), "javascript");
    assert_eq!(scheme_of("\u{1}\u{2}https://x.example"), "https");
    assert_eq!(scheme_of("/relative:thing"), "");
    assert_eq!(scheme_of("no-scheme"), "");
    assert_eq!(scheme_of("1abc:x"), "");
}

#[test]
fn only_web_and_mail_links_do_anything() {
    for (href, action) in [
        ("https://bank.example/login", LinkAction::Browse),
        ("HTTP://bank.example", LinkAction::Browse),
        ("mailto:bob@x.example", LinkAction::Compose),
        ("javascript:alert(1)", LinkAction::Refuse),
        ("vbscript:msgbox(1)", LinkAction::Refuse),
        ("data:text/html,<script>1</script>", LinkAction::Refuse),
        ("file:///etc/passwd", LinkAction::Refuse),
        ("smb://host/share", LinkAction::Refuse),
        ("ftp://x.example/f", LinkAction::Refuse),
        ("ms-msdt:/id PCWDiagnostic", LinkAction::Refuse),
        ("search-ms:query=x", LinkAction::Refuse),
        ("https:", LinkAction::Refuse),
        ("", LinkAction::Refuse),
    ] {
        assert_eq!(Link::new(href, "click").action, action, "{href}");
    }
}

#[test]
fn text_showing_another_host_is_flagged() {
    let l = Link::new("https://evil.example/login", "https://bank.example/login");
    assert_eq!(
        (l.shown_host.as_str(), l.target_host.as_str()),
        ("bank.example", "evil.example")
    );
    assert_eq!(
        Link::new("https://bank.example.evil.example/", "bank.example").shown_host,
        "bank.example"
    );
    assert_eq!(
        Link::new("https://evil.example/", "www.bank.example/account").shown_host,
        "www.bank.example"
    );
    let m = Link::new("mailto:thief@evil.example", "ceo@corp.example");
    assert_eq!(m.shown_host, "ceo@corp.example");
    assert_eq!(
        Link::new("https://evil.example/", "http://192.0.2.1/").shown_host,
        "192.0.2.1"
    );
}

#[test]
fn honest_links_are_not_flagged() {
    for (href, text) in [
        ("https://www.bank.example/a", "bank.example"),
        ("https://bank.example/a", "https://www.bank.example/b"),
        ("https://bank.example/a", "Log in to your account"),
        ("https://bank.example/a", "Version 3.5"),
        ("https://bank.example/a", "3.5"),
        ("https://bank.example/a", ""),
        ("mailto:bob@x.example", "bob@x.example"),
        ("mailto:bob@x.example", "Write to Bob"),
    ] {
        assert_eq!(Link::new(href, text).shown_host, "", "{href} / {text}");
    }
}

#[test]
fn mailto_keeps_only_recipients_subject_and_body() {
    let m = Mailto::parse(
        "mailto:a@x.example,b@x.example?cc=c@x.example&bcc=spy@evil.example&subject=Hi%20there\
&body=line%201%0D%0Aline%202&attach=/etc/passwd&attachment=file:///home/u/.ssh/id_rsa\
&from=ceo@x.example&X-Mailer=evil&in-reply-to=%3Cx@y%3E",
    )
    .unwrap();
    assert_eq!(m.to, ["a@x.example", "b@x.example"]);
    assert_eq!(m.cc, ["c@x.example"]);
    assert_eq!(m.subject, "Hi there");
    assert_eq!(m.body, "line 1\nline 2");
    let all = serde_json::to_string(&m).unwrap();
    for gone in ["spy@", "passwd", "id_rsa", "ceo@", "evil", "in-reply-to"] {
        assert!(!all.contains(gone), "{gone} in {all}");
    }
}

#[test]
fn mailto_cannot_inject_headers_or_bad_addresses() {
    let m = Mailto::parse(
        "mailto:a@x.example%0D%0ABcc:%20spy@evil.example?subject=x%0D%0ABcc:%20spy@evil.example\
&to=%22Bob%22%20%3Cb@x.example%3E&to=nobody&to=c@x.example",
    )
    .unwrap();
    assert_eq!(m.to, ["c@x.example"]);
    assert!(!m.subject.contains('\n') && !m.subject.contains('\r'));
    assert!(Mailto::parse("https://x.example").is_err());
    assert!(Mailto::parse("javascript:mailto:a@b").is_err());
    // Bad percent escapes and huge input are handled, not fatal.
    let m = Mailto::parse("mailto:%zz@x.example?body=%E2%28%A1%").unwrap();
    assert!(m.body.contains('\u{fffd}'));
    let big = format!("mailto:?body={}", "A".repeat(1_000_000));
    assert_eq!(Mailto::parse(&big).unwrap().body.len(), MAX_BODY);
    let many: Vec<String> = (0..500).map(|i| format!("u{i}@x.example")).collect();
    let m = Mailto::parse(&format!("mailto:{}", many.join(","))).unwrap();
    assert_eq!(m.to.len(), MAX_RECIPIENTS);
}

#[test]
fn percent_decoding_is_byte_safe() {
    // What the UI's encodeURIComponent sends for attachment names (app commands/write.rs).
    assert_eq!(percent_decode("Gr%C3%BC%C3%9Fe%20.txt"), "Grüße .txt");
    assert_eq!(percent_decode("100%"), "100%");
    assert_eq!(percent_decode("a%2"), "a%2");
    // A `%` before a multi-byte character is kept, not sliced through.
    assert_eq!(percent_decode("%é1"), "%é1");
}
