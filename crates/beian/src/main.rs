//! The `beian` binary: parses flags, resolves settings, runs one command and maps
//! the outcome to an exit code (0 ok, 1 findings or a broken audit chain, 2 input
//! error). All logic lives in the library crates and `commands/`.

mod bench;
mod cli;
mod commands;
mod config;
mod error;
mod export;
mod import;
mod output;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{BenchCommand, Cli, Command};

/// mimalloc rather than the system allocator: page analysis allocates small strings and
/// vectors by the hundred per page, and glibc's malloc/free were 13 % of its time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let runtime = match runtime_builder(&cli.command).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            return error::report(
                &anyhow::Error::new(err)
                    .context("无法启动异步运行时 / cannot start the async runtime"),
            )
            .into();
        }
    };
    match runtime.block_on(commands::run(&cli)) {
        Ok(exit) => exit.into(),
        Err(err) => error::report(&err).into(),
    }
}

/// The network commands use every core (many probes, and the lab's servers, at once); the
/// inventory commands are sequential database work and stay on one thread.
fn runtime_builder(command: &Command) -> tokio::runtime::Builder {
    match command {
        Command::Check(_)
        | Command::Lab(_)
        | Command::Scan(_)
        | Command::Serve(_)
        | Command::Demo(_)
        | Command::Bench(BenchCommand::Probes { .. }) => {
            tokio::runtime::Builder::new_multi_thread()
        }
        _ => tokio::runtime::Builder::new_current_thread(),
    }
}

/// Quiet by default; `-v` debug for beian's own crates, `-vv` debug for everything
/// (SQL statements included), `-vvv` trace. `RUST_LOG` wins when set.
fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => {
            "warn,beian=debug,beian_core=debug,beian_store=debug,beian_probe=debug,beian_lab=debug"
        }
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
