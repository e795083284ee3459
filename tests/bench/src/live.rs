//! Keeping a synced 100k INBOX current: the no-change resync (Tern and mbsync), flags changed
//! by another client, and new-mail latency through IDLE against a bare IDLE client.

use crate::mbsync::Mbsync;
use crate::raw::{Raw, Target};
use crate::report::Figure;
use anyhow::{bail, ensure, Context, Result};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tern_engine::message::flags;
use tern_engine::{AccountId, Engine, Event};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// No-change resyncs, alternating: Tern's `Engine::sync` with no worker running (a fresh
/// connection: TCP, TLS, LOGIN, as mbsync pays too) and mbsync's.
pub async fn resync(
    engine: &Engine,
    account: AccountId,
    mb: &Mbsync,
    runs: u32,
) -> Result<(Figure, Figure)> {
    let (mut t, mut m) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let start = Instant::now();
        let r = engine
            .sync(account)
            .await
            .context("Tern no-change resync")?;
        t.push(ms(start.elapsed()));
        ensure!(
            r.added == 0 && r.changed == 0 && r.removed == 0,
            "VERIFY FAILED: a no-change resync changed something: {r:?}"
        );
        let run = tokio::task::block_in_place(|| mb.run())?;
        m.push(ms(run.wall));
    }
    Ok((
        Figure::new("no-change resync, 100k INBOX", "ms", t),
        Figure::new("mbsync no-change resync", "ms", m),
    ))
}

/// The same resync through the account's running worker, on its live connection (what the
/// app does when the user asks for new mail).
pub async fn resync_worker(engine: &Engine, account: AccountId, runs: u32) -> Result<Figure> {
    let mut t = Vec::new();
    for _ in 0..runs {
        // After each full sync the worker renews its connection (worker.rs); a user does not
        // ask again within that moment.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let start = Instant::now();
        engine.sync(account).await.context("worker resync")?;
        t.push(ms(start.elapsed()));
    }
    Ok(Figure::new("no-change resync, running worker", "ms", t))
}

/// How many of `uids` are flagged in the cached INBOX.
fn flagged(engine: &Engine, account: AccountId, uids: &[u32]) -> Result<usize> {
    let folder = engine.store().find_folder(account, "INBOX")?.id;
    let on: HashSet<u32> = engine.store().read(|c| {
        let mut s =
            c.prepare("SELECT uid FROM messages WHERE folder_id = ?1 AND flags & ?2 <> 0")?;
        let rows = s
            .query_map(rusqlite::params![folder, flags::FLAGGED], |r| r.get(0))?
            .collect();
        rows
    })?;
    Ok(uids.iter().filter(|u| on.contains(u)).count())
}

/// Another client flags (then, next run, unflags) 1,000 messages spread over the folder;
/// times Tern's resync until the cache shows all of them.
pub async fn flag_change(
    engine: &Engine,
    account: AccountId,
    target: &Target,
    server_uids: &[u32],
    runs: u32,
) -> Result<Figure> {
    let step = (server_uids.len() / 1000).max(1);
    let pick: Vec<u32> = server_uids
        .iter()
        .step_by(step)
        .take(1000)
        .copied()
        .collect();
    let set = tern_engine::imap::seqset::format(&pick);
    let mut other = Raw::open(target, "INBOX").await?;
    let mut t = Vec::new();
    for i in 0..runs {
        let (op, want) = if i % 2 == 0 {
            ("+FLAGS.SILENT", pick.len())
        } else {
            ("-FLAGS.SILENT", 0)
        };
        other
            .command(&format!("UID STORE {set} {op} (\\Flagged)"), false)
            .await
            .context("UID STORE by another client")?;
        let start = Instant::now();
        let r = engine
            .sync(account)
            .await
            .context("Tern resync after flags")?;
        let took = start.elapsed();
        let now = flagged(engine, account, &pick)?;
        ensure!(
            now == want,
            "VERIFY FAILED: after {op} on {} messages the cache has {now} of them flagged (want {want}); the sync reported {r:?}",
            pick.len()
        );
        t.push(ms(took));
    }
    if runs % 2 == 1 {
        other
            .command(&format!("UID STORE {set} -FLAGS.SILENT (\\Flagged)"), false)
            .await?;
        engine.sync(account).await?;
    }
    other.logout().await;
    Ok(Figure::new(
        "flags changed by another client: resync, 1,000 msgs",
        "ms",
        t,
    ))
}

/// A small unread message for APPEND.
fn message(i: u32) -> Vec<u8> {
    format!(
        "From: Latency Probe <probe@example.net>\r\nTo: alice@example.org\r\nSubject: latency probe {i}\r\n\
Date: Mon, 3 Nov 2025 10:00:00 +0000\r\nMessage-ID: <latency-{i}-{}@bench.example.org>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nProbe {i}.\r\n",
        std::process::id()
    )
    .into_bytes()
}

/// New-mail latency: another client APPENDs to INBOX; from the APPEND's tagged OK until (a)
/// the engine's `NewMail` event (the running worker IDLEs on INBOX) and (b) a bare IDLE
/// client's `* n EXISTS`, both watching at once. The engine must already run the worker.
pub async fn new_mail(
    engine: &Engine,
    account: AccountId,
    target: &Target,
    samples: u32,
) -> Result<(Figure, Figure)> {
    let mut events = engine.events();
    let mut bare = Raw::open(target, "INBOX").await?;
    let mut other = Raw::connect(target).await?;
    other
        .command(
            &format!("LOGIN \"{}\" \"{}\"", target.user, target.password),
            false,
        )
        .await?;
    let inbox = engine.store().find_folder(account, "INBOX")?.id;
    let (mut t, mut b) = (Vec::new(), Vec::new());
    for i in 0..samples {
        // Quiet time: the worker's IDLE is re-established after its last sync.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        while events.try_recv().is_some() {}
        bare.idle_start().await?;
        let start = Instant::now();
        other.append("INBOX", &message(i)).await.context("APPEND")?;
        let appended = start.elapsed();
        let bare_wait = async {
            bare.idle_exists().await?;
            Ok::<Duration, anyhow::Error>(start.elapsed())
        };
        let tern_wait = async {
            loop {
                match events.recv().await {
                    Some(Event::NewMail { folder, .. }) if folder == inbox => {
                        return Ok::<Duration, anyhow::Error>(start.elapsed())
                    }
                    Some(_) => {}
                    None => bail!("the engine's event stream ended"),
                }
            }
        };
        let limit = Duration::from_secs(30);
        let (bt, tt) = tokio::time::timeout(limit, async { tokio::join!(bare_wait, tern_wait) })
            .await
            .context("no new-mail signal within 30 s")?;
        let (bt, tt) = (bt?, tt?);
        bare.idle_done().await?;
        eprintln!(
            "new mail {}: APPEND {:.1} ms, bare IDLE {:.1} ms, Tern event {:.1} ms",
            i + 1,
            ms(appended),
            ms(bt),
            ms(tt)
        );
        t.push(ms(tt));
        b.push(ms(bt));
    }
    bare.logout().await;
    other.logout().await;
    Ok((
        Figure::new("new mail: APPEND to engine NewMail event", "ms", t),
        Figure::new("bare IDLE client: APPEND to * EXISTS", "ms", b),
    ))
}
