//! The queueing logic of moves, copies and deletes on a cache without a server: provisional
//! rows, handles, cancelling, settling, undo records.

use super::super::fixture::{fixture, header, Fixture};
use crate::message::MessageId;
use crate::pending::Op;
use crate::store::Place;

/// A fixture with three INBOX messages (UIDs 1-3); returns their ids.
fn three() -> (Fixture, Vec<MessageId>) {
    let f = fixture();
    let hs: Vec<_> = (1..=3)
        .map(|u| {
            header(
                u,
                &format!("m{u}@t"),
                &[],
                &format!("Subject {u}"),
                1000 + u as i64,
            )
        })
        .collect();
    let ids = f.store.insert_headers(f.inbox, &hs).unwrap().ids;
    (f, ids)
}

fn row(f: &Fixture, id: MessageId) -> (i64, u32) {
    let m = &f.store.summaries(&[id]).unwrap()[0];
    (m.folder_id, m.uid)
}

fn ops(f: &Fixture) -> Vec<Op> {
    f.store
        .pending_ops(1)
        .unwrap()
        .into_iter()
        .map(|p| p.op)
        .collect()
}

#[test]
fn a_move_shows_at_once_as_provisional_and_queues_its_handle() {
    let (f, ids) = three();
    let q = f
        .store
        .queue_moves(&[(ids[0], f.sent), (ids[1], f.sent)], false, Some("move"))
        .unwrap();
    assert_eq!(q.ids, ids[..2]);
    assert!(q.undo.is_some());
    assert_eq!(row(&f, ids[0]), (f.sent, 0), "provisional: no UID here yet");
    assert_eq!(f.store.folder(f.inbox).unwrap().total, 1);
    assert_eq!(f.store.folder(f.sent).unwrap().total, 2);
    assert!(
        f.store.uids(f.sent).unwrap().is_empty(),
        "sync does not see provisional rows"
    );
    // The server still has them in INBOX: sync must not fetch those UIDs again.
    let known = f.store.known_uids(f.inbox).unwrap();
    assert!(known.contains(&1) && known.contains(&2) && known.contains(&3));
    let queued = ops(&f);
    assert!(
        matches!(&queued[..], [Op::Move { to, handles, .. }] if to == "Sent" && handles.len() == 2)
    );
    assert_eq!(q.touched.queues.len(), 1);
    assert_eq!(q.touched.removed.values().flatten().count(), 2);
    assert_eq!(q.touched.added.values().flatten().count(), 2);
}

#[test]
fn moving_back_before_replay_cancels_and_restores_the_uid() {
    let (f, ids) = three();
    f.store
        .queue_moves(&[(ids[0], f.sent)], false, Some("move"))
        .unwrap();
    f.store
        .queue_moves(&[(ids[0], f.inbox)], false, None)
        .unwrap();
    assert_eq!(row(&f, ids[0]), (f.inbox, 1));
    assert!(ops(&f).is_empty(), "nothing left for the server");
    assert_eq!(f.store.folder(f.sent).unwrap().total, 0);
}

#[test]
fn moving_back_once_the_move_started_queues_a_move_back() {
    let (f, ids) = three();
    f.store
        .queue_moves(&[(ids[0], f.sent)], false, None)
        .unwrap();
    let first = f.store.pending_ops(1).unwrap()[0].id;
    f.store.start_op(first).unwrap().unwrap();
    f.store
        .queue_moves(&[(ids[0], f.inbox)], false, None)
        .unwrap();
    assert_eq!(row(&f, ids[0]), (f.inbox, 0));
    assert_eq!(ops(&f).len(), 2);
    // The server did the first move (UID 7 in Sent), then the second (UID 4 in INBOX).
    let h = match &ops(&f)[1] {
        Op::Move { handles, .. } => handles[0],
        o => panic!("{o:?}"),
    };
    let place = |folder: &str, uid| Place {
        account: 1,
        folder: folder.into(),
        uidvalidity: 0,
        uid,
    };
    f.store
        .place_handles(&[(h, Some(place("Sent", 7)))])
        .unwrap();
    f.store.complete_op(first, None).unwrap();
    assert_eq!(row(&f, ids[0]), (f.inbox, 0), "a later move still uses it");
    let second = f.store.pending_ops(1).unwrap()[0].id;
    f.store
        .place_handles(&[(h, Some(place("INBOX", 4)))])
        .unwrap();
    let (t, failed) = f.store.complete_op(second, None).unwrap();
    assert_eq!(failed, None);
    assert_eq!(row(&f, ids[0]), (f.inbox, 4), "settled with its new UID");
    assert!(t.messages.values().flatten().any(|m| *m == ids[0]));
}

#[test]
fn flags_on_a_provisional_row_go_by_handle_and_survive_a_cancel() {
    let (f, ids) = three();
    f.store
        .queue_moves(&[(ids[0], f.sent)], false, None)
        .unwrap();
    f.store
        .queue_flags(&[ids[0]], crate::message::flags::FLAGGED, 0)
        .unwrap();
    assert!(
        matches!(&ops(&f)[1], Op::Flags { uids, handles, .. } if uids.is_empty() && handles.len() == 1)
    );
    f.store
        .queue_moves(&[(ids[0], f.inbox)], false, None)
        .unwrap();
    // The move is cancelled; the flag change still waits, so the row settles after it.
    let left = f.store.pending_ops(1).unwrap();
    assert!(matches!(&left[..], [p] if matches!(p.op, Op::Flags { .. })));
    assert_eq!(row(&f, ids[0]), (f.inbox, 0));
    f.store.complete_op(left[0].id, None).unwrap();
    assert_eq!(row(&f, ids[0]), (f.inbox, 1));
}

#[test]
fn deleting_a_copy_not_yet_made_cancels_it() {
    let (f, ids) = three();
    let q = f
        .store
        .queue_moves(&[(ids[0], f.sent)], true, None)
        .unwrap();
    let copy = q.ids[0];
    assert_ne!(copy, ids[0]);
    assert_eq!(row(&f, copy), (f.sent, 0));
    assert_eq!(row(&f, ids[0]), (f.inbox, 1), "the original stays");
    f.store.queue_expunge(&[copy]).unwrap();
    assert!(ops(&f).is_empty());
    assert!(f.store.summaries(&[copy]).unwrap().is_empty());
    assert_eq!(row(&f, ids[0]), (f.inbox, 1), "the original settled back");
}

#[test]
fn a_refused_move_settles_back_and_is_kept_for_the_user() {
    let (f, ids) = three();
    f.store
        .queue_moves(&[(ids[1], f.sent)], false, None)
        .unwrap();
    let op = f.store.pending_ops(1).unwrap()[0].id;
    let e = crate::Error::new(crate::ErrorKind::Refused, "no such folder");
    let (t, failed) = f.store.complete_op(op, Some(&e)).unwrap();
    assert_eq!(row(&f, ids[1]), (f.inbox, 2));
    let failures = f.store.failed_ops(Some(1)).unwrap();
    assert_eq!(failures[0].id, failed.unwrap());
    assert_eq!(failures[0].description, "Moving 1 message to Sent");
    assert!(t.added.contains_key(&(1, f.inbox)));
    assert!(f.store.needs_rescan(f.inbox).unwrap());
}

#[test]
fn only_the_last_action_can_be_undone_and_only_once() {
    let (f, ids) = three();
    let a = f
        .store
        .queue_moves(&[(ids[0], f.sent)], false, Some("move"))
        .unwrap();
    let b = f
        .store
        .queue_moves(&[(ids[1], f.sent)], false, Some("delete"))
        .unwrap();
    assert!(f.store.take_undo(a.undo.unwrap()).is_err());
    let r = f.store.take_undo(b.undo.unwrap()).unwrap();
    assert_eq!(
        (r.kind.as_str(), r.items),
        ("delete", vec![(ids[1], f.inbox)])
    );
    assert!(f.store.take_undo(b.undo.unwrap()).is_err());
    assert!(f.store.last_undo().unwrap().is_none());
}
