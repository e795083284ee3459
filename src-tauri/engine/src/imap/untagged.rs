//! What the engine takes from the server's untagged responses (STATUS, SELECT, SEARCH, flag
//! FETCHes, VANISHED, COPYUID): pure functions over parsed responses, so they are tested and
//! fuzzed without a server. The server is not trusted: numbers and ranges are bounded here.

use super::ops::{FlagRow, MailboxState};
use super::raw::Code;
use crate::message::flags;
use async_imap::imap_proto::{
    AttributeValue, MailboxDatum, Response, ResponseCode, Status, StatusAttribute,
};
use std::ops::RangeInclusive;

/// Takes what a STATUS response says (RFC 3501 §7.2.4; HIGHESTMODSEQ, RFC 7162 §3.1.2.1).
pub fn status_into(r: &Response<'_>, st: &mut MailboxState) {
    if let Response::MailboxData(MailboxDatum::Status { status, .. }) = r {
        for a in status {
            match a {
                StatusAttribute::Messages(n) => st.exists = *n,
                StatusAttribute::UidNext(n) => st.uidnext = *n,
                StatusAttribute::UidValidity(n) => st.uidvalidity = *n,
                StatusAttribute::HighestModSeq(n) => st.highestmodseq = *n,
                _ => {}
            }
        }
    }
}

/// Takes what the untagged replies to SELECT say (RFC 3501 §6.3.1: EXISTS and the
/// UIDVALIDITY / UIDNEXT codes; HIGHESTMODSEQ, RFC 7162 §3.1.2.1).
pub fn select_into(r: &Response<'_>, st: &mut MailboxState) {
    match r {
        Response::MailboxData(MailboxDatum::Exists(n)) => st.exists = *n,
        Response::Data {
            status: Status::Ok,
            outcome,
        } => match outcome.code {
            Some(ResponseCode::UidValidity(v)) => st.uidvalidity = v,
            Some(ResponseCode::UidNext(v)) => st.uidnext = v,
            Some(ResponseCode::HighestModSeq(v)) => st.highestmodseq = v,
            _ => {}
        },
        _ => {}
    }
}

/// Adds the UIDs of a SEARCH response (RFC 3501 §7.2.5).
pub fn search_into(r: &Response<'_>, uids: &mut Vec<u32>) {
    if let Response::MailboxData(MailboxDatum::Search(v)) = r {
        uids.extend_from_slice(v);
    }
}

/// A flag row from an untagged FETCH of `(UID FLAGS [MODSEQ])`, if it names a UID at or
/// below `max_uid` (a server may report other messages unasked, RFC 3501 §7.4.2).
pub fn flag_row(r: &Response<'_>, max_uid: u32) -> Option<FlagRow> {
    let Response::Fetch(_, attrs) = r else {
        return None;
    };
    let mut uid = None;
    let mut bits = 0;
    let mut kw = Vec::new();
    let mut modseq = 0;
    for a in attrs {
        match a {
            AttributeValue::Uid(u) => uid = Some(*u),
            AttributeValue::ModSeq(m) => modseq = *m,
            AttributeValue::Flags(fl) => {
                for f in fl {
                    match flags::bit(f) {
                        Some(b) => bits |= b,
                        None if f.eq_ignore_ascii_case("\\Recent") => {}
                        None => kw.push(f.to_string()),
                    }
                }
            }
            _ => {}
        }
    }
    let uid = uid.filter(|u| *u <= max_uid)?;
    kw.sort();
    Some((uid, bits, kw.join(" "), modseq))
}

/// The UIDs a VANISHED response (RFC 7162 §3.2.10) names, at or below `max_uid`. A server
/// may name UIDs that never existed (§3.2.6), so only those the cache can hold are kept:
/// `VANISHED 1:4294967295` costs nothing instead of sixteen gigabytes.
pub fn vanished(r: &Response<'_>, max_uid: u32) -> Option<Vec<u32>> {
    match r {
        Response::Vanished { uids, .. } => Some(expand_upto(uids, max_uid)),
        _ => None,
    }
}

/// The COPYUID code of an untagged OK (RFC 6851 §4.3: MOVE sends it before the expunges).
pub fn copyuid(r: &Response<'_>) -> Option<Code> {
    match r {
        Response::Data {
            status: Status::Ok,
            outcome,
        } => match Code::of(outcome.code.as_ref()) {
            c @ Code::CopyUid { .. } => Some(c),
            _ => None,
        },
        _ => None,
    }
}

/// Expands ranges into UIDs no greater than `max`, in order.
pub fn expand_upto(ranges: &[RangeInclusive<u32>], max: u32) -> Vec<u32> {
    ranges
        .iter()
        .filter(|r| *r.start() <= max)
        .flat_map(|r| *r.start()..=(*r.end()).min(max))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &[u8]) -> Response<'_> {
        Response::parse(line).expect("parses").1
    }

    #[test]
    fn status_and_select_fill_the_state() {
        let mut st = MailboxState::default();
        status_into(
            &parsed(b"* STATUS INBOX (MESSAGES 3 UIDNEXT 9 UIDVALIDITY 7 HIGHESTMODSEQ 11)\r\n"),
            &mut st,
        );
        assert_eq!((st.exists, st.uidnext, st.uidvalidity), (3, 9, 7));
        assert_eq!(st.highestmodseq, 11);
        let mut st = MailboxState::default();
        for l in [
            &b"* 4 EXISTS\r\n"[..],
            b"* OK [UIDVALIDITY 5] ok\r\n",
            b"* OK [UIDNEXT 6] ok\r\n",
        ] {
            select_into(&parsed(l), &mut st);
        }
        assert_eq!((st.exists, st.uidvalidity, st.uidnext), (4, 5, 6));
    }

    #[test]
    fn flag_rows_keep_keywords_and_drop_recent() {
        let r = parsed(b"* 1 FETCH (UID 5 FLAGS (\\Seen \\Recent $Label1) MODSEQ (12))\r\n");
        let (uid, bits, kw, modseq) = flag_row(&r, 10).unwrap();
        assert_eq!((uid, kw.as_str(), modseq), (5, "$Label1", 12));
        assert_eq!(bits, flags::bit("\\Seen").unwrap());
        assert!(
            flag_row(&r, 4).is_none(),
            "a UID beyond the asked range is ignored"
        );
    }

    #[test]
    fn vanished_is_bounded_by_the_known_uids() {
        let r = parsed(b"* VANISHED (EARLIER) 1:4294967295\r\n");
        assert_eq!(vanished(&r, 3), Some(vec![1, 2, 3]));
        let r = parsed(b"* VANISHED 5,9:10\r\n");
        assert_eq!(vanished(&r, 9), Some(vec![5, 9]));
        assert_eq!(vanished(&r, 0), Some(vec![]));
    }

    #[test]
    fn copyuid_comes_from_an_untagged_ok() {
        let r = parsed(b"* OK [COPYUID 7 3:4 20:21] Moved\r\n");
        assert_eq!(
            copyuid(&r),
            Some(Code::CopyUid {
                uidvalidity: 7,
                pairs: vec![(3, 20), (4, 21)]
            })
        );
        assert_eq!(copyuid(&parsed(b"* OK hi\r\n")), None);
    }
}
