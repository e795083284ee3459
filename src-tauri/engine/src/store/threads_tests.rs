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
fn merged_threads_are_found_through_any_of_their_ids() {
    let f = fixture();
    let (_, a) = insert(&f, f.inbox, header(1, "a@x", &[], "One", T0));
    // x and z wait for missing parents y and y2: two more conversations.
    let (_, tx) = insert(&f, f.inbox, header(2, "x@x", &["y@x"], "Re: Two", T0 + 1));
    let (_, tz) = insert(&f, f.inbox, header(3, "z@x", &["y2@x"], "Re: Two", T0 + 2));
    assert!(a < tx && tx < tz);
    // w names both missing parents: z's conversation goes into x's.
    let (_, w) = insert(
        &f,
        f.inbox,
        header(4, "w@x", &["y@x", "y2@x"], "Re: Two", T0 + 3),
    );
    assert_eq!(w, tx);
    // v names a and y2 (whose link still says z's old thread): all of it goes into a's.
    let (_, v) = insert(
        &f,
        f.inbox,
        header(5, "v@x", &["a@x", "y2@x"], "Re: One", T0 + 4),
    );
    assert_eq!(v, a);
    // Each id leads to a's conversation, through one redirect or two.
    for (uid, refs) in [(6, "y@x"), (7, "y2@x"), (8, "z@x"), (9, "x@x")] {
        let (_, t) = insert(
            &f,
            f.inbox,
            header(uid, &format!("{uid}@x"), &[refs], "Re: Two", T0 + 10),
        );
        assert_eq!(t, a, "through {refs}");
    }
    // The missing parent itself, arriving last.
    let (_, y2) = insert(&f, f.inbox, header(10, "y2@x", &[], "Two", T0));
    assert_eq!(y2, a);
    assert_eq!(f.store.thread_messages(a).unwrap().len(), 10);
    assert!(f.store.thread_messages(tz).unwrap().is_empty());
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
fn a_moved_message_rejoins_and_old_rows_are_threaded() {
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

    // Rows cached before threading existed (migration 3 leaves them at thread 0) are
    // threaded like a bulk insert.
    f.store
        .write(|c| {
            c.execute_batch(
                "UPDATE messages SET thread_id = 0;
                 DELETE FROM thread_links; DELETE FROM thread_subjects;
                 DELETE FROM thread_merges;",
            )
        })
        .unwrap();
    f.store.catch_up_threads().unwrap();
    let msgs = f.store.list_many(&[f.inbox, f.sent], 0, 10).unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].thread_id, msgs[1].thread_id);
    assert!(msgs[0].thread_id > 0);
}

/// Conversations of the shapes the rules cover, `n` of them, in the order sync inserts
/// mail (folder by folder, newest first): a root, a reply, a reply whose References name
/// only its parent, a reply to a message the mailbox never got, a reply without references,
/// and the root's copy in Sent (the same Message-ID).
fn conversations(f: &Fixture, n: u32) -> Vec<(i64, Header)> {
    let mut out = Vec::new();
    for k in 0..n {
        let t = T0 + i64::from(k) * DAY;
        let (root, a, b) = (format!("r{k}@x"), format!("a{k}@x"), format!("b{k}@x"));
        let topic = format!("Topic {k}");
        let re = format!("Re: Topic {k}");
        let uid = 10 * k;
        out.push((f.inbox, header(uid + 1, &root, &[], &topic, t)));
        out.push((f.inbox, header(uid + 2, &a, &[&root], &re, t + 1)));
        out.push((f.inbox, header(uid + 3, &b, &[&a], &re, t + 2)));
        if k % 3 == 0 {
            let lost = format!("lost{k}@x");
            out.push((
                f.inbox,
                header(uid + 4, &format!("c{k}@x"), &[&lost], &re, t + 3),
            ));
        }
        if k % 5 == 0 {
            out.push((
                f.inbox,
                header(uid + 5, &format!("s{k}@x"), &[], &re, t + 4),
            ));
        }
        if k % 7 == 0 {
            out.push((f.sent, header(uid + 6, &root, &[], &topic, t)));
        }
    }
    out.reverse();
    out.sort_by_key(|(folder, _)| *folder != f.inbox);
    out
}

/// How many conversations [`conversations`] makes: one each, plus the reply to a lost
/// message (k % 3 == 0), plus the reply without references (k % 5 == 0), which arrives
/// before the replies naming the root and so stays apart.
fn expected(n: u32) -> u32 {
    n + n.div_ceil(3) + n.div_ceil(5)
}

/// Inserts `(folder, header)`s in batches of `batch`, keeping the order.
fn insert_all(f: &Fixture, all: &[(i64, Header)], batch: usize) {
    for run in all.chunk_by(|x, y| x.0 == y.0) {
        for part in run.chunks(batch) {
            let headers: Vec<Header> = part.iter().map(|(_, h)| h.clone()).collect();
            f.store.insert_headers(run[0].0, &headers).unwrap();
        }
    }
}

/// A message by (folder, uid).
type Place = (i64, u32);
/// Every message's (folder, uid, thread), and each conversation's messages.
type Partition = (Vec<(i64, u32, i64)>, Vec<Vec<Place>>);

/// Every message's (folder, uid) with its thread, and the conversations as sets of them.
fn partition(f: &Fixture) -> Partition {
    let mut all: Vec<(i64, u32, i64)> = f
        .store
        .list_many(&[f.inbox, f.sent], 0, 100_000)
        .unwrap()
        .iter()
        .map(|m| (m.folder_id, m.uid, m.thread_id))
        .collect();
    all.sort();
    let mut threads: std::collections::BTreeMap<i64, Vec<Place>> = Default::default();
    for (folder, uid, t) in &all {
        threads.entry(*t).or_default().push((*folder, *uid));
    }
    (all, threads.into_values().collect())
}

#[test]
fn a_bulk_insert_is_threaded_later_as_if_inserted_one_by_one() {
    use super::super::threading::{INLINE_MAX, READ_CATCH_UP};
    let bulk = fixture();
    let small = fixture();
    let n = 400;
    let mail = conversations(&bulk, n);
    assert!(mail.len() > INLINE_MAX && mail.len() <= READ_CATCH_UP);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    bulk.store
        .on_changed(move |b| sink.lock().unwrap().extend_from_slice(b));
    let _held = bulk.store.pause_background();

    insert_all(&bulk, &mail, mail.len());
    // Not threaded yet: each message is a conversation of its own, by the negative id.
    let waiting = bulk
        .store
        .list_many(&[bulk.inbox, bulk.sent], 0, 10)
        .unwrap();
    assert!(waiting.iter().all(|m| m.thread_id == -m.id), "{waiting:?}");
    let one = bulk.store.messages_of(waiting[0].thread_id).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].id, waiting[0].id);

    // Reading conversations threads a short queue first.
    let list = bulk.store.threads(&[bulk.inbox], 0, 5).unwrap();
    assert!(list.iter().all(|t| t.id > 0));
    // The newest: the reply to a lost message, then the root's conversation with its copy.
    let last = n - 1;
    assert_eq!(
        (list[0].subject.as_str(), list[0].count),
        (format!("Re: Topic {last}").as_str(), 1)
    );
    assert_eq!(
        (list[1].subject.clone(), list[1].count),
        (format!("Topic {last}"), 4)
    );
    // A message's id from before still finds its conversation.
    let root = waiting
        .iter()
        .find(|m| m.subject == format!("Topic {last}"))
        .unwrap();
    assert_eq!(bulk.store.thread_messages(root.thread_id).unwrap().len(), 4);

    insert_all(&small, &conversations(&small, n), 50);
    let (all_bulk, threads_bulk) = partition(&bulk);
    let (all_small, threads_small) = partition(&small);
    assert!(all_small.iter().all(|(.., t)| *t > 0));
    assert_eq!(threads_bulk, threads_small);
    // Inserted in the same order, they even get the same ids.
    assert_eq!(all_bulk, all_small);
    assert_eq!(threads_small.len() as u32, expected(n));

    let mut told: Vec<i64> = seen
        .lock()
        .unwrap()
        .iter()
        .flat_map(|b| b.ids.clone())
        .collect();
    told.sort();
    let mut ids: Vec<i64> = bulk
        .store
        .list_many(&[bulk.inbox, bulk.sent], 0, 100_000)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    ids.sort();
    assert_eq!(told, ids, "every message threaded later is announced");
}

#[test]
fn a_long_queue_lists_single_messages_until_threaded() {
    use super::super::threading::READ_CATCH_UP;
    let f = fixture();
    let held = f.store.pause_background();
    let n = 700;
    let mail = conversations(&f, n);
    assert!(mail.len() > READ_CATCH_UP);
    insert_all(&f, &mail, 5000);
    let inbox = mail.iter().filter(|(folder, _)| *folder == f.inbox).count() as u32;
    // Too many to thread on a read: every message is listed alone, newest first.
    assert_eq!(f.store.thread_count(&[f.inbox]).unwrap(), inbox);
    let list = f.store.threads(&[f.inbox], 0, 3).unwrap();
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|t| t.id < 0 && t.count == 1));
    assert_eq!(list[0].newest, -list[0].id);
    assert!(list[0].latest_date >= list[1].latest_date);
    assert_eq!(f.store.thread_messages(list[0].id).unwrap().len(), 1);

    // The background thread does it once the sync lets go of it.
    drop(held);
    let start = std::time::Instant::now();
    while f.store.thread_count(&[f.inbox]).unwrap() == inbox {
        assert!(start.elapsed().as_secs() < 30, "never threaded");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    f.store.catch_up_threads().unwrap();
    assert_eq!(f.store.thread_count(&[f.inbox]).unwrap(), expected(n));
    // A listed id from before still finds the message's conversation (root, a, b).
    let t = f.store.thread_messages(list[1].id).unwrap();
    assert_eq!(t.len(), 3);
    assert!(t
        .iter()
        .all(|m| m.thread_id == t[0].thread_id && m.thread_id > 0));
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
