//! tern-bench's measurements: Tern's engine against raw IMAP on a TLS socket and against
//! mbsync, on one Dovecot testbed, in one run. The `tern-bench` binary drives them; the
//! `search_bench` and `insert_probe` examples reuse parts.

pub mod bodies;
pub mod headers;
pub mod live;
pub mod mbsync;
pub mod open;
pub mod phases;
pub mod raw;
pub mod report;
pub mod search;
pub mod sys;
pub mod targets;
pub mod tern;
