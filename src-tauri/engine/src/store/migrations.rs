//! The cache's schema, as an ordered list of steps. A step is never edited once released;
//! a change is a new step. Each runs in its own transaction and bumps `user_version`.

use anyhow::{Context, Result};
use rusqlite::Connection;

/// Schema steps, oldest first. `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: accounts, folders, messages, bodies, settings.
    r#"
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL,
        config TEXT NOT NULL,
        created_at INTEGER NOT NULL DEFAULT (unixepoch())
    ) STRICT;

    CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        display_name TEXT NOT NULL DEFAULT '',
        delimiter TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT '',
        subscribed INTEGER NOT NULL DEFAULT 0,
        selectable INTEGER NOT NULL DEFAULT 1,
        uidvalidity INTEGER NOT NULL DEFAULT 0,
        uidnext INTEGER NOT NULL DEFAULT 0,
        highestmodseq INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        unread INTEGER NOT NULL DEFAULT 0,
        synced_at INTEGER NOT NULL DEFAULT 0,
        UNIQUE (account_id, name)
    ) STRICT;

    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        flags INTEGER NOT NULL DEFAULT 0,
        keywords TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        internal_date INTEGER NOT NULL DEFAULT 0,
        date INTEGER NOT NULL DEFAULT 0,
        modseq INTEGER NOT NULL DEFAULT 0,
        subject TEXT NOT NULL DEFAULT '',
        from_name TEXT NOT NULL DEFAULT '',
        from_email TEXT NOT NULL DEFAULT '',
        to_json TEXT NOT NULL DEFAULT '[]',
        cc_json TEXT NOT NULL DEFAULT '[]',
        reply_to_json TEXT NOT NULL DEFAULT '[]',
        message_id TEXT NOT NULL DEFAULT '',
        in_reply_to TEXT NOT NULL DEFAULT '',
        refs TEXT NOT NULL DEFAULT '',
        parts_json TEXT NOT NULL DEFAULT '[]',
        has_attachments INTEGER NOT NULL DEFAULT 0,
        snippet TEXT NOT NULL DEFAULT '',
        UNIQUE (folder_id, uid)
    ) STRICT;
    CREATE INDEX messages_by_date ON messages (folder_id, internal_date DESC, uid DESC);
    CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id <> '';

    CREATE TABLE bodies (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        raw BLOB NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        html TEXT NOT NULL DEFAULT '',
        fetched_at INTEGER NOT NULL DEFAULT (unixepoch())
    ) STRICT;

    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL DEFAULT ''
    ) STRICT;
    "#,
    // 2: the write path's queue of user actions not yet applied on the server.
    r#"
    CREATE TABLE pending_ops (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        op TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT (unixepoch())
    ) STRICT;
    CREATE INDEX pending_ops_by_account ON pending_ops (account_id, id);
    "#,
    // 3: the full-text index and conversation threads. New messages are queued by the insert
    // path and indexed off it, new bodies indexed per batch (store/fulltext.rs); changes and
    // deletes by the triggers below. Threads are assigned by the insert path
    // (store/threads.rs).
    r#"
    CREATE VIRTUAL TABLE search_index USING fts5(
        sender, recipients, cc, subject, body, attachments,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    );

    -- What the index holds for each message: one definition for every writer. Bodies are
    -- indexed up to 200,000 characters; STX and ETX are dropped from the highlighted columns
    -- because search results use them as match markers.
    CREATE VIEW search_source AS
    SELECT
        m.id AS id,
        m.from_name || ' ' || m.from_email AS sender,
        (SELECT coalesce(group_concat(coalesce(value ->> 'name', '') || ' ' || coalesce(value ->> 'email', ''), ' '), '')
           FROM json_each(m.to_json)) AS recipients,
        (SELECT coalesce(group_concat(coalesce(value ->> 'name', '') || ' ' || coalesce(value ->> 'email', ''), ' '), '')
           FROM json_each(m.cc_json)) AS cc,
        replace(replace(m.subject, char(2), ''), char(3), '') AS subject,
        coalesce(replace(replace(substr(b.text, 1, 200000), char(2), ''), char(3), ''), '') AS body,
        (SELECT coalesce(group_concat(value ->> 'filename', ' '), '')
           FROM json_each(m.parts_json) WHERE coalesce(value ->> 'filename', '') <> '') AS attachments
    FROM messages m LEFT JOIN bodies b ON b.message_id = m.id;

    -- Not triggers for inserts: each statement that fires a trigger writing to FTS5 opens a
    -- savepoint, and FTS5 flushes its pending terms to a new segment at every savepoint, so
    -- per-row triggers made indexing a 10,000-message header batch about seven times slower.
    CREATE TRIGGER search_index_message_changed
    AFTER UPDATE OF subject, from_name, from_email, to_json, cc_json, parts_json ON messages BEGIN
        DELETE FROM search_index WHERE rowid = NEW.id;
        INSERT INTO search_index (rowid, sender, recipients, cc, subject, body, attachments)
        SELECT id, sender, recipients, cc, subject, body, attachments FROM search_source WHERE id = NEW.id;
    END;

    -- Also fires for messages deleted by a cascade (folder or account removed).
    CREATE TRIGGER search_index_message_removed AFTER DELETE ON messages BEGIN
        DELETE FROM search_index WHERE rowid = OLD.id;
        DELETE FROM search_pending WHERE message_id = OLD.id;
    END;

    -- Bodies go only with their message today; should one go alone, its text leaves the index.
    CREATE TRIGGER search_index_body_removed AFTER DELETE ON bodies BEGIN
        UPDATE search_index SET body = '' WHERE rowid = OLD.message_id;
    END;

    -- Messages waiting to be indexed, the oldest cached ones included: the store's indexer
    -- works through them without holding up opening the cache.
    CREATE TABLE search_pending (
        message_id INTEGER PRIMARY KEY
    ) STRICT;
    INSERT INTO search_pending (message_id) SELECT id FROM messages;

    ALTER TABLE messages ADD COLUMN thread_id INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX messages_by_thread ON messages (thread_id, date, internal_date);

    CREATE TABLE threads (
        id INTEGER PRIMARY KEY
    ) STRICT;

    CREATE TABLE thread_links (
        message_id TEXT PRIMARY KEY,
        thread_id INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX thread_links_by_thread ON thread_links (thread_id);

    CREATE TABLE thread_subjects (
        subject TEXT PRIMARY KEY,
        thread_id INTEGER NOT NULL,
        replies_only INTEGER NOT NULL DEFAULT 0
    ) STRICT, WITHOUT ROWID;
    "#,
    // 4: acting on mail: moves, copies, deletes and undo (see pending.rs for the design).
    // A handle is where the server holds a message that queued actions still act on; replay
    // keeps it current, so later actions find the message after earlier ones moved it.
    r#"
    ALTER TABLE pending_ops ADD COLUMN started INTEGER NOT NULL DEFAULT 0;

    -- AUTOINCREMENT: queued operations name handles by id, and undo tokens and failures are
    -- handed to the UI; none of these ids may ever come back for something else.
    CREATE TABLE handles (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL DEFAULT 0,
        uid INTEGER NOT NULL DEFAULT 0,
        message_id TEXT NOT NULL DEFAULT '',
        row_id INTEGER NOT NULL DEFAULT 0,
        source INTEGER NOT NULL DEFAULT 0,
        last_op INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX handles_by_row ON handles (row_id);
    CREATE INDEX handles_by_place ON handles (account_id, folder, uid);

    -- A handle outlives the row that showed it (a message deleted for good still has to be
    -- expunged on the server).
    CREATE TRIGGER handles_row_removed AFTER DELETE ON messages BEGIN
        UPDATE handles SET row_id = 0 WHERE row_id = OLD.id;
    END;

    CREATE TABLE failed_ops (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        op TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT (unixepoch())
    ) STRICT;

    CREATE TABLE undo_actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        items TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL DEFAULT (unixepoch())
    ) STRICT;

    ALTER TABLE folders ADD COLUMN rescan INTEGER NOT NULL DEFAULT 0;
    "#,
    // 5: writing mail: the outbox and drafts (see outbox.rs for the design). Neither may be
    // lost: they are the user's words, not a cache of the server.
    r#"
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        draft TEXT NOT NULL,
        draft_id INTEGER NOT NULL DEFAULT 0,
        message_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL DEFAULT '[]',
        raw BLOB NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued',
        send_at INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        data_started INTEGER NOT NULL DEFAULT 0,
        append_started INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT (unixepoch())
    ) STRICT;
    CREATE INDEX outbox_by_account ON outbox (account_id, state, send_at);

    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        draft TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'editing',
        updated_at INTEGER NOT NULL DEFAULT 0,
        sync_at INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        server_folder TEXT NOT NULL DEFAULT '',
        server_uidvalidity INTEGER NOT NULL DEFAULT 0,
        server_uid INTEGER NOT NULL DEFAULT 0,
        server_message_id TEXT NOT NULL DEFAULT '',
        append_message_id TEXT NOT NULL DEFAULT '',
        append_raw BLOB NOT NULL DEFAULT x'',
        stale TEXT NOT NULL DEFAULT '[]'
    ) STRICT;
    CREATE INDEX drafts_by_account ON drafts (account_id, sync_at);
    "#,
    // 6: a faster search. The index is rebuilt contentless and keyed by date (search_docs),
    // with a facets column for folder and attachment filters, and every message is queued to
    // be indexed again by the store's background indexer (store/fulltext.rs). Two indexes let
    // the conversation list walk mail newest first and count a folder's threads.
    r#"
    DROP TRIGGER search_index_message_changed;
    DROP TRIGGER search_index_message_removed;
    DROP TRIGGER search_index_body_removed;
    DROP VIEW search_source;
    DROP TABLE search_index;

    -- The index keeps no copy of the text (content = ''): highlights are computed from the
    -- cache for the hits shown (search/marks.rs). Its rowid is not the message id but a key
    -- in date order (search_docs), so FTS5 hands out matches newest first and a query can
    -- stop after the newest few hundred instead of ranking every match. The facets column
    -- holds a message's folder and whether it has attachments as tokens that begin with
    -- U+E000, which the search drops from what users type (search/local.rs), so folder and
    -- attachment filters intersect inside FTS5 and no text term can match them.
    CREATE VIRTUAL TABLE search_index USING fts5(
        sender, recipients, cc, subject, body, attachments, facets,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    );

    -- Each indexed message's key in search_index: its date in Unix seconds, or the next
    -- free second after it when another message has that key (store/fulltext.rs).
    CREATE TABLE search_docs (
        doc INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL UNIQUE
    ) STRICT;

    -- What the index holds for each message: one definition for every writer. Bodies are
    -- indexed up to 200,000 characters; STX and ETX are dropped from the highlighted columns
    -- because search results use them as match markers.
    CREATE VIEW search_source AS
    SELECT
        m.id AS id,
        m.from_name || ' ' || m.from_email AS sender,
        (SELECT coalesce(group_concat(coalesce(value ->> 'name', '') || ' ' || coalesce(value ->> 'email', ''), ' '), '')
           FROM json_each(m.to_json)) AS recipients,
        (SELECT coalesce(group_concat(coalesce(value ->> 'name', '') || ' ' || coalesce(value ->> 'email', ''), ' '), '')
           FROM json_each(m.cc_json)) AS cc,
        replace(replace(m.subject, char(2), ''), char(3), '') AS subject,
        coalesce(replace(replace(substr(b.text, 1, 200000), char(2), ''), char(3), ''), '') AS body,
        (SELECT coalesce(group_concat(value ->> 'filename', ' '), '')
           FROM json_each(m.parts_json) WHERE coalesce(value ->> 'filename', '') <> '') AS attachments,
        char(57344) || 'folder' || m.folder_id
          || CASE WHEN m.has_attachments <> 0 THEN ' ' || char(57344) || 'attachment' ELSE '' END AS facets
    FROM messages m LEFT JOIN bodies b ON b.message_id = m.id;

    -- Not triggers for inserts: each statement that fires a trigger writing to FTS5 opens a
    -- savepoint, and FTS5 flushes its pending terms to a new segment at every savepoint, so
    -- per-row triggers made indexing a 10,000-message header batch about seven times slower.
    -- A message not indexed yet has no search_docs row; the indexer reads it as it is then.
    CREATE TRIGGER search_index_message_changed
    -- folder_id is in the list because a moved message keeps its row (pending.rs) and its
    -- folder facet must follow it.
    AFTER UPDATE OF folder_id, subject, from_name, from_email, to_json, cc_json, parts_json, has_attachments ON messages BEGIN
        DELETE FROM search_index WHERE rowid = (SELECT doc FROM search_docs WHERE message_id = NEW.id);
        INSERT INTO search_index (rowid, sender, recipients, cc, subject, body, attachments, facets)
        SELECT d.doc, s.sender, s.recipients, s.cc, s.subject, s.body, s.attachments, s.facets
        FROM search_docs d JOIN search_source s ON s.id = d.message_id WHERE d.message_id = NEW.id;
    END;

    -- Also fires for messages deleted by a cascade (folder or account removed).
    CREATE TRIGGER search_index_message_removed AFTER DELETE ON messages BEGIN
        DELETE FROM search_index WHERE rowid = (SELECT doc FROM search_docs WHERE message_id = OLD.id);
        DELETE FROM search_docs WHERE message_id = OLD.id;
        DELETE FROM search_pending WHERE message_id = OLD.id;
    END;

    -- Bodies go only with their message today (the message's own trigger then removes it);
    -- should one go alone, its message is indexed again without it.
    CREATE TRIGGER search_index_body_removed AFTER DELETE ON bodies BEGIN
        DELETE FROM search_index WHERE rowid = (SELECT doc FROM search_docs d JOIN messages m ON m.id = d.message_id
                                                WHERE d.message_id = OLD.message_id);
        INSERT INTO search_index (rowid, sender, recipients, cc, subject, body, attachments, facets)
        SELECT d.doc, s.sender, s.recipients, s.cc, s.subject, s.body, s.attachments, s.facets
        FROM search_docs d JOIN search_source s ON s.id = d.message_id WHERE d.message_id = OLD.message_id;
    END;

    DELETE FROM search_pending;
    INSERT INTO search_pending (message_id) SELECT id FROM messages;

    -- The conversation list walks all mail newest first (store/threads.rs) and counts a
    -- folder's threads from the second index alone; searches by flags alone also walk the
    -- first.
    CREATE INDEX messages_by_shown_date ON messages
        ((CASE WHEN date <> 0 THEN date ELSE internal_date END), thread_id);
    CREATE INDEX messages_by_folder_thread ON messages (folder_id, thread_id);
    "#,
    // 7: bulk inserts are threaded off the insert path (store/threading.rs, background.rs).
    // The side tables are keyed by 64-bit hashes instead of text, a merge leaves a redirect,
    // and every cached message is threaded again by the store's background thread.
    r#"
    -- 0 until the message is threaded: bulk inserts wait for the store's background thread.
    -- The two partial indexes keep a waiting message's insert to an append at the end of
    -- messages_unthreaded.
    DROP INDEX messages_by_thread;
    CREATE INDEX messages_by_thread ON messages (thread_id, date, internal_date)
        WHERE thread_id <> 0;
    CREATE INDEX messages_unthreaded ON messages (id) WHERE thread_id = 0;

    -- Keys are 64-bit hashes of a Message-ID or base subject (store/threading.rs). Ids that
    -- messages refer to, with the thread of the message that did: a message's own id is
    -- found through messages_by_message_id instead.
    DROP TABLE thread_links;
    CREATE TABLE thread_links (
        hash INTEGER PRIMARY KEY,
        thread_id INTEGER NOT NULL
    ) STRICT;

    DROP TABLE thread_subjects;
    CREATE TABLE thread_subjects (
        hash INTEGER PRIMARY KEY,
        thread_id INTEGER NOT NULL,
        replies_only INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    -- A merged thread -> the one it went into; the two tables above keep the old id.
    CREATE TABLE thread_merges (
        id INTEGER PRIMARY KEY,
        into_id INTEGER NOT NULL
    ) STRICT;

    -- Thread ids are never reused (the threads table keeps the highest handed out), so the
    -- new threads do not take an old conversation's id.
    UPDATE messages SET thread_id = 0;
    "#,
    // 8: bodies fetched in bulk are stored raw and decoded later by the store's background
    // thread (store/bodies.rs). New bodies no longer keep their HTML part (opening a message
    // parses the raw body); bodies cached before keep theirs, unused, rather than every body
    // row being rewritten while the app starts.
    r#"
    CREATE TABLE body_pending (
        message_id INTEGER PRIMARY KEY REFERENCES bodies(message_id) ON DELETE CASCADE
    ) STRICT;
    "#,
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database up to the latest schema.
pub fn run(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest() {
        anyhow::bail!(
            "The cache was written by a newer Tern (schema {current}, this build knows {}); refusing to touch it",
            latest()
        );
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = i as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(step)
            .with_context(|| format!("Applying cache migration {version}"))?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_from_empty_and_is_idempotent() {
        let mut c = Connection::open_in_memory().unwrap();
        run(&mut c).unwrap();
        run(&mut c).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest());
    }

    #[test]
    fn refuses_newer_schema() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", latest() + 1).unwrap();
        assert!(run(&mut c).is_err());
    }

    #[test]
    fn step_6_queues_every_cached_message_for_the_new_index() {
        let mut c = Connection::open_in_memory().unwrap();
        for step in &MIGRATIONS[..5] {
            c.execute_batch(step).unwrap();
        }
        c.pragma_update(None, "user_version", 5).unwrap();
        c.execute_batch(
            "INSERT INTO accounts (id, email, config) VALUES (1, 'a@x', '{}');
             INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'INBOX');
             INSERT INTO messages (folder_id, uid, subject) VALUES (1, 1, 'a'), (1, 2, 'b');
             DELETE FROM search_pending;",
        )
        .unwrap();
        run(&mut c).unwrap();
        let queued: i64 = c
            .query_row("SELECT count(*) FROM search_pending", [], |r| r.get(0))
            .unwrap();
        assert_eq!(queued, 2);
    }

    #[test]
    fn step_7_leaves_every_message_to_be_threaded_again() {
        let mut c = Connection::open_in_memory().unwrap();
        for step in &MIGRATIONS[..6] {
            c.execute_batch(step).unwrap();
        }
        c.pragma_update(None, "user_version", 6).unwrap();
        c.execute_batch(
            "INSERT INTO accounts (id, email, config) VALUES (1, 'a@x', '{}');
             INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'INBOX');
             INSERT INTO threads (id) VALUES (7);
             INSERT INTO messages (folder_id, uid, subject, thread_id) VALUES (1, 1, 'a', 7);",
        )
        .unwrap();
        run(&mut c).unwrap();
        let waiting: i64 = c
            .query_row(
                "SELECT count(*) FROM messages WHERE thread_id = 0",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(waiting, 1);
    }

    #[test]
    fn fts5_is_available() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
        )
        .unwrap();
    }
}
