//! Opening a message in the reader: `Engine::open_message` until the parsed, sanitized view
//! is ready, for messages whose body must come from the server and for cached ones.

use crate::report::Figure;
use anyhow::{ensure, Context, Result};
use std::time::Instant;
use tern_engine::{Engine, FolderId, MessageId};

/// `count` message ids spread evenly over a folder's list (newest first).
pub fn spread(engine: &Engine, folder: FolderId, total: u32, count: u32) -> Result<Vec<MessageId>> {
    let step = (total / count.max(1)).max(1);
    let mut ids = Vec::new();
    for i in 0..count.min(total) {
        let page = engine.messages(folder, i * step, 1)?;
        ids.extend(page.first().map(|m| m.id));
    }
    Ok(ids)
}

async fn open_all(engine: &Engine, ids: &[MessageId], name: &str) -> Result<Figure> {
    let mut t = Vec::with_capacity(ids.len());
    for &id in ids {
        let start = Instant::now();
        let view = engine
            .open_message(id, false)
            .await
            .with_context(|| format!("opening message {id}"))?;
        t.push(start.elapsed().as_secs_f64() * 1000.0);
        ensure!(
            !view.text.is_empty() || !view.html.is_empty(),
            "VERIFY FAILED: message {id} opened with neither text nor HTML"
        );
    }
    Ok(Figure::new(name, "ms", t))
}

/// Opens `ids` twice: first with no body cached (fetched over the foreground connection),
/// then again from the cache. Returns (uncached, cached).
pub async fn measure(engine: &Engine, ids: &[MessageId]) -> Result<(Figure, Figure)> {
    for &id in ids {
        ensure!(
            engine.store().raw_body(id)?.is_none(),
            "message {id} already has a cached body"
        );
    }
    let uncached = open_all(engine, ids, "open an uncached message (fetch + view)").await?;
    let cached = open_all(engine, ids, "open a cached message (view)").await?;
    Ok((uncached, cached))
}

/// Opens `ids` whose bodies a full-body sync cached.
pub async fn measure_cached(engine: &Engine, ids: &[MessageId]) -> Result<Figure> {
    open_all(engine, ids, "open a cached message, offline-synced folder").await
}
