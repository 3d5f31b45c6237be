//! How the binary fails: every error the user can act on is a [`UserError`] carrying
//! the message, the fix and the exit code; `main` prints it without backtrace noise.

use std::fmt;
use std::process::ExitCode;

/// The process exit status (DESIGN §4): 0 ok, 1 findings (or a broken audit chain),
/// 2 usage or input error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success,
    /// Something was found that the user asked to be told about: a broken audit chain,
    /// later findings at or above `--fail-on`.
    Findings,
    /// Bad input, bad configuration, an unusable database or directory.
    InputError,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Findings => 1,
            Exit::InputError => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// An error the user can fix: what is wrong (naming the input) and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub message: String,
    pub fix: Option<String>,
    pub exit: Exit,
}

impl UserError {
    /// An input or usage error (exit 2).
    pub fn input(message: impl Into<String>) -> UserError {
        UserError {
            message: message.into(),
            fix: None,
            exit: Exit::InputError,
        }
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> UserError {
        self.fix = Some(fix.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// Shorthand for returning an input error from a command.
pub fn input_error<T>(message: impl Into<String>, fix: impl Into<String>) -> anyhow::Result<T> {
    Err(UserError::input(message).with_fix(fix).into())
}

/// Prints an error for a person to read and says which exit code it maps to.
///
/// Anything that is not a [`UserError`] still exits 2: the commands of this binary
/// fail on input, configuration or an unusable database, never on "findings".
pub fn report(error: &anyhow::Error) -> Exit {
    let user = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<UserError>());
    eprintln!("错误 / error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  原因 / cause: {cause}");
    }
    if let Some(fix) = user.and_then(|u| u.fix.as_deref()) {
        eprintln!("  修复 / fix: {fix}");
    }
    user.map_or(Exit::InputError, |u| u.exit)
}
