//! TLS rules: the site's certificate is about to expire, or is not one a browser accepts.

use serde_json::json;

use super::{Drafts, RuleSettings, SiteView, ids};
use crate::finding::Severity;

/// Verdict → (zh, en) description of why the certificate is refused.
fn invalid_reason(verdict: &str) -> (&'static str, &'static str) {
    match verdict {
        "expired" => ("证书已过期", "the certificate has expired"),
        "not_yet_valid" => ("证书尚未生效", "the certificate is not yet valid"),
        "self_signed" => ("证书为自签名", "the certificate is self-signed"),
        "name_mismatch" => (
            "证书不包含该主机名",
            "the certificate does not name this host",
        ),
        "unknown_issuer" => (
            "证书签发机构不受信任",
            "the certificate's issuer is not trusted",
        ),
        _ => ("证书校验失败", "the certificate failed validation"),
    }
}

pub(super) fn judge(site: &SiteView, settings: &RuleSettings, drafts: &mut Drafts) {
    let Some(web) = site.web() else {
        return;
    };
    let Some(tls) = &web.tls else {
        return;
    };
    let Some(host) = site.site_host() else {
        return;
    };
    let issuer = tls.issuer.as_deref().unwrap_or("-");
    let not_after = || {
        tls.not_after.map_or_else(
            || "-".to_owned(),
            |date| date.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
    };
    let evidence = || {
        json!({
            "host": host,
            "url": web.url,
            "verdict": tls.verdict,
            "not_after": tls.not_after,
            "days_left": tls.days_left,
            "issuer": tls.issuer,
            "detail": tls.detail,
        })
    };
    match tls.verdict.as_str() {
        // No certificate could be read at all (no HTTPS): not a certificate problem.
        "failed" => {}
        "valid" => {
            let Some(days_left) = tls.days_left else {
                return;
            };
            if days_left > i64::from(settings.tls_warn_days) {
                return;
            }
            let not_after = not_after();
            drafts.push(
                ids::TLS_EXPIRING,
                host,
                Severity::Medium,
                (
                    format!(
                        "{host} 的 HTTPS 证书将于 {not_after} 到期，还剩 {days_left} 天（签发者：{issuer}）。"
                    ),
                    format!(
                        "The TLS certificate of {host} expires at {not_after}, in {days_left} days (issuer: {issuer})."
                    ),
                ),
                evidence(),
            );
        }
        verdict => {
            let (reason_zh, reason_en) = invalid_reason(verdict);
            let not_after = not_after();
            let detail = tls.detail.as_deref().map(|detail| super::clip(detail, 160));
            let (detail_zh, detail_en) = match &detail {
                Some(detail) => (format!("：{detail}"), format!(": {detail}")),
                None => (String::new(), String::new()),
            };
            drafts.push(
                ids::TLS_INVALID,
                host,
                Severity::High,
                (
                    format!(
                        "{host} 的 HTTPS 证书无效，{reason_zh}{detail_zh}（签发者：{issuer}，到期 {not_after}）。"
                    ),
                    format!(
                        "The TLS certificate of {host} is invalid: {reason_en}{detail_en} (issuer: {issuer}, not after {not_after})."
                    ),
                ),
                evidence(),
            );
        }
    }
}
