//! Integration tests of beian-detect (one test binary).

mod corpus;
mod footer;
mod js_screen;
mod lexicon;
mod page_facts;
mod page_hostile;
mod parking;
mod script_effects;
mod site_analysis;
mod takeover;

use beian_detect::{DetectContext, ExpectedFooter, PageAnalysis, PageInput, analyse_page};
use url::Url;

/// The bundled context on a fixed day, so year checks do not drift.
pub fn context() -> DetectContext {
    DetectContext::bundled(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a valid calendar date"),
    )
}

/// Analyses `html` as served at `url` for the site `owner`.
pub fn analyse(
    html: &str,
    url: &str,
    owner: &str,
    expected: Option<ExpectedFooter>,
) -> PageAnalysis {
    let input = PageInput {
        url: Some(Url::parse(url).expect("test URLs are valid")),
        persona: None,
        html,
        owner_domain: Some(owner.to_string()),
        expected_footer: expected,
    };
    analyse_page(&input, &context())
}
