use super::super::fixture::{fixture, header, Fixture};
use crate::message::{flags, Header};
use std::collections::HashSet;

const DAY: i64 = 86_400;
const T0: i64 = 1_760_000_000;

fn insert(f: &Fixture, folder: i64, h: Header) -> (i64, i64) {
    let ids = f.store.insert_headers(folder, &[h]).unwrap().ids;
    let id = ids[0];
    let m = &f.store.summaries(&[id]).unwrap()[0];
    assert_ne!(m.thread_id, 0, "every inserted message has a thread");
    (id, m.thread_id)
}

#[test]
fn replies_join_their_parent_in_either_order() {
    let f = fixture();
    let (_, a) = insert(&f, f.inbox, header(1, "a@x", &[], "Plans", T0));
    let (_, b) = insert(&f, f.inbox, header(2, "b@x", &["a@x"], "Re: Plans", T0 + 1));
    assert_eq!(a, b);

    // Newest first, as sync inserts: the reply comes before its parent.
    let (_, d) = insert(&f, f.inbox, header(4, "d@x", &["c@x"], "Re: Trip", T0 + 3));
    let (_, c) = insert(&f, f.inbox, header(3, "c@x", &[], "Trip", T0 + 2));
    assert_eq!(c, d);
    assert_ne!(a, c);
}

#[test]
fn a_later_message_merges_threads_it_links() {
    let f = fixture();
    let (_, a) = insert(&f, f.inbox, header(1, "a@x", &[], "Budget", T0));
    // C's References were cut to its missing parent B only: nothing links it to A yet.
    let (cid, c) = insert(
        &f,
        f.inbox,
        header(3, "c@x", &["b@x"], "Re: Budget", T0 + 2),
    );
    assert_ne!(a, c);
    // D names both: A and C's threads are one conversation, under the older id.
    let (_, d) = insert(
        &f,
        f.inbox,
        header(4, "d@x", &["a@x", "b@x", "c@x"], "Re: Budget", T0 + 3),
    );
    assert_eq!(d, a.min(c));
    assert_eq!(f.store.summaries(&[cid]).unwrap()[0].thread_id, d);
    // B itself, arriving last, lands in the merged thread too.
    let (_, b) = insert(
        &f,
        f.inbox,
        header(2, "b@x", &["a@x"], "Re: Budget", T0 + 1),
    );
    assert_eq!(b, d);
    assert_eq!(f.store.thread_messages(d).unwrap().len(), 4);
}

#[test]
fn same_subject_without_references_stays_apart() {
    let f = fixture();
    let (_, a) = insert(&f, f.inbox, header(1, "a@x", &[], "Weekly report", T0));
    let (_, b) = insert(
        &f,
        f.inbox,
        header(2, "b@x", &[], "Weekly report", T0 + DAY),
    );
    let (_, c) = insert(
        &f,
        f.inbox,
        header(3, "c@x", &[], "weekly  REPORT", T0 + 2 * DAY),
    );
    assert_ne!(a, b);
    assert_ne!(b, c);
    assert_ne!(a, c);
}

#[test]
fn a_reply_without_references_joins_by_subject() {
    let f = fixture();
    let (_, old) = insert(&f, f.inbox, header(1, "a@x", &[], "Lunch", T0));
    let (_, new) = insert(&f, f.inbox, header(2, "b@x", &[], "Lunch", T0 + DAY));
    // A mailer that dropped In-Reply-To and References: "Re:" joins the latest "Lunch".
    let (_, r) = insert(
        &f,
        f.inbox,
        header(3, "r@x", &[], "RE: [team] Lunch", T0 + DAY + 1),
    );
    assert_eq!(r, new);
    assert_ne!(r, old);

    // The reply first, its original later: the original joins the reply's thread.
    let (_, r2) = insert(&f, f.inbox, header(5, "r2@x", &[], "Re: Offsite", T0 + 5));
    let (_, o2) = insert(&f, f.inbox, header(4, "o2@x", &[], "Offsite", T0 + 4));
    assert_eq!(r2, o2);
    // But a second original with that subject is a new conversation.
    let (_, o3) = insert(&f, f.inbox, header(6, "o3@x", &[], "Offsite", T0 + 6));
    assert_ne!(o3, o2);
}

#[test]
fn replies_with_references_never_join_by_subject() {
    let f = fixture();
    // Two conversations called "Lunch", synced newest first: each reply arrives before its
    // own original, and must wait for it rather than join the other by subject.
    let (_, r2) = insert(
        &f,
        f.inbox,
        header(4, "r2@x", &["l2@x"], "Re: Lunch", T0 + 40),
    );
    let (_, l2) = insert(&f, f.inbox, header(3, "l2@x", &[], "Lunch", T0 + 30));
    let (_, r1) = insert(
        &f,
        f.inbox,
        header(2, "r1@x", &["l1@x"], "Re: Lunch", T0 + 20),
    );
    let (_, l1) = insert(&f, f.inbox, header(1, "l1@x", &[], "Lunch", T0 + 10));
    assert_eq!(r2, l2);
    assert_eq!(r1, l1);
    assert_ne!(l1, l2);
}

#[test]
fn threads_span_folders_and_summarize() {
    let f = fixture();
    let mut a = header(1, "a@x", &[], "Offer", T0);
    a.flags = flags::SEEN;
    insert(&f, f.inbox, a);
    let mut mine = header(1, "m@x", &["a@x"], "Re: Offer", T0 + 10);
    mine.flags = flags::SEEN;
    mine.from[0].email = "me@example.org".into();
    mine.from[0].name = "Me".into();
    let (mine_id, t) = insert(&f, f.sent, mine);
    let mut b = header(2, "b@x", &["a@x", "m@x"], "Re: Offer", T0 + 20);
    b.from = header(1, "", &[], "", 0).from; // the first sender again
    b.parts[0].attachment = true;
    b.parts[0].filename = "offer.pdf".into();
    let (b_id, tb) = insert(&f, f.inbox, b);
    assert_eq!(t, tb);
    insert(&f, f.inbox, header(3, "z@x", &[], "Other", T0 + 5));

    let list = f.store.threads(&[f.inbox], 0, 10).unwrap();
    assert_eq!(list.len(), 2);
    let s = &list[0];
    assert_eq!(s.id, t);
    assert_eq!(s.subject, "Offer");
    assert_eq!(s.count, 3, "the reply in Sent counts");
    assert_eq!(s.unread, 1);
    assert!(s.has_attachments);
    assert_eq!(s.latest_date, T0 + 20);
    assert_eq!(s.newest, b_id);
    let senders: Vec<&str> = s.senders.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(senders, ["s1@example.org", "me@example.org"]);
    assert_eq!(list[1].subject, "Other");

    let msgs = f.store.thread_messages(t).unwrap();
    assert_eq!(
        msgs.iter().map(|m| m.date).collect::<Vec<_>>(),
        [T0, T0 + 10, T0 + 20]
    );
    assert_eq!(msgs[1].id, mine_id);
    assert_eq!(msgs[1].folder_id, f.sent);
    // Paging.
    assert_eq!(f.store.threads(&[f.inbox], 1, 10).unwrap().len(), 1);
    assert!(f.store.threads(&[], 0, 10).unwrap().is_empty());
    assert_eq!(f.store.thread_count(&[f.inbox]).unwrap(), 2);
    assert_eq!(f.store.thread_count(&[f.sent]).unwrap(), 1);
    assert_eq!(f.store.thread_count(&[]).unwrap(), 0);
}

#[test]
fn a_moved_message_rejoins_and_backfill_rebuilds() {
    let f = fixture();
    let (_, t) = insert(&f, f.inbox, header(1, "a@x", &[], "Move me", T0));
    insert(
        &f,
        f.inbox,
        header(2, "b@x", &["a@x"], "Re: Move me", T0 + 1),
    );
    // Moved to Sent: expunged here, a new UID there; its id still maps to the thread.
    f.store.remove_uids(f.inbox, &[1]).unwrap();
    let (_, again) = insert(&f, f.sent, header(7, "a@x", &[], "Move me", T0));
    assert_eq!(again, t);

    // Rows cached before threading existed are threaded when the cache opens.
    f.store
        .write(|c| {
            c.execute_batch(
                "UPDATE messages SET thread_id = 0;
                 DELETE FROM thread_links; DELETE FROM thread_subjects;",
            )
        })
        .unwrap();
    let n = f.store.write(super::super::threading::backfill).unwrap();
    assert_eq!(n, 2);
    let msgs = f.store.list_many(&[f.inbox, f.sent], 0, 10).unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].thread_id, msgs[1].thread_id);
    assert_ne!(msgs[0].thread_id, 0);
}

#[test]
fn pages_are_in_order_of_latest_activity_in_any_folder() {
    let f = fixture();
    // 40 threads in INBOX; every third has a later reply in Sent, every fifth a second
    // message in INBOX; dates tie in pairs, so ties are broken by thread id.
    for i in 0..40u32 {
        let id = format!("t{i}@x");
        insert(
            &f,
            f.inbox,
            header(
                2 * i + 1,
                &id,
                &[],
                &format!("T{i}"),
                T0 + i64::from(i / 2) * 100,
            ),
        );
        if i % 3 == 0 {
            let reply = format!("r{i}@x");
            let date = T0 + i64::from(39 - i) * 100 + 50;
            insert(&f, f.sent, header(i + 1, &reply, &[&id], "Re", date));
        }
        if i % 5 == 0 {
            let second = format!("s{i}@x");
            let date = T0 + i64::from(i) * 37;
            insert(&f, f.inbox, header(2 * i + 2, &second, &[&id], "Re", date));
        }
    }
    // Older single messages, so that Sent holds under a twentieth of the mail.
    let filler: Vec<Header> = (0..300u32)
        .map(|i| {
            header(
                1000 + i,
                &format!("f{i}@x"),
                &[],
                "Filler",
                T0 - 1000 - i64::from(i),
            )
        })
        .collect();
    f.store.insert_headers(f.inbox, &filler).unwrap();
    // What each folder set's list must be: threads with a message there, by their latest
    // message anywhere, then by id.
    let expect = |folders: &[i64]| -> Vec<i64> {
        let mut threads: Vec<(i64, i64)> = Vec::new();
        let all = f.store.list_many(&[f.inbox, f.sent], 0, 10_000).unwrap();
        for t in all.iter().map(|m| m.thread_id).collect::<HashSet<_>>() {
            let msgs = f.store.thread_messages(t).unwrap();
            if msgs.iter().any(|m| folders.contains(&m.folder_id)) {
                threads.push((msgs.iter().map(|m| m.date).max().unwrap(), t));
            }
        }
        threads.sort_by(|a, b| b.cmp(a));
        threads.into_iter().map(|(_, t)| t).collect()
    };
    // INBOX holds most mail (the walk), Sent little (the sort of its own threads).
    for folders in [vec![f.inbox], vec![f.sent], vec![f.inbox, f.sent]] {
        let want = expect(&folders);
        for (offset, limit) in [(0, 7), (5, 10), (30, 50), (0, 400), (330, 20)] {
            let got: Vec<i64> = f
                .store
                .threads(&folders, offset, limit)
                .unwrap()
                .iter()
                .map(|t| t.id)
                .collect();
            let end = (offset + limit).min(want.len() as u32) as usize;
            let from = (offset as usize).min(end);
            assert_eq!(got, want[from..end], "{folders:?} {offset} {limit}");
        }
        assert_eq!(f.store.thread_count(&folders).unwrap() as usize, want.len());
    }
}
