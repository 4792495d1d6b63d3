//! The command line: its commands and options.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::{concepts, user};

/// zesummen — good practices of local integration, and the SPIRAL method, together.
#[derive(Debug, Parser)]
#[command(name = "zesummen", version, about, long_about = None)]
pub struct Cli {
    /// Directory of the embedded store (zesummen.sqlite).
    #[arg(
        long,
        global = true,
        env = "ZESUMMEN_DATA_DIR",
        default_value = "./zesummen-data"
    )]
    pub data_dir: PathBuf,

    /// Database URL instead of the data directory: sqlite://FILE, or postgres://USER@HOST/DB
    /// for a database that several nodes share.
    #[arg(long, global = true, env = "ZESUMMEN_DATABASE_URL")]
    pub database: Option<String>,

    /// A read replica of the postgres:// --database: reads go there, writes to the primary.
    #[arg(long, global = true, env = "ZESUMMEN_READ_DATABASE_URL")]
    pub read_database: Option<String>,

    /// Log lines on standard error as text or as JSON (one object a line; every line of a
    /// request carries its `request_id`, also sent back as `x-request-id`).
    #[arg(
        long,
        global = true,
        env = "ZESUMMEN_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// What to log: `warn` (the default: problems only), `info` (also every request with its
    /// status and time), or a tracing filter such as `info,sqlx=warn`.
    #[arg(long, global = true, env = "ZESUMMEN_LOG", default_value = "warn")]
    pub log: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import files; each file's format is detected from its content.
    Import {
        /// Force a format instead of detecting it.
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Import a file that ends mid-record (probably cut) as read, with a warning, instead
        /// of refusing it.
        #[arg(long)]
        accept_cut: bool,
        /// Files or directories (every file inside, by name).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Export the whole store in the documented schema, or (`--format pdf`) the booklet of
    /// the published practices that the search page shows for the filters.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// What to export; json defaults to all, csv to practices.
        #[arg(long, value_enum)]
        what: Option<What>,
        /// PDF booklet only: keep practices with this theme (repeatable).
        #[arg(long)]
        theme: Vec<String>,
        /// PDF booklet only: keep practices of this commune (repeatable).
        #[arg(long)]
        commune: Vec<String>,
        /// PDF booklet only: free-text search, as on the search page.
        #[arg(long)]
        q: Option<String>,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Create or upgrade the store's schema and load the bundled reference data.
    Migrate,
    /// Serve the site and the JSON API.
    Serve {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Load the bundled demo corpus into an empty store first.
        #[arg(long)]
        demo: bool,
        /// Mark session cookies `Secure`: set it when users reach the site over HTTPS
        /// (directly or through a proxy that terminates TLS).
        #[arg(long, env = "ZESUMMEN_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Proxies (addresses or networks: `10.0.0.0/8`, `::1`) whose `X-Forwarded-For` or
        /// `X-Real-IP` name the client, for the login throttle. Repeatable, or a comma-separated
        /// list in the variable. None by default: the direct peer is the client.
        #[arg(long = "trusted-proxy", env = "ZESUMMEN_TRUSTED_PROXIES", value_delimiter = ',',
              value_parser = parse_proxy)]
        trusted_proxies: Vec<ipnet::IpNet>,
        /// Days the change log keeps an entry, and the store a generated PDF; older ones are
        /// pruned every hour. A node that was down for longer rebuilds its search index from
        /// the store when it comes back; a pruned PDF is made again when asked for.
        #[arg(long, env = "ZESUMMEN_OUTBOX_RETENTION_DAYS", default_value_t = 7,
              value_parser = clap::value_parser!(u32).range(1..=3650))]
        outbox_retention_days: u32,
    },
    /// Rebuild the search index from the store.
    Reindex,
    /// The concept scheme: list its versions, export one as SKOS or TSV, import a new one.
    Concepts {
        #[command(subcommand)]
        command: concepts::ConceptsCommand,
    },
    /// Measure the classification suggestions leave-one-out on the store's classified criteria
    /// (top-1, top-3, beside the majority class).
    EvaluateSuggestions {
        /// Only this platform's criteria (every platform's by default).
        #[arg(long)]
        platform: Option<String>,
        /// Print the figures and the misses as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Manage accounts: add, list, disable, enable, role, password.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Write a consistent copy of the store while it runs: SQLite's online backup, or
    /// pg_dump's custom format for PostgreSQL. Never overwrites a file.
    Backup {
        /// The new file.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Assises,
    Sud,
    SpiralCriteria,
    Csv,
    Json,
}

impl From<FormatArg> for domain::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Assises => domain::Format::Assises,
            FormatArg::Sud => domain::Format::Sud,
            FormatArg::SpiralCriteria => domain::Format::SpiralCriteria,
            FormatArg::Csv => domain::Format::Csv,
            FormatArg::Json => domain::Format::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
    /// The booklet of practices (livret), laid out with typst.
    Pdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum What {
    Practices,
    Criteria,
    All,
}

/// One trusted proxy: an address or a network.
fn parse_proxy(s: &str) -> Result<ipnet::IpNet, String> {
    let mut found = web::client::parse_proxies(s)?;
    match (found.pop(), found.is_empty()) {
        (Some(net), true) => Ok(net),
        _ => Err(format!("`{s}`: expected one address or network")),
    }
}
