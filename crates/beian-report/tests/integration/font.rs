//! Font discovery: the system font, and clear errors when the override is no CJK font.

use beian_report::{CjkFont, ReportError};

#[test]
fn the_system_has_a_cjk_font() {
    let font = crate::support::system_font();
    assert!(
        font.family().contains("CJK") || font.family().contains("WenQuanYi"),
        "unexpected family {}",
        font.family()
    );
}

#[test]
fn noto_collection_picks_the_simplified_chinese_face() {
    let path = std::path::Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    if !path.exists() {
        return;
    }
    let font = CjkFont::load(path).expect("Noto Sans CJK loads");
    assert_eq!(font.family(), "Noto Sans CJK SC");
}

fn expect_bad_font(result: Result<CjkFont, ReportError>) -> String {
    let error = result.expect_err("not a usable font");
    assert!(matches!(error, ReportError::BadFont { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("fonts-noto-cjk") && message.contains("fonts-wqy-microhei"),
        "the message must name the packages: {message}"
    );
    assert!(message.contains("BEIAN_PDF_FONT"), "{message}");
    message
}

#[test]
fn an_override_that_is_not_a_font_is_an_error_naming_the_packages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("font.ttf");
    std::fs::write(&file, b"not a font at all").expect("write");
    let message = expect_bad_font(CjkFont::discover(Some(&file)));
    assert!(message.contains("font.ttf"), "names the file: {message}");
}

#[test]
fn an_override_directory_without_cjk_fonts_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("readme.txt"), b"no fonts here").expect("write");
    expect_bad_font(CjkFont::discover(Some(dir.path())));
}

#[test]
fn a_latin_only_font_is_refused() {
    let latin = std::path::Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    if !latin.exists() {
        return;
    }
    let message = expect_bad_font(CjkFont::discover(Some(latin)));
    assert!(message.contains("Chinese glyphs"), "{message}");
}

#[test]
fn a_missing_override_file_is_an_error() {
    let error = CjkFont::discover(Some(std::path::Path::new("/nonexistent/font.ttc")))
        .expect_err("missing file");
    assert!(matches!(error, ReportError::FontIo { .. }), "{error:?}");
    assert!(error.to_string().contains("fonts-noto-cjk"));
}

#[test]
fn the_no_font_error_names_the_packages() {
    let message = ReportError::NoCjkFont {
        searched: "/usr/share/fonts".to_owned(),
    }
    .to_string();
    assert!(message.contains("fonts-noto-cjk") && message.contains("fonts-wqy-microhei"));
    assert!(message.contains("/usr/share/fonts"));
}
