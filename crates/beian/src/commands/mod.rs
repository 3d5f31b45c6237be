//! One module per command family; `run` dispatches and opens what each needs.

mod audit;
mod bench_detect;
mod bench_probes;
mod bench_rules;
mod bench_serve;
pub mod case;
mod check;
pub mod demo;
pub mod findings;
mod init;
mod inspect;
mod inventory;
mod lab;
pub mod report;
pub mod scan;
pub mod serve;
mod tables;
mod transfer;
pub mod user;
pub mod validate;
pub mod worker;

use beian_store::{AnyStore, OpenMode, Store, StoreLocation};

use crate::cli::{Cli, Command};
use crate::config::{self, Settings};
use crate::error::Exit;

pub async fn run(cli: &Cli) -> anyhow::Result<Exit> {
    // `init` writes the config file, so it must not require one to exist.
    if let Command::Init(args) = &cli.command {
        return init::run(args, &cli.global).await;
    }
    // `demo` writes its own config, so it must not read one either.
    if let Command::Demo(args) = &cli.command {
        return demo::run(args, &cli.global).await;
    }
    let settings = config::resolve(&cli.global)?;
    tracing::debug!(config = ?settings.config_file, database = %settings.database, "settings resolved");
    match &cli.command {
        Command::Init(args) => init::run(args, &cli.global).await,
        Command::Demo(args) => demo::run(args, &cli.global).await,
        Command::Validate(args) => validate::run(args, &settings.validation, settings.language),
        Command::Subject(command) => inventory::closable(command, &settings).await,
        Command::Site(command) => inventory::closable(command, &settings).await,
        Command::Domain(command) => inventory::record(command, &settings).await,
        Command::Filing(command) => inventory::closable(command, &settings).await,
        Command::Person(command) => inventory::record(command, &settings).await,
        Command::Provider(command) => inventory::record(command, &settings).await,
        Command::AuditLog(command) => audit::run(command, &settings).await,
        Command::Import(args) => transfer::import(args, &settings).await,
        Command::Export(args) => transfer::export(args, &settings).await,
        Command::Check(args) => check::run(args, &settings).await,
        Command::Scan(args) => scan::run(args, &settings).await,
        Command::Findings(command) => findings::run(command, &settings).await,
        Command::Report(args) => report::run(args, &settings).await,
        Command::Inspect(command) => inspect::run(command),
        Command::Lab(args) => lab::run(args, settings.language).await,
        Command::Bench(command) => transfer::bench(command, &settings).await,
        Command::Case(command) => case::run(command, &settings).await,
        Command::Serve(args) => serve::run(args, &settings).await,
        Command::Worker(args) => worker::run(args, &settings).await,
        Command::User(command) => user::run(command, &settings).await,
    }
}

/// Opens the store; its errors already name the database and the fix.
pub async fn open_store(location: &StoreLocation, mode: OpenMode) -> anyhow::Result<AnyStore> {
    Ok(beian_store::open(location, mode).await?)
}

/// Runs `work` on the configured database (which must exist: `beian init` creates
/// it), then closes the store whatever happened, so SQLite checkpoints its WAL and
/// leaves one self-contained `beian.db` behind.
pub async fn with_store<T>(
    settings: &Settings,
    work: impl AsyncFnOnce(&AnyStore) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let store = open_store(&settings.database, OpenMode::MustExist).await?;
    let outcome = work(&store).await;
    store.close().await;
    outcome
}
