//! The command line as clap sees it: raw flags only. `config.rs` turns the global
//! flags, the environment and `beian.toml` into the `Settings` the commands use.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::case::CaseCommand;
use crate::commands::findings::FindingsCommand;
use crate::commands::report::{AuditExportArgs, ReportArgs};
use crate::commands::scan::ScanArgs;
use crate::commands::serve::ServeArgs;
use crate::commands::user::UserCommand;
use crate::config::Language;

#[derive(Debug, Parser)]
#[command(
    name = "beian",
    version,
    about = "备案卫士 Beian Guard: 管理 ICP 备案、公安联网备案、网站与域名 / keeps filings, sites and domains in order",
    after_help = "退出码 / exit codes: 0 成功 ok · 1 审计链损坏等发现 findings (broken audit chain) · 2 用法或输入错误 usage or input error"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts; each also reads a `BEIAN_*` variable.
#[derive(Debug, Args)]
#[command(next_help_heading = "全局选项 / Global options")]
pub struct GlobalArgs {
    /// 配置文件 / config file (default: ./beian.toml when present)
    #[arg(long, global = true, env = "BEIAN_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// 数据库：SQLite 文件路径或 postgres:// URL / database: SQLite path or postgres:// URL
    #[arg(long, global = true, env = "BEIAN_DATABASE", value_name = "PATH|URL")]
    pub database: Option<String>,
    /// 表格语言 / table language
    #[arg(long, global = true, env = "BEIAN_LANG", value_enum)]
    pub lang: Option<Language>,
    /// 调试日志输出到 stderr（-vv 含 SQL，-vvv 最详细）/ debug logs on stderr (-vv with SQL, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 写入带注释的 beian.toml 并创建数据库 / write a commented beian.toml and create the database
    Init(InitArgs),
    /// 校验备案号、许可证号、公网安备号、统一社会信用代码、身份证号或域名 / validate identifiers
    Validate(ValidateArgs),
    /// 主体（企业、个人、其他组织）/ filing subjects
    #[command(subcommand)]
    Subject(SubjectCommand),
    /// 网站 / websites
    #[command(subcommand)]
    Site(SiteCommand),
    /// 域名 / domains
    #[command(subcommand)]
    Domain(DomainCommand),
    /// 备案与许可证 / filings and licences
    #[command(subcommand)]
    Filing(FilingCommand),
    /// 负责人 / responsible persons
    #[command(subcommand)]
    Person(PersonCommand),
    /// 接入商 / access providers
    #[command(subcommand)]
    Provider(ProviderCommand),
    /// 审计日志 / the audit log
    #[command(subcommand, name = "audit-log")]
    AuditLog(AuditLogCommand),
    /// 从 XLSX/CSV 导入（全部成功或全部不写入）/ import XLSX or CSV, all or nothing
    Import(ImportArgs),
    /// 导出清单 / export the inventory
    Export(ExportArgs),
    /// 实时检查域名或网址（无需数据库）：DNS、注册信息、HTTP、TLS / live check of domains or URLs, no database needed
    Check(CheckArgs),
    /// 扫描清单中的网站：探测、检测、规则、发现、工单 / scan the inventory: probes, detection, rules, findings, cases
    Scan(ScanArgs),
    /// 发现：列出、查看、确认、屏蔽 / findings: list, show, acknowledge, suppress
    #[command(subcommand)]
    Findings(FindingsCommand),
    /// 生成文档：注销申请与声明函、证据报告（PDF/DOCX）、资产概览（HTML）、发现与清单（XLSX）/ documents: cancellation forms, evidence report, portfolio, findings, inventory
    Report(ReportArgs),
    /// 离线分析保存的 WHOIS 或 RDAP 应答，输出 JSON / analyse a saved WHOIS or RDAP answer offline, print JSON
    #[command(subcommand)]
    Inspect(InspectCommand),
    /// 启动模拟互联网实验环境并打印指向它的 beian.toml / run the simulated internet and print the beian.toml pointing at it
    Lab(LabArgs),
    /// 性能测试 / benchmarks
    #[command(subcommand)]
    Bench(BenchCommand),
    /// 备案工单：注销、变更、新增等流程 / filing cases: cancellations, changes, new filings
    #[command(subcommand)]
    Case(CaseCommand),
    /// 启动网页服务：REST API /api/v1 与 /healthz / serve the REST API /api/v1 and /healthz
    Serve(ServeArgs),
    /// 网页与 API 的用户 / users of the web dashboard and API
    #[command(subcommand)]
    User(UserCommand),
    /// 演示：启动实验环境、导入覆盖全部场景的清单、首次扫描并打开仪表盘 / demo: start the lab, import a portfolio covering every scenario, scan it and serve the dashboard
    Demo(crate::commands::demo::DemoArgs),
    /// 只运行定时检查（不含网页），与 beian serve 及其他 worker 共用数据库中的队列 / run only the scheduler (no web), sharing the queue with `beian serve` and other workers
    Worker(crate::commands::worker::WorkerArgs),
}

/// How the probes reach the outside world, on top of `beian.toml`; each flag also reads a
/// `BEIAN_*` variable.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "探测选项 / Probe options")]
pub struct ProbeArgs {
    /// DNS 服务器 ip:port（可多次给出）/ DNS server as ip:port (repeatable)
    #[arg(
        long = "nameserver",
        value_name = "IP:PORT",
        env = "BEIAN_DNS_NAMESERVERS",
        value_delimiter = ','
    )]
    pub nameservers: Vec<String>,
    /// 每个探测的超时，如 5、1.5、500ms / timeout of each probe, e.g. 5, 1.5, 500ms
    #[arg(long, value_name = "SECONDS", env = "BEIAN_TIMEOUT")]
    pub timeout: Option<String>,
    /// 访问身份（可多次给出），如 desktop_browser、baiduspider+baidu_referer / persona (repeatable)
    #[arg(
        long = "persona",
        value_name = "PERSONA",
        env = "BEIAN_HTTP_PERSONAS",
        value_delimiter = ','
    )]
    pub personas: Vec<String>,
    /// 允许探测内网与回环地址 / allow probing private and loopback addresses
    #[arg(long, env = "BEIAN_ALLOW_PRIVATE", value_parser = clap::builder::FalseyValueParser::new())]
    pub allow_private: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// 域名或网址，如 example.com 或 https://www.example.com/path / domain or URL
    #[arg(required = true, value_name = "DOMAIN|URL")]
    pub targets: Vec<String>,
    /// 输出 CheckReport 数组 / print an array of CheckReport
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub probe: ProbeArgs,
}

#[derive(Debug, Subcommand)]
pub enum InspectCommand {
    /// 分析保存的 WHOIS 应答（GBK 亦可）/ analyse a saved WHOIS answer (GBK too)
    Whois {
        /// 保存的应答文件 / the saved answer
        file: PathBuf,
        /// 应答来自哪台服务器，如 whois.cnnic.cn（选择解析规则）/ the server that answered (picks the rules)
        #[arg(long, value_name = "HOST")]
        server: Option<String>,
        /// 查询的域名 / the domain that was asked for
        #[arg(long, value_name = "DOMAIN")]
        domain: Option<String>,
    },
    /// 分析保存的 RDAP 域名应答（JSON）/ analyse a saved RDAP domain answer (JSON)
    Rdap {
        /// 保存的应答文件 / the saved answer
        file: PathBuf,
    },
    /// 离线分析保存的网页，输出结论与信号 JSON / analyse a saved page offline, print verdict and signals as JSON
    Page {
        /// 保存的 HTML 文件（UTF-8 或 GBK）/ the saved HTML (UTF-8 or GBK)
        file: PathBuf,
        /// 网页原来的网址（判断站外链接与跳转）/ the URL the page was fetched from
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// 抓取时的访问身份，如 baiduspider、desktop_browser+baidu_referer / the persona it was fetched as
        #[arg(long, value_name = "PERSONA", default_value = "desktop_browser")]
        persona: String,
        /// 网站所有者的域名（默认取自 --url）/ the owner's domain (default: from --url)
        #[arg(long, value_name = "DOMAIN")]
        owner_domain: Option<String>,
        /// 页脚应展示的 ICP 备案号 / the ICP number the footer should show
        #[arg(long, value_name = "NUMBER")]
        expected_icp: Option<String>,
        /// 页脚应展示的公安联网备案号 / the PSB number the footer should show
        #[arg(long, value_name = "NUMBER")]
        expected_psb: Option<String>,
    },
    /// 离线分析一个网站的多身份抓取目录，输出结论与信号 JSON / analyse a folder of persona captures of one site
    Site {
        /// 目录：<persona>.html、random-N.html，可选 capture.toml / the folder: <persona>.html, random-N.html, optional capture.toml
        dir: PathBuf,
        /// 网站所有者的域名（默认取自 capture.toml 的 host）/ the owner's domain (default: from capture.toml's host)
        #[arg(long, value_name = "DOMAIN")]
        owner_domain: Option<String>,
        /// 页脚应展示的 ICP 备案号 / the ICP number the footer should show
        #[arg(long, value_name = "NUMBER")]
        expected_icp: Option<String>,
        /// 页脚应展示的公安联网备案号 / the PSB number the footer should show
        #[arg(long, value_name = "NUMBER")]
        expected_psb: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct LabArgs {
    /// 另加 N 个批量正常网站 / add N bulk healthy sites
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub bulk: usize,
    /// 把 beian.toml 写到这里 / also write the beian.toml here
    #[arg(long, value_name = "PATH")]
    pub write_config: Option<PathBuf>,
    /// 把覆盖全部场景的清单 CSV 写到这里（可用 beian import 导入）/ also write a portfolio CSV covering every scenario (for beian import)
    #[arg(long, value_name = "PATH")]
    pub portfolio: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// 目录（默认：--config 所在目录或当前目录）/ directory (default: the --config file's, or .)
    pub dir: Option<PathBuf>,
    /// 覆盖已有的 beian.toml / overwrite an existing beian.toml
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// 要校验的号码 / the numbers to validate
    #[arg(required = true, value_name = "NUMBER")]
    pub numbers: Vec<String>,
    /// 按哪种号码校验 / what to validate them as
    #[arg(long = "as", value_enum, default_value_t = ValidateAs::Auto)]
    pub as_kind: ValidateAs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateAs {
    /// 自动识别 / recognise the kind
    Auto,
    /// 备案号或许可证号 / filing or licence number
    Filing,
    /// 统一社会信用代码或身份证号 / USCC or resident ID
    SubjectId,
    /// 域名 / domain name
    Domain,
}

/// Paging and output shared by every `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// 按名称、号码等模糊搜索 / substring search over names and keys
    #[arg(long)]
    pub search: Option<String>,
    /// 每页条数 / rows per page
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    /// 第几页（从 1 开始）/ page number, from 1
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub page: u32,
    #[arg(long)]
    pub json: bool,
}

/// A record named by id or natural key (USCC, home URL, domain name, filing number).
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// ID 或自然键 / id or natural key
    #[arg(value_name = "ID|KEY")]
    pub target: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[arg(value_name = "ID|KEY")]
    pub target: String,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    #[arg(value_name = "ID|KEY")]
    pub target: String,
    /// 关闭或注销日期（默认今天）/ closing or cancellation date (default today)
    #[arg(long, value_name = "DATE")]
    pub on: Option<NaiveDate>,
}

/// What differs between the inventory kinds on the command line; the subcommands
/// themselves (`add list show edit [close] rm`) are shared by `RecordCommand`.
pub trait RecordCli: std::fmt::Debug {
    /// The flags (and positional key) of `add`.
    type Add: Args + std::fmt::Debug;
    /// `list` filters besides search and paging.
    type Filters: Args + std::fmt::Debug;
    /// The flags of `edit` after its target.
    type Fields: Args + std::fmt::Debug;
    /// The help line of `add`, when the kind has one.
    const ADD_ABOUT: Option<&'static str> = None;
    /// The help line of `edit`, when the kind has one.
    const EDIT_ABOUT: Option<&'static str> = None;
    /// The help line of `close`, when the kind has one.
    const CLOSE_ABOUT: Option<&'static str> = None;
    /// How `edit` names its target in the usage line.
    const TARGET: &'static str;
}

/// The subcommands every kind has; the display order leaves room for `close`.
#[derive(Debug, Subcommand)]
pub enum RecordCommand<K: RecordCli> {
    #[command(about = K::ADD_ABOUT, display_order = 1)]
    Add(K::Add),
    #[command(display_order = 2)]
    List {
        #[command(flatten)]
        list: ListArgs,
        #[command(flatten)]
        filters: K::Filters,
    },
    #[command(display_order = 3)]
    Show(ShowArgs),
    #[command(about = K::EDIT_ABOUT, display_order = 4)]
    Edit(EditArgs<K>),
    #[command(display_order = 6)]
    Rm(RemoveArgs),
}

/// Subjects, sites and filings can also be closed (a filing: cancelled).
#[derive(Debug, Subcommand)]
pub enum ClosableCommand<K: RecordCli> {
    #[command(flatten)]
    Record(RecordCommand<K>),
    #[command(about = K::CLOSE_ABOUT, display_order = 5)]
    Close(CloseArgs),
}

#[derive(Debug, Args)]
pub struct EditArgs<K: RecordCli> {
    #[arg(value_name = K::TARGET)]
    pub target: String,
    #[command(flatten)]
    pub fields: K::Fields,
}

// `list` of a kind without filters of its own. A plain comment: clap would take a doc
// comment as the help line of `list`.
#[derive(Debug, Args)]
pub struct NoFilters {}

pub type SubjectCommand = ClosableCommand<SubjectCli>;
pub type SiteCommand = ClosableCommand<SiteCli>;
pub type DomainCommand = RecordCommand<DomainCli>;
pub type FilingCommand = ClosableCommand<FilingCli>;
pub type PersonCommand = RecordCommand<PersonCli>;
pub type ProviderCommand = RecordCommand<ProviderCli>;

#[derive(Debug)]
pub enum SubjectCli {}

impl RecordCli for SubjectCli {
    type Add = SubjectFields;
    type Filters = StatusFilter;
    type Fields = SubjectFields;
    const ADD_ABOUT: Option<&'static str> = Some("新增主体 / add a subject");
    const EDIT_ABOUT: Option<&'static str> =
        Some("只修改给出的字段 / change only the given fields");
    const TARGET: &'static str = "ID|KEY";
}

#[derive(Debug, Args)]
pub struct StatusFilter {
    /// active | closed
    #[arg(long)]
    pub status: Option<String>,
}

#[derive(Debug, Args)]
pub struct SubjectFields {
    /// 主体名称 / name
    #[arg(long)]
    pub name: Option<String>,
    /// 主体性质 company|individual|other_organisation（或 企业/个人/其他组织）
    #[arg(long)]
    pub kind: Option<String>,
    /// 统一社会信用代码或身份证号 / USCC or resident ID number
    #[arg(long)]
    pub id_number: Option<String>,
    /// 主体负责人 / principal
    #[arg(long)]
    pub principal: Option<String>,
    /// 省级行政区划代码，如 11 / province code, e.g. 11
    #[arg(long)]
    pub province: Option<String>,
    /// 备注 / notes
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug)]
pub enum SiteCli {}

impl RecordCli for SiteCli {
    type Add = SiteFields;
    type Filters = SiteFilters;
    type Fields = SiteFields;
    const ADD_ABOUT: Option<&'static str> =
        Some("新增网站（可同时登记域名）/ add a website (and its domains)");
    const TARGET: &'static str = "ID|KEY";
}

#[derive(Debug, Args)]
pub struct SiteFilters {
    /// 主体 ID 或证件号 / subject id or USCC
    #[arg(long)]
    pub subject: Option<String>,
    /// active | closed
    #[arg(long)]
    pub status: Option<String>,
}

#[derive(Debug, Args)]
pub struct SiteFields {
    /// 所属主体 ID 或证件号 / subject id or USCC
    #[arg(long)]
    pub subject: Option<String>,
    /// 网站名称 / site name
    #[arg(long)]
    pub name: Option<String>,
    /// 首页网址，如 https://www.example.com/ / home URL
    #[arg(long)]
    pub url: Option<String>,
    /// 域名（可多次给出；edit 时只新增）/ domain (repeatable; on edit, added)
    #[arg(long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,
    /// 接入商（可多次给出；edit 时整体替换）/ access provider (repeatable; replaces on edit)
    #[arg(long = "provider", value_name = "NAME")]
    pub providers: Vec<String>,
    /// 服务器 IP（可多次给出；edit 时整体替换）/ server IP (repeatable; replaces on edit)
    #[arg(long = "ip", value_name = "IP")]
    pub ips: Vec<String>,
    /// 标签（可多次给出；edit 时整体替换）/ tag (repeatable; replaces on edit)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// 开通日期，如 2024-01-02 / go-live date, e.g. 2024-01-02
    #[arg(long, value_name = "DATE")]
    pub go_live: Option<String>,
    /// 备注 / notes
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug)]
pub enum DomainCli {}

impl RecordCli for DomainCli {
    type Add = DomainAdd;
    type Filters = DomainFilters;
    type Fields = DomainFields;
    const ADD_ABOUT: Option<&'static str> = Some("新增域名 / add a domain");
    const TARGET: &'static str = "ID|NAME";
}

#[derive(Debug, Args)]
pub struct DomainAdd {
    /// 域名（可为中文域名）/ domain name (IDN allowed)
    pub name: String,
    #[command(flatten)]
    pub fields: DomainFields,
}

#[derive(Debug, Args)]
pub struct DomainFilters {
    /// 网站 ID 或首页地址 / website id or home URL
    #[arg(long)]
    pub site: Option<String>,
    /// 在 N 天内到期（含已过期）/ expiring within N days (expired included)
    #[arg(long, value_name = "DAYS")]
    pub expiring_within: Option<u32>,
}

#[derive(Debug, Args)]
pub struct DomainFields {
    /// 网站 ID 或首页地址 / website id or home URL
    #[arg(long)]
    pub site: Option<String>,
    /// 注册商 / registrar
    #[arg(long)]
    pub registrar: Option<String>,
    /// 域名持有者 / holder
    #[arg(long)]
    pub holder: Option<String>,
    /// 到期日，如 2027-01-01 / expiry date, e.g. 2027-01-01
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// 备注 / notes
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug)]
pub enum FilingCli {}

impl RecordCli for FilingCli {
    type Add = FilingAdd;
    type Filters = FilingFilters;
    type Fields = FilingFields;
    const ADD_ABOUT: Option<&'static str> =
        Some("新增备案（类型由号码推出）/ add a filing (kind derived from the number)");
    const CLOSE_ABOUT: Option<&'static str> = Some("注销备案 / mark a filing cancelled");
    const TARGET: &'static str = "ID|NUMBER";
}

#[derive(Debug, Args)]
pub struct FilingAdd {
    /// 备案号或许可证号 / filing or licence number
    pub number: String,
    #[command(flatten)]
    pub fields: FilingFields,
    /// 找不到主体备案号时一并创建 / create the subject filing when missing
    #[arg(long)]
    pub create_parent: bool,
}

#[derive(Debug, Args)]
pub struct FilingFilters {
    #[arg(long)]
    pub subject: Option<String>,
    #[arg(long)]
    pub site: Option<String>,
    /// active | pending | cancelled
    #[arg(long)]
    pub status: Option<String>,
    /// icp_subject | icp_website | icp_app | … | psb
    #[arg(long)]
    pub kind: Option<String>,
}

#[derive(Debug, Args)]
pub struct FilingFields {
    /// 所属主体 ID 或证件号 / subject id or USCC
    #[arg(long)]
    pub subject: Option<String>,
    /// 网站 ID 或首页地址 / website id or home URL
    #[arg(long)]
    pub site: Option<String>,
    /// active | pending | cancelled（或 已备案/审核中/已注销）
    #[arg(long)]
    pub status: Option<String>,
    /// 备案日期，如 2024-01-02 / filing date, e.g. 2024-01-02
    #[arg(long, value_name = "DATE")]
    pub filed_on: Option<String>,
    /// 备注 / notes
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug)]
pub enum PersonCli {}

impl RecordCli for PersonCli {
    type Add = PersonFields;
    type Filters = PersonFilters;
    type Fields = PersonFields;
    const TARGET: &'static str = "ID";
}

#[derive(Debug, Args)]
pub struct PersonFilters {
    #[arg(long)]
    pub subject: Option<String>,
    #[arg(long)]
    pub site: Option<String>,
}

#[derive(Debug, Args)]
pub struct PersonFields {
    /// 所属主体 ID 或证件号 / subject id or USCC
    #[arg(long)]
    pub subject: Option<String>,
    /// 负责的网站 ID 或首页网址 / website id or home URL
    #[arg(long)]
    pub site: Option<String>,
    /// principal | website | emergency（或 主体负责人/网站负责人/应急联系人）
    #[arg(long)]
    pub role: Option<String>,
    /// 姓名 / name
    #[arg(long)]
    pub name: Option<String>,
    /// 电话 / phone
    #[arg(long)]
    pub phone: Option<String>,
    /// 邮箱 / e-mail
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(Debug)]
pub enum ProviderCli {}

impl RecordCli for ProviderCli {
    type Add = ProviderAdd;
    type Filters = NoFilters;
    type Fields = ProviderFields;
    const TARGET: &'static str = "ID|NAME";
}

#[derive(Debug, Args)]
pub struct ProviderAdd {
    /// 接入商名称，如 阿里云 / provider name
    pub name: String,
    /// 备案控制台地址 / filing console URL
    #[arg(long)]
    pub console_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProviderFields {
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub console_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditLogCommand {
    /// 校验哈希链；损坏时退出码 1 / verify the hash chain; exit 1 when broken
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// 列出审计记录 / list audit entries
    List {
        /// subject | website | domain | filing | person | access_provider
        #[arg(long)]
        entity: Option<String>,
        #[arg(long)]
        id: Option<i64>,
        /// 最多条数，0 为不限 / at most this many, 0 for all
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// 导出一个网站的证据包：审计记录、观测、发现、工单、证据报告与 SHA-256 清单 / export a site's evidence bundle with a SHA-256 manifest
    Export(AuditExportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// XLSX 或 CSV 文件 / XLSX or CSV file
    #[arg(required_unless_present = "template", conflicts_with = "template")]
    pub file: Option<PathBuf>,
    /// 只校验不写入 / validate without writing
    #[arg(long)]
    pub dry_run: bool,
    /// 写出导入模板 / write an import template
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub template: Option<TemplateFormatArg>,
    /// 模板输出路径 / where to write the template
    #[arg(long, requires = "template")]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormatArg {
    Xlsx,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// 输出路径（JSON/CSV 默认输出到 stdout）/ output path (JSON/CSV default: stdout)
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Xlsx,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// 生成并导入 N 行工作簿，输出耗时 JSON / import a generated N-row workbook, print timings
    Import {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
    },
    /// 在实验环境中检查 N 个网站，输出吞吐量、内存与各探测耗时 JSON / check N lab sites, print throughput, memory and per-probe timings
    Probes {
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=200_000))]
        sites: u32,
        /// 同时检查的网站数（128 在双核上最快：更多只会在实验室 DNS 排队）/ sites checked at once
        /// (128 is fastest on two cores; more only queues at the lab's DNS)
        #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..=4096))]
        concurrency: u32,
    },
    /// 用标注语料评估检测：各技术的精确率、召回率、误报率与吞吐量 JSON / run the labelled corpus, print precision, recall, false-positive rate and throughput
    Detect {
        /// 语料目录（默认 crates/beian-detect/corpus）/ the corpus folder (default: crates/beian-detect/corpus)
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
    },
    /// 在内存中生成 N 个网站的证据并运行全部规则，输出耗时 JSON / judge N synthetic sites in memory, print timings
    Rules {
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=2_000_000))]
        sites: u32,
    },
    /// 在临时数据库中生成网站与问题，启动网页服务并以并发客户端压测页面与列表 API，输出各路由 p50/p95 JSON / seed a temporary store, serve it and load the pages and list APIs with concurrent clients, print p50/p95 per route
    Serve {
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=2_000_000))]
        sites: u32,
        /// 问题总数，平均分配到各网站（默认 50 万：100 万条的写入约需 4 分钟）/ findings in
        /// total, spread over the sites (default 500,000: seeding 1,000,000 takes ~4 minutes)
        #[arg(long, default_value_t = 500_000, value_parser = clap::value_parser!(u32).range(0..=20_000_000))]
        findings: u32,
        /// 并发客户端数 / concurrent clients
        #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
        clients: u32,
        /// 压测时长（秒）/ how long the clients run, in seconds
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        seconds: u64,
        /// 把生成的数据库保存在此路径；已存在则直接复用（不再生成）/ keep the seeded SQLite
        /// store at PATH; when it exists, reuse it instead of seeding again. Not the global
        /// `--database`: a bench must never write into the store `BEIAN_DATABASE` names.
        #[arg(long, value_name = "PATH")]
        bench_store: Option<PathBuf>,
        /// 压测期间同时写入扫描结果（模拟正在运行的扫描）/ while the clients run, keep
        /// writing scan judgements as a running scan does
        #[arg(long)]
        with_scan: bool,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// A subcommand flag that shares a global flag's name but not its type panics when
    /// read, which `debug_assert` does not catch: parse the bench's own store flag.
    #[test]
    fn bench_serve_store_flag_is_its_own() {
        use clap::Parser as _;
        let cli = Cli::try_parse_from([
            "beian",
            "--database",
            "real.db",
            "bench",
            "serve",
            "--bench-store",
            "/tmp/bench.db",
        ])
        .expect("parses");
        assert_eq!(cli.global.database.as_deref(), Some("real.db"));
        let debug = format!("{cli:?}");
        assert!(
            debug.contains("bench_store: Some(\"/tmp/bench.db\")"),
            "{debug}"
        );
    }
}
