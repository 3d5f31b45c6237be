//! WHOIS (registry, registrar, CNNIC with GBK) and RDAP (200, 404, 429).

use beian_lab::{ScenarioKind, hostile};

use crate::{rdap_get, site, start_lab, whois};

const LIMIT: usize = 64 * 1024;

#[tokio::test]
async fn registry_answer_refers_to_the_registrar() {
    let lab = start_lab().await;
    let healthy = site(&lab, ScenarioKind::Healthy);
    let expires = healthy.expected.expires_on.expect("registered");
    let text =
        String::from_utf8(whois(lab.endpoints().whois_registry, "healthy-shop.com", LIMIT).await)
            .expect("UTF-8");
    assert!(text.contains("Domain Name: HEALTHY-SHOP.COM"), "{text}");
    assert!(
        text.contains(&format!("Registry Expiry Date: {expires}T02:00:00Z")),
        "{text}"
    );
    assert!(text.contains(&format!(
        "Registrar WHOIS Server: {}",
        lab.endpoints().whois_registrar_referral
    )));
    assert!(text.contains(
        "Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited"
    ));
    let registrar =
        String::from_utf8(whois(lab.endpoints().whois_registrar, "healthy-shop.com", LIMIT).await)
            .expect("UTF-8");
    assert!(
        registrar.contains(&format!(
            "Registrar Registration Expiration Date: {expires}T02:00:00Z"
        )),
        "{registrar}"
    );
    assert!(registrar.contains("Registrant Organization: 北京青禾网络科技有限公司"));
    assert!(
        !registrar.contains("Registrar WHOIS Server"),
        "the registrar must not refer onwards"
    );

    let dropped =
        String::from_utf8(whois(lab.endpoints().whois_registry, "dropped-domain.com", LIMIT).await)
            .expect("UTF-8");
    assert!(
        dropped.starts_with("No match for \"DROPPED-DOMAIN.COM\"."),
        "{dropped}"
    );
}

#[tokio::test]
async fn re_registration_shows_new_creation_and_registrar() {
    let lab = start_lab().await;
    let site = site(&lab, ScenarioKind::ReRegistered);
    let created = site.expected.created_on.expect("registered");
    assert_eq!(created, crate::today() - chrono::Days::new(20));
    let text = String::from_utf8(whois(lab.endpoints().whois_registry, &site.domain, LIMIT).await)
        .expect("UTF-8");
    assert!(
        text.contains(&format!("Creation Date: {created}T02:00:00Z")),
        "{text}"
    );
    assert!(text.contains("Registrar: Gname.com Pte. Ltd."));
    assert!(text.contains("Name Server: NS1.GNAME-DNS.COM"));
}

#[tokio::test]
async fn cnnic_answers_in_beijing_time_and_gbk() {
    let lab = start_lab().await;
    let expiring = site(&lab, ScenarioKind::ExpiringSoon);
    let expires = expiring.expected.expires_on.expect("registered");
    assert_eq!(expires, crate::today() + chrono::Days::new(5));
    let text =
        String::from_utf8(whois(lab.endpoints().whois_cnnic, "expiring-soon.cn", LIMIT).await)
            .expect("UTF-8");
    assert!(
        text.contains(&format!("Expiration Time: {expires} 10:00:00\r\n")),
        "{text}"
    );
    assert!(text.contains("Sponsoring Registrar: 北京新网数码信息技术有限公司"));
    assert!(text.contains("Registration Time: "));

    let gbk = site(&lab, ScenarioKind::GbkPage);
    let bytes = whois(lab.endpoints().whois_cnnic, &gbk.domain_ascii, LIMIT).await;
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the answer must be GBK, not UTF-8"
    );
    let (decoded, _, had_errors) = encoding_rs::GBK.decode(&bytes);
    assert!(!had_errors);
    assert!(decoded.contains("Domain Name: 国货老店.中国"), "{decoded}");
    assert!(decoded.contains("Registrant: 天津国货老店商贸有限公司"));
    assert!(decoded.contains("Sponsoring Registrar: 腾讯云计算（北京）有限责任公司"));

    // The Unicode query, sent as UTF-8, gets the same record.
    let unicode = whois(lab.endpoints().whois_cnnic, "国货老店.中国", LIMIT).await;
    assert_eq!(unicode, bytes);

    let missing = whois(lab.endpoints().whois_cnnic, "never-registered.cn", LIMIT).await;
    assert_eq!(missing, b"no matching record.\r\n");
}

#[tokio::test]
async fn hostile_whois_answers() {
    let lab = start_lab().await;
    let huge = whois(
        lab.endpoints().whois_cnnic,
        "huge-whois.cn",
        20 * 1024 * 1024,
    )
    .await;
    assert_eq!(huge.len(), hostile::OVERSIZED_WHOIS_BYTES);
    assert!(huge.starts_with(b"Domain Name: huge-whois.cn"));
    let limited =
        String::from_utf8(whois(lab.endpoints().whois_registry, "rate-limited.com", LIMIT).await)
            .expect("UTF-8");
    assert!(limited.contains("limit exceeded"), "{limited}");
}

#[tokio::test]
async fn rdap_domain_object_and_errors() {
    let lab = start_lab().await;
    let expired = site(&lab, ScenarioKind::ExpiredFilingActive);
    let response = rdap_get(&lab, "/rdap/domain/expired-filing.com").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/rdap+json")
    );
    let json: serde_json::Value = serde_json::from_slice(&response.body).expect("JSON");
    let event = |action: &str| {
        json["events"]
            .as_array()
            .and_then(|events| events.iter().find(|e| e["eventAction"] == action))
            .and_then(|e| e["eventDate"].as_str())
            .map(str::to_owned)
    };
    let expires = expired.expected.expires_on.expect("registered");
    assert_eq!(event("expiration"), Some(format!("{expires}T02:00:00Z")));
    assert!(event("registration").is_some() && event("last changed").is_some());
    let statuses: Vec<_> = json["status"]
        .as_array()
        .expect("statuses")
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert_eq!(statuses, ["client hold", "auto renew period"]);
    assert_eq!(json["nameservers"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["entities"][0]["roles"][0], "registrar");

    let redemption = rdap_get(&lab, "/rdap/domain/redemption-period.net").await;
    let json: serde_json::Value = serde_json::from_slice(&redemption.body).expect("JSON");
    assert_eq!(json["status"][0], "redemption period");

    let dropped = rdap_get(&lab, "/rdap/domain/dropped-domain.com").await;
    assert_eq!(dropped.status, 404);
    let limited = rdap_get(&lab, "/rdap/domain/rate-limited.com").await;
    assert_eq!(limited.status, 429);
    assert_eq!(
        limited.header("retry-after"),
        Some(hostile::RATE_LIMIT_RETRY_AFTER_SECS.to_string().as_str())
    );
    let cn = rdap_get(&lab, "/rdap/domain/expiring-soon.cn").await;
    assert_eq!(cn.status, 404, ".cn has no RDAP");
}
