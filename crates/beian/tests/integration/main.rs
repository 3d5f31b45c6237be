//! CLI tests: every test runs the real `beian` binary in its own temporary directory
//! and asserts on exit codes, messages and `--json` output.

mod audit_log;
mod bad_input;
mod browser;
mod case_cli;
mod check;
mod config;
mod import_export;
mod init;
mod inspect;
mod inspect_page;
mod inventory;
mod lab_cli;
mod notify;
mod report_cli;
mod scan;
mod scan_interrupt;
mod serve;
mod tables;
mod validate;
mod worker;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A temporary directory holding `beian.toml` and `beian.db`.
pub struct Workspace {
    dir: TempDir,
    /// Whether commands get `--config <dir>/beian.toml`.
    pass_config: bool,
}

impl Workspace {
    /// An empty directory: nothing initialised; commands still name its beian.toml.
    pub fn empty() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("create a temporary directory"),
            pass_config: true,
        }
    }

    /// An empty directory and no `--config`: what `beian validate` sees on a fresh machine.
    pub fn unconfigured() -> Workspace {
        Workspace {
            pass_config: false,
            ..Workspace::empty()
        }
    }

    /// A directory after `beian init`.
    pub fn initialised() -> Workspace {
        let workspace = Workspace::empty();
        workspace
            .beian()
            .arg("init")
            .arg(workspace.path())
            .assert()
            .success();
        workspace
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.path().join("beian.toml")
    }

    pub fn database_path(&self) -> PathBuf {
        self.path().join("beian.db")
    }

    /// `beian --config <dir>/beian.toml`, run inside the directory, with no `BEIAN_*`
    /// variables leaking in from the environment running the tests.
    pub fn beian(&self) -> Command {
        let mut command = Command::cargo_bin("beian").expect("the beian binary is built");
        command
            .current_dir(self.path())
            .env_remove("BEIAN_CONFIG")
            .env_remove("BEIAN_DATABASE")
            .env_remove("BEIAN_LANG")
            .env_remove("BEIAN_DNS_NAMESERVERS")
            .env_remove("BEIAN_TIMEOUT")
            .env_remove("BEIAN_HTTP_PERSONAS")
            .env_remove("BEIAN_ALLOW_PRIVATE")
            .env_remove("RUST_LOG")
            .env("USER", "tester");
        if self.pass_config {
            command.arg("--config").arg(self.config_path());
        }
        command
    }

    /// Runs a command that must succeed and parses its stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let output = self
            .beian()
            .args(args)
            .arg("--json")
            .output()
            .expect("run beian");
        assert!(
            output.status.success(),
            "beian {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
        serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
            panic!(
                "beian {args:?} printed no JSON ({err}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }

    /// Runs a command that must succeed; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.beian().args(args).output().expect("run beian");
        assert!(
            output.status.success(),
            "beian {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs a command that must fail with `code`; returns stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let output = self.beian().args(args).output().expect("run beian");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(code), "beian {args:?}: {stderr}");
        stderr
    }

    /// How many audit entries the database holds: every failure must leave it unchanged.
    pub fn audit_len(&self) -> usize {
        self.json(&["audit-log", "list", "--limit", "100000"])
            .as_array()
            .map_or(0, Vec::len)
    }
}
