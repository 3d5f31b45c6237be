//! `beian user add NAME --role ROLE [--password-stdin] [--organisation ID]...` and
//! `beian user list [--json]`: the dashboard's users from the command line, and the
//! first-run bootstrap `beian serve` uses when the store has no user yet.
//!
//! Passwords are hashed with beian-web's argon2id helper, so a user added here signs in
//! exactly like one added through the API.

use std::io::{BufRead, IsTerminal};

use beian_store::{AnyStore, DEFAULT_ORGANISATION, NewUser, OrganisationId, Role, Store, User};
use beian_web::PasswordCost;
use beian_web::auth::{hash_password, random_hex};
use clap::{Args, Subcommand};

use crate::commands::tables::rows_table;
use crate::commands::with_store;
use crate::config::Settings;
use crate::error::{Exit, UserError};
use crate::output::{self, header};

/// The shortest password accepted: the API's own limit.
use beian_web::admin::MIN_PASSWORD_CHARS;
/// Random bytes of a generated password (hex: twice as many characters).
const GENERATED_PASSWORD_BYTES: usize = 12;
/// The name the first-run bootstrap gives the first administrator.
pub const BOOTSTRAP_ADMIN: &str = "admin";

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// 添加用户；不给 --password-stdin 时生成密码并只显示一次 / add a user; without --password-stdin a password is generated and shown once
    Add(UserAddArgs),
    /// 列出用户 / list users
    List {
        /// 输出 JSON / print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// 用户名 / user name
    pub name: String,
    /// 角色：admin、operator、viewer / role: admin, operator or viewer
    #[arg(long, value_parser = parse_role, default_value = "viewer")]
    pub role: Role,
    /// 从标准输入读取密码（第一行）/ read the password from stdin (first line)
    #[arg(long)]
    pub password_stdin: bool,
    /// 所属组织 ID（可多次给出，默认为默认组织 1）/ organisation id (repeatable; default: the default organisation, 1)
    #[arg(long = "organisation", value_name = "ID")]
    pub organisations: Vec<OrganisationId>,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!(
            "「{text}」不是角色，可用 admin、operator、viewer / '{text}' is not a role; use admin, operator or viewer"
        )
    })
}

pub async fn run(command: &UserCommand, settings: &Settings) -> anyhow::Result<Exit> {
    match command {
        UserCommand::Add(args) => {
            let password = if args.password_stdin {
                Some(read_password_stdin()?)
            } else {
                None
            };
            with_store(settings, async |store| {
                let organisations = if args.organisations.is_empty() {
                    vec![DEFAULT_ORGANISATION]
                } else {
                    args.organisations.clone()
                };
                let created = add_user(
                    store,
                    &settings.actor,
                    &args.name,
                    args.role,
                    &organisations,
                    password,
                    PasswordCost::default(),
                )
                .await?;
                print_created(&created, "");
                Ok(Exit::Success)
            })
            .await
        }
        UserCommand::List { json } => {
            with_store(settings, async |store| {
                let users = store.list_users().await?;
                if *json {
                    output::print_json(&users)?;
                } else {
                    let table = rows_table(
                        settings.language,
                        [
                            header("ID", "ID"),
                            header("用户名", "Name"),
                            header("角色", "Role"),
                            header("组织", "Organisations"),
                        ],
                        &users,
                        |user: &User| {
                            [
                                user.id.to_string(),
                                user.name.clone(),
                                user.role.as_str().to_owned(),
                                user.organisations
                                    .iter()
                                    .map(ToString::to_string)
                                    .collect::<Vec<_>>()
                                    .join(","),
                            ]
                        },
                    );
                    output::print_table(&table)?;
                }
                Ok(Exit::Success)
            })
            .await
        }
    }
}

/// A user just created, with the password when it was generated (shown once).
pub struct CreatedUser {
    pub user: User,
    pub generated_password: Option<String>,
}

/// Hashes the password (or a generated one) and stores the user.
pub async fn add_user(
    store: &AnyStore,
    actor: &str,
    name: &str,
    role: Role,
    organisations: &[OrganisationId],
    password: Option<String>,
    cost: PasswordCost,
) -> anyhow::Result<CreatedUser> {
    if name.trim().is_empty() {
        return Err(UserError::input("用户名为空 / the user name is empty")
            .with_fix(
                "给出用户名，如 beian user add alice / give a name, e.g. beian user add alice",
            )
            .into());
    }
    let (password, generated) = match password {
        Some(password) => (password, false),
        None => (random_hex(GENERATED_PASSWORD_BYTES), true),
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::input(format!(
            "密码至少 {MIN_PASSWORD_CHARS} 个字符 / the password needs at least {MIN_PASSWORD_CHARS} characters"
        ))
        .with_fix("换一个更长的密码，或不给 --password-stdin 让 beian 生成 / choose a longer one, or leave out --password-stdin to have one generated")
        .into());
    }
    let hash = hash_password(password.clone(), cost)
        .await
        .map_err(|error| anyhow::anyhow!("无法计算密码哈希 / cannot hash the password: {error}"))?;
    let user = store
        .create_user(
            actor,
            &NewUser {
                name: name.trim(),
                password_hash: &hash,
                role,
                organisations,
            },
        )
        .await?;
    Ok(CreatedUser {
        user,
        generated_password: generated.then_some(password),
    })
}

/// First run: when the store has no user at all, creates [`BOOTSTRAP_ADMIN`] with a
/// generated password in the default organisation. `None` when users exist already.
pub async fn bootstrap_admin(
    store: &AnyStore,
    actor: &str,
    cost: PasswordCost,
) -> anyhow::Result<Option<CreatedUser>> {
    if !store.list_users().await?.is_empty() {
        return Ok(None);
    }
    add_user(
        store,
        actor,
        BOOTSTRAP_ADMIN,
        Role::Admin,
        &[DEFAULT_ORGANISATION],
        None,
        cost,
    )
    .await
    .map(Some)
}

/// Tells the operator about a new user on stderr; a generated password appears here
/// once and is never stored or logged anywhere else.
pub fn print_created(created: &CreatedUser, context: &str) {
    let user = &created.user;
    eprintln!(
        "{context}已创建用户 {name}（{role}，id {id}）/ created user {name} ({role}, id {id})",
        name = user.name,
        role = user.role.as_str(),
        id = user.id
    );
    if let Some(password) = &created.generated_password {
        eprintln!("  密码（只显示这一次）/ password (shown only this once): {password}");
    }
}

/// The first line of stdin, without its line ending; refuses a terminal (the password
/// would echo) and an empty line.
fn read_password_stdin() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(UserError::input(
            "--password-stdin 需要从管道输入密码 / --password-stdin reads a piped password, not the terminal",
        )
        .with_fix("如 printf '%s' \"$PASSWORD\" | beian user add NAME --password-stdin；或不给该标志让 beian 生成 / e.g. pipe it in, or leave the flag out to have one generated")
        .into());
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|error| anyhow::anyhow!("无法读取标准输入 / cannot read stdin: {error}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(
            UserError::input("标准输入没有密码 / stdin held no password")
                .with_fix("在第一行写入密码 / write the password on the first line")
                .into(),
        );
    }
    Ok(password)
}
