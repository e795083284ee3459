//! `tern`: the headless command line over Tern's engine, for scripting, diagnostics and
//! benchmarks. Passwords come from a command the user names or from the OS keyring; they
//! never appear in argv, files or logs.

mod accounts;
mod act;
mod find;
mod folder_cmd;
mod output;
mod read;
mod write;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use tern_engine::credentials::{CommandOr, Keyring};
use tern_engine::{Engine, EngineOptions};

/// The keyring service name passwords are filed under.
pub const KEYRING_SERVICE: &str = "org.tern.mail";

#[derive(Parser)]
#[command(name = "tern", version, about = "Tern mail engine command line")]
struct Cli {
    /// Profile directory (cache and settings). Keeps tests and benchmarks away from yours.
    #[arg(long, env = "TERN_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Add, list or remove accounts.
    #[command(subcommand)]
    Account(accounts::AccountCmd),
    /// Mirror one account (or all) from the server into the cache.
    Sync {
        /// Account id or email address; all accounts when omitted.
        account: Option<String>,
        /// Also fetch every message body (offline mode).
        #[arg(long)]
        bodies: bool,
    },
    /// Folders with unread and total counts.
    Folders { account: Option<String> },
    /// Messages of a folder, newest first.
    List {
        /// Folder name (or role: inbox, sent, ...).
        #[arg(default_value = "INBOX")]
        folder: String,
        #[arg(long, short)]
        account: Option<String>,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Conversations instead of single messages (each counts its mail in every folder).
        #[arg(long)]
        threads: bool,
    },
    /// Find messages: words (the last one matches as a prefix), "phrases", -negation,
    /// from: to: cc: subject: has:attachment is:unread|read|starred before:/after:YYYY-MM-DD
    /// in:FOLDER account:EMAIL. Put options before the query.
    Search {
        /// Folder name or role (in:FOLDER); all folders when omitted.
        #[arg(long)]
        folder: Option<String>,
        /// Account id or email (account:ACCOUNT); all accounts when omitted.
        #[arg(long, short)]
        account: Option<String>,
        /// Ask the server (IMAP SEARCH): finds mail whose body is not cached. Needs an
        /// account when there are several.
        #[arg(long)]
        server: bool,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// The query; its words are joined with spaces.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        query: Vec<String>,
    },
    /// A conversation's messages in every folder, oldest first (ids from `list --threads`).
    Thread { id: i64 },
    /// A message's headers, text and attachments (fetched if not cached).
    Show {
        /// Message id, as printed by `list`.
        id: i64,
        /// Print the HTML part (unsanitized source) instead of the text.
        #[arg(long)]
        html: bool,
    },
    /// Stay connected and print each new message as it arrives.
    Watch { account: Option<String> },
    #[command(flatten)]
    Act(act::ActCmd),
    #[command(flatten)]
    Write(write::WriteCmd),
    /// Create, rename, delete or (un)subscribe folders (on the server, at once).
    #[command(subcommand)]
    Folder(folder_cmd::FolderCmd),
}

fn data_dir(arg: Option<PathBuf>) -> Result<PathBuf> {
    match arg {
        Some(d) => Ok(d),
        None => dirs::data_dir()
            .map(|d| d.join("tern"))
            .ok_or_else(|| anyhow::anyhow!("No data directory could be found; pass --data-dir")),
    }
}

fn main() {
    let cli = Cli::parse();
    let json = cli.json;
    // A deep stack for the workers: hostile mail nests MIME 100 levels deep in BODYSTRUCTURE and
    // the IMAP parser recurses per level (2 MiB, Tokio's default, is not enough).
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 * 1024 * 1024)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tern: cannot start: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(run(cli)) {
        output::error(&e, json);
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    let dir = data_dir(cli.data_dir)?;
    let creds = Arc::new(CommandOr(Keyring::new(KEYRING_SERVICE)));
    let mut opts = EngineOptions::default();
    if let Cmd::Sync { bodies: true, .. } = &cli.command {
        opts.sync.fetch_all_bodies();
    }
    let engine = Engine::open(&dir, creds, opts)?;
    let out = output::Out { json: cli.json };
    match cli.command {
        Cmd::Account(cmd) => accounts::run(&engine, cmd, &out).await,
        Cmd::Sync { account, .. } => read::sync(&engine, account.as_deref(), &out).await,
        Cmd::Folders { account } => read::folders(&engine, account.as_deref(), &out),
        Cmd::List {
            folder,
            account,
            offset,
            limit,
            threads: false,
        } => read::list(&engine, account.as_deref(), &folder, offset, limit, &out),
        Cmd::List {
            folder,
            account,
            offset,
            limit,
            threads: true,
        } => find::threads(&engine, account.as_deref(), &folder, offset, limit, &out),
        Cmd::Search {
            folder,
            account,
            server,
            offset,
            limit,
            query,
        } => {
            let args = find::SearchArgs {
                query: query.join(" "),
                folder,
                account,
                server,
                offset,
                limit,
            };
            find::search(&engine, args, &out).await
        }
        Cmd::Thread { id } => find::thread(&engine, id, &out),
        Cmd::Show { id, html } => read::show(&engine, id, html, &out).await,
        Cmd::Watch { account } => read::watch(&engine, account.as_deref(), &out).await,
        Cmd::Act(cmd) => act::run(&engine, cmd, &out).await,
        Cmd::Write(cmd) => write::run(&engine, cmd, &out).await,
        Cmd::Folder(cmd) => folder_cmd::run(&engine, cmd, &out).await,
    }
}
