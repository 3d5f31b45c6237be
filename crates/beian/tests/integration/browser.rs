//! Browser tests: `beian demo` serves the dashboard and headless Chromium, driven through
//! chromedriver's W3C WebDriver HTTP API, walks it the way a person does every morning —
//! sign in, read the overview, open the hijacked site's evidence, suppress a finding, see the
//! attacker's markup (a `<script>` title, `<img onerror>` WHOIS fields) shown as text and never
//! run, download a cancellation application as a PDF, tick a case checklist item and switch
//! to English.
//!
//! They run only with `BEIAN_BROWSER_TESTS=1` (CI installs Debian's `chromium`,
//! `chromium-driver`, `fonts-noto-cjk` and `poppler-utils`), so `cargo test --workspace` still passes on machines without a
//! browser. On failure the page's screenshot and HTML are saved under
//! `$CARGO_TARGET_DIR/browser-screenshots/` (or `target/browser-screenshots/`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::Workspace;
use crate::serve::Server;

/// The variable that turns the browser tests on.
const GATE: &str = "BEIAN_BROWSER_TESTS";

/// The Debian packages that provide the browser, its driver, the fonts the pages need and
/// `pdftotext`, which reads the downloaded PDF back.
const PACKAGES: &str = "chromium chromium-driver fonts-noto-cjk poppler-utils";

/// W3C WebDriver's key for an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a page may take to show what the test waits for.
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a download may take to land in the download folder.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// The subject of the expired-filing site, whose cancellation application is downloaded.
const EXPIRED_FILING_SUBJECT: &str = "北京远山教育咨询有限公司";

/// How long chromedriver may take to answer its status endpoint.
const DRIVER_TIMEOUT: Duration = Duration::from_secs(30);

/// A step that did not go as a person would see it: what was expected, in words.
type Step<T = ()> = Result<T, String>;

/// A running chromedriver, killed when dropped.
struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts chromedriver on a port the system picks and waits until it answers.
    async fn start(binary: &Path, http: &reqwest::Client) -> Driver {
        // chromedriver takes a port, not a listener: ask the system for a free one.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free local port")
            .port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + DRIVER_TIMEOUT;
        loop {
            let ready = http
                .get(format!("{}/status", driver.base))
                .send()
                .await
                .ok()
                .filter(|answer| answer.status().is_success());
            if ready.is_some() {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on {} within {DRIVER_TIMEOUT:?}",
                driver.base
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// One WebDriver session: a headless Chromium window.
struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`.
    session: String,
}

impl Browser {
    /// Downloads go to `downloads` without asking. A JavaScript dialog stays open
    /// (`unhandledPromptBehavior: ignore`) so the test sees it instead of the driver quietly
    /// dismissing it.
    async fn open(
        http: reqwest::Client,
        driver: &Driver,
        chromium: &Path,
        downloads: &Path,
    ) -> Browser {
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "unhandledPromptBehavior": "ignore",
                "goog:chromeOptions": {
                    "prefs": {
                        "download.default_directory": downloads,
                        "download.prompt_for_download": false,
                        "download.directory_upgrade": true,
                    },
                    "binary": chromium,
                    "args": [
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--window-size=1280,1024",
                    ],
                },
            }},
        });
        let answer = command(
            &http,
            "POST",
            &format!("{}/session", driver.base),
            &capabilities,
        )
        .await
        .unwrap_or_else(|error| panic!("chromedriver opened no Chromium session: {error}"));
        let id = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in {answer}"));
        Browser {
            session: format!("{}/session/{id}", driver.base),
            http,
        }
    }

    async fn call(&self, method: &str, path: &str, body: &Value) -> Step<Value> {
        command(&self.http, method, &format!("{}{path}", self.session), body).await
    }

    async fn goto(&self, url: &str) -> Step {
        self.call("POST", "/url", &json!({ "url": url })).await?;
        Ok(())
    }

    async fn current_url(&self) -> Step<String> {
        let url = self.call("GET", "/url", &Value::Null).await?;
        Ok(url.as_str().unwrap_or_default().to_owned())
    }

    /// Every element matching `css`, below `within` or in the whole page.
    async fn find_all(&self, css: &str, within: Option<&str>) -> Step<Vec<String>> {
        let path = match within {
            Some(parent) => format!("/element/{parent}/elements"),
            None => "/elements".to_owned(),
        };
        let found = self
            .call(
                "POST",
                &path,
                &json!({ "using": "css selector", "value": css }),
            )
            .await?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|element| element[ELEMENT_KEY].as_str().map(str::to_owned))
            .collect())
    }

    /// The first element matching `css`, or a step failure naming the selector.
    async fn find(&self, css: &str, within: Option<&str>) -> Step<String> {
        self.find_all(css, within)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| format!("no element matches {css:?}"))
    }

    async fn text(&self, element: &str) -> Step<String> {
        let text = self
            .call("GET", &format!("/element/{element}/text"), &Value::Null)
            .await?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    async fn attribute(&self, element: &str, name: &str) -> Step<String> {
        let value = self
            .call(
                "GET",
                &format!("/element/{element}/attribute/{name}"),
                &Value::Null,
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    async fn type_into(&self, element: &str, text: &str) -> Step {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            &json!({ "text": text }),
        )
        .await?;
        Ok(())
    }

    async fn click(&self, element: &str) -> Step {
        self.call("POST", &format!("/element/{element}/click"), &json!({}))
            .await?;
        Ok(())
    }

    /// Sets an input's value directly: typing into `<input type=date>` depends on the
    /// browser's locale, the value property does not.
    async fn set_value(&self, element: &str, value: &str) -> Step {
        self.call(
            "POST",
            "/execute/sync",
            &json!({
                "script": "arguments[0].value = arguments[1];",
                "args": [{ ELEMENT_KEY: element }, value],
            }),
        )
        .await?;
        Ok(())
    }

    /// The visible text of the page.
    async fn page_text(&self) -> Step<String> {
        let body = self.find("body", None).await?;
        self.text(&body).await
    }

    /// Waits until the visible text contains `needle` (pages load after clicks and redirects).
    async fn wait_for_text(&self, needle: &str) -> Step<String> {
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            // The body may be replaced mid-navigation; a stale element only means "not yet".
            // An open dialog is never "not yet": it is what the page ran.
            match self.page_text().await {
                Ok(text) if text.contains(needle) => return Ok(text),
                Err(error) if error.contains("unexpected alert open") => {
                    return Err(format!("a JavaScript dialog opened: {error}"));
                }
                _ => {}
            }
            if Instant::now() >= deadline {
                let url = self.current_url().await.unwrap_or_default();
                return Err(format!(
                    "{url} never showed {needle:?} within {PAGE_TIMEOUT:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails if a JavaScript dialog (alert, confirm, prompt) is open: WebDriver must answer
    /// "no such alert" when asked for its text.
    async fn no_dialog_open(&self) -> Step {
        match self.call("GET", "/alert/text", &Value::Null).await {
            Ok(text) => {
                // Close it so the evidence saved on failure is the page, not the dialog.
                let _ = self.call("POST", "/alert/dismiss", &json!({})).await;
                Err(format!("a JavaScript dialog opened saying {text}"))
            }
            Err(error) if error.contains("no such alert") => Ok(()),
            Err(error) => Err(format!("asking for an open dialog failed: {error}")),
        }
    }

    /// Saves the screenshot and the HTML of the current page; the paths saved.
    async fn save_evidence(&self, name: &str) -> Vec<PathBuf> {
        let dir = screenshot_dir();
        if let Err(error) = std::fs::create_dir_all(&dir) {
            eprintln!("cannot create {}: {error}", dir.display());
            return Vec::new();
        }
        let mut saved = Vec::new();
        if let Ok(png) = self.call("GET", "/screenshot", &Value::Null).await
            && let Some(bytes) = png
                .as_str()
                .and_then(|png| base64::engine::general_purpose::STANDARD.decode(png).ok())
        {
            let path = dir.join(format!("{name}.png"));
            if std::fs::write(&path, bytes).is_ok() {
                saved.push(path);
            }
        }
        if let Ok(html) = self.call("GET", "/source", &Value::Null).await {
            let path = dir.join(format!("{name}.html"));
            if std::fs::write(&path, html.as_str().unwrap_or_default()).is_ok() {
                saved.push(path);
            }
        }
        saved
    }

    async fn close(&self) {
        let _ = self.call("DELETE", "", &Value::Null).await;
    }
}

/// One WebDriver command; its `value`, or the driver's error in words.
async fn command(http: &reqwest::Client, method: &str, url: &str, body: &Value) -> Step<Value> {
    let request = match method {
        "GET" => http.get(url),
        "DELETE" => http.delete(url),
        _ => http
            .post(url)
            .header("Content-Type", "application/json")
            .body(body.to_string()),
    };
    let answer = request
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .map_err(|error| format!("{method} {url}: {error}"))?;
    let status = answer.status();
    let bytes = answer
        .bytes()
        .await
        .map_err(|error| format!("{method} {url}: {error}"))?;
    let mut answer: Value = serde_json::from_slice(&bytes).map_err(|error| {
        format!(
            "{method} {url}: not JSON ({error}): {}",
            String::from_utf8_lossy(&bytes)
        )
    })?;
    if !status.is_success() {
        return Err(format!(
            "{method} {url}: {status} {} {}",
            answer["value"]["error"], answer["value"]["message"]
        ));
    }
    // A new session answers `{value: {sessionId, capabilities}}`; every other command
    // answers `{value: …}` too.
    Ok(answer["value"].take())
}

/// Plain HTTP to chromedriver on loopback. The workspace's reqwest has no default TLS
/// provider, so the builder needs one (ring, as everywhere else) even though it is unused.
fn http_client() -> reqwest::Client {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .build()
        .expect("an HTTP client for chromedriver")
}

/// Where failures leave their screenshots.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("browser-screenshots")
}

/// The first of `names` found on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// `href` as a path on the dashboard (drivers may answer the attribute resolved).
fn path_of<'a>(base: &str, href: &'a str) -> &'a str {
    href.strip_prefix(base).unwrap_or(href)
}

/// Finds `domain` in the sites list and opens its page; the page's path (`/sites/ID`).
async fn open_site(browser: &Browser, base: &str, domain: &str) -> Step<String> {
    browser.goto(&format!("{base}/sites?q={domain}")).await?;
    let link = browser
        .find("table tbody a[href^='/sites/']", None)
        .await
        .map_err(|error| format!("{domain} is not in the sites list: {error}"))?;
    let href = browser.attribute(&link, "href").await?;
    browser.click(&link).await?;
    browser.wait_for_text(domain).await?;
    Ok(path_of(base, &href).to_owned())
}

/// The markup site: its `<script>` title and the `<img onerror>` in its registrant are on
/// the page as text; no dialog opened and no element was made from them.
async fn shows_attacker_markup_as_text(browser: &Browser, base: &str) -> Step {
    let title = beian_lab::markup::SCRIPT_TITLE;
    let img = beian_lab::markup::IMG_ONERROR;
    open_site(browser, base, "markup-injection.cn").await?;
    browser.no_dialog_open().await?;
    // An injected image fails to load (src=x) a moment after parsing: give it that moment.
    // (The Content-Security-Policy would also stop an inline script: the elements are looked
    // for directly, not only through the dialog they would open.)
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser.no_dialog_open().await?;
    let injected = browser
        .call(
            "POST",
            "/execute/sync",
            &json!({
                "script": "return {\
                    images: document.querySelectorAll('img[onerror]').length,\
                    scripts: Array.from(document.scripts)\
                        .filter(s => s.textContent.includes('beian-xss')).length,\
                };",
                "args": [],
            }),
        )
        .await?;
    if injected["images"] != 0 || injected["scripts"] != 0 {
        return Err(format!(
            "the attacker's markup became elements on the site page: {injected}"
        ));
    }
    let text = browser
        .wait_for_text(title)
        .await
        .map_err(|error| format!("the script title is not shown as text: {error}"))?;
    if !text.contains(img) {
        return Err(format!(
            "the registrant's {img} is not shown as text: {text}"
        ));
    }
    Ok(())
}

/// Waits for the one finished download in `dir` (Chrome writes `*.crdownload` first).
async fn downloaded_file(dir: &Path) -> Step<PathBuf> {
    let deadline = Instant::now() + DOWNLOAD_TIMEOUT;
    loop {
        let finished: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|error| format!("cannot read the download folder {}: {error}", dir.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                path.extension().is_none_or(|ext| ext != "crdownload")
                    && std::fs::metadata(path).is_ok_and(|meta| meta.len() > 0)
            })
            .collect();
        if let [file] = finished.as_slice() {
            return Ok(file.clone());
        }
        if finished.len() > 1 {
            return Err(format!("more than one download: {finished:?}"));
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "nothing was downloaded into {} within {DOWNLOAD_TIMEOUT:?}",
                dir.display()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The cancellation case the first scan opened for the expired-filing site offers its
/// application as a PDF naming the subject.
async fn downloads_the_cancellation_pdf(browser: &Browser, base: &str, downloads: &Path) -> Step {
    let site = open_site(browser, base, "expired-filing.com").await?;
    browser.goto(&format!("{base}/cases")).await?;
    let mut case = None;
    for article in browser.find_all("article.case", None).await? {
        let on_site = browser
            .find(&format!("small a[href='{site}']"), Some(&article))
            .await
            .is_ok();
        if on_site {
            let link = browser.find("b a", Some(&article)).await?;
            case = Some(path_of(base, &browser.attribute(&link, "href").await?).to_owned());
            break;
        }
    }
    let case = case.ok_or_else(|| format!("the case board has no case for {site}"))?;
    browser.goto(&format!("{base}{case}")).await?;
    browser.wait_for_text("下载注销申请 (PDF)").await?;
    let mut link = None;
    for candidate in browser.find_all("ul.documents a", None).await? {
        if browser.text(&candidate).await?.trim() == "下载注销申请 (PDF)" {
            link = Some(candidate);
            break;
        }
    }
    let link = link.ok_or_else(|| format!("{case} has no link 下载注销申请 (PDF)"))?;
    let href = browser.attribute(&link, "href").await?;
    let wanted = format!("{case}/documents/cancellation.pdf");
    if path_of(base, &href) != wanted {
        return Err(format!("the PDF link goes to {href}, not {wanted}"));
    }
    browser.click(&link).await?;
    let file = downloaded_file(downloads).await?;
    let bytes =
        std::fs::read(&file).map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    if !bytes.starts_with(b"%PDF") {
        return Err(format!(
            "{} is not a PDF: {:?}",
            file.display(),
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        ));
    }
    let pdftotext = on_path(&["pdftotext"])
        .ok_or_else(|| format!("no pdftotext on PATH: apt-get install {PACKAGES}"))?;
    let output = Command::new(pdftotext)
        .arg(&file)
        .arg("-")
        .output()
        .map_err(|error| format!("pdftotext {}: {error}", file.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    // Layout may put spaces or line breaks between CJK characters.
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !output.status.success() || !squeezed.contains(EXPIRED_FILING_SUBJECT) {
        return Err(format!(
            "the cancellation PDF does not name {EXPIRED_FILING_SUBJECT} (pdftotext {}): {text}",
            output.status
        ));
    }
    Ok(())
}

/// The walk through the dashboard; the first step that fails, in words.
async fn walk(browser: &Browser, base: &str, password: &str, downloads: &Path) -> Step {
    // Sign in with the password `beian demo` printed.
    browser.goto(&format!("{base}/login")).await?;
    let name = browser.find("input[name=name]", None).await?;
    browser.type_into(&name, "admin").await?;
    let secret = browser.find("input[name=password]", None).await?;
    browser.type_into(&secret, password).await?;
    let submit = browser
        .find("form[action='/login'] button[type=submit]", None)
        .await?;
    browser.click(&submit).await?;
    let overview = browser.wait_for_text("退出").await?;
    if !overview.contains("概览") {
        return Err(format!(
            "the overview is not shown after signing in: {overview}"
        ));
    }

    // The overview puts the critical findings first: the demo has hijacked sites.
    let card = browser.find(".cards .card.sev-critical b", None).await?;
    let critical = browser.text(&card).await?;
    match critical.trim().parse::<u64>() {
        Ok(count) if count > 0 => {}
        _ => {
            return Err(format!(
                "the overview counts {critical:?} critical findings"
            ));
        }
    }

    // The hijacked news site shows its evidence: signals with their snippets.
    open_site(browser, base, "hijacked-news.com.cn").await?;
    let site = browser.page_text().await?;
    if !site.contains("信号") {
        return Err(format!("the site page has no signals section: {site}"));
    }
    let signals = browser.find_all(".signal", None).await?;
    if signals.is_empty() {
        return Err("the hijacked site shows no signal".to_owned());
    }
    let snippets = browser.find_all(".signal .snippets code", None).await?;
    let mut shown = Vec::new();
    for snippet in &snippets {
        shown.push(browser.text(snippet).await?);
    }
    if shown.iter().all(|snippet| snippet.trim().is_empty()) {
        return Err("the hijacked site's signals show no snippet".to_owned());
    }

    // Suppress one of its findings with a reason and an end date.
    let reason = "浏览器测试：已联系接入商 browser test";
    let until = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let form = browser.find("form.suppress", None).await?;
    let reason_input = browser.find("input[name=reason]", Some(&form)).await?;
    browser.type_into(&reason_input, reason).await?;
    let until_input = browser.find("input[name=until]", Some(&form)).await?;
    browser.set_value(&until_input, &until).await?;
    let button = browser.find("button[type=submit]", Some(&form)).await?;
    browser.click(&button).await?;
    browser.wait_for_text("信号").await?;
    browser
        .goto(&format!("{base}/findings?state=suppressed"))
        .await?;
    browser
        .wait_for_text(&format!("{reason} · {until}"))
        .await
        .map_err(|error| format!("the suppression is not listed: {error}"))?;

    // The attacker's markup is shown as text and never run.
    shows_attacker_markup_as_text(browser, base).await?;

    // The expired-filing site's cancellation application downloads as a PDF.
    downloads_the_cancellation_pdf(browser, base, downloads).await?;

    // Tick a checklist item of a case the first scan opened.
    browser.goto(&format!("{base}/cases")).await?;
    let mut cases = Vec::new();
    for link in browser.find_all("article.case b a", None).await? {
        cases.push(browser.attribute(&link, "href").await?);
    }
    let mut ticked = false;
    for case in &cases {
        browser.goto(&format!("{base}{case}")).await?;
        let before = browser.page_text().await?.matches('☑').count();
        let mut unticked = None;
        for item in browser.find_all("ul.checklist li", None).await? {
            if browser.text(&item).await?.contains('☐')
                && let Ok(button) = browser.find("form button", Some(&item)).await
            {
                unticked = Some(button);
                break;
            }
        }
        let Some(button) = unticked else {
            continue;
        };
        browser.click(&button).await?;
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            let after = browser
                .page_text()
                .await
                .map(|text| text.matches('☑').count())
                .unwrap_or(before);
            if after == before + 1 {
                break;
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "ticking an item of {case} left {after} ticked, not {}",
                    before + 1
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ticked = true;
        break;
    }
    if !ticked {
        return Err(format!("no case has an item left to tick: {cases:?}"));
    }

    // Switch to English: the same page in English, and it stays English.
    let switch = browser.find("a.lang", None).await?;
    browser.click(&switch).await?;
    browser.wait_for_text("Sign out").await?;
    let checklist = browser.page_text().await?;
    if !checklist.contains("Checklist") {
        return Err(format!("the case page is not in English: {checklist}"));
    }
    browser.goto(&format!("{base}/")).await?;
    let english = browser.wait_for_text("Overview").await?;
    if !english.contains("Most severe findings") {
        return Err(format!("the overview is not in English: {english}"));
    }
    let html = browser.find("html", None).await?;
    let lang = browser.attribute(&html, "lang").await?;
    if lang != "en" {
        return Err(format!("<html lang={lang:?}> after switching to English"));
    }
    Ok(())
}

#[test]
fn a_person_walks_the_demo_dashboard_in_chromium() {
    if std::env::var(GATE).as_deref() != Ok("1") {
        eprintln!("skipped: browser tests run with {GATE}=1 (needs Debian {PACKAGES})");
        return;
    }
    let chromium = on_path(&["chromium", "chromium-browser"])
        .unwrap_or_else(|| panic!("{GATE}=1 but no chromium on PATH: apt-get install {PACKAGES}"));
    let chromedriver = on_path(&["chromedriver"]).unwrap_or_else(|| {
        panic!("{GATE}=1 but no chromedriver on PATH: apt-get install {PACKAGES}")
    });

    let workspace = Workspace::empty();
    let downloads = workspace.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("a download folder");
    let dir = workspace.path().join("demo");
    let dir = dir.to_str().expect("a UTF-8 temp path");
    let server = Server::spawn(&workspace, &["demo", "--bind", "127.0.0.1:0", "--dir", dir]);
    let password = server
        .generated_password()
        .expect("beian demo prints the admin's password");
    let base = format!("http://{}", server.address);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the WebDriver client");
    runtime.block_on(async {
        let http = http_client();
        let driver = Driver::start(&chromedriver, &http).await;
        let browser = Browser::open(http, &driver, &chromium, &downloads).await;
        let outcome = walk(&browser, &base, &password, &downloads).await;
        let saved = match &outcome {
            Ok(()) => Vec::new(),
            Err(_) => browser.save_evidence("demo-walk").await,
        };
        browser.close().await;
        if let Err(failure) = outcome {
            panic!("{failure}\nsaved: {saved:?}");
        }
    });
}
