//! `zesummen`: the one binary. Serve the site; import, export, back up and migrate the store.

mod args;
mod backup;
mod booklet;
mod commands;
mod concepts;
mod demo;
mod evaluate;
mod failure;
mod output;
mod serve;
mod storage;
mod user;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Internal errors of the site are logged here (warnings and errors by default, on
    // standard error); `--log info` adds a line per request, `--log-format json` makes every
    // line a JSON object with the request's span (its id) on it.
    let filter = match tracing_subscriber::EnvFilter::try_new(&cli.log) {
        Ok(filter) => filter,
        Err(e) => {
            eprintln!(
                "error: --log `{}`: {e}: expected a level (error, warn, info, debug) or a \
                 tracing filter such as `info,sqlx=warn`",
                cli.log
            );
            return ExitCode::from(2);
        }
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    match cli.log_format {
        args::LogFormat::Text => logs.init(),
        args::LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
