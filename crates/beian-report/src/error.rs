//! What can go wrong while producing a document. Every message names the input and the fix,
//! Chinese first.

use std::path::PathBuf;

/// The Debian packages that provide a usable CJK font; named in every font error.
pub const FONT_PACKAGES: &str = "fonts-noto-cjk 或 fonts-wqy-microhei";

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "找不到中文字体（已查找 {searched}）/ no CJK font found (searched {searched}); \
         修复 / fix: 安装 {FONT_PACKAGES}（apt-get install fonts-noto-cjk），或设置 BEIAN_PDF_FONT 指向 .ttc/.ttf/.otf 字体文件 \
         / install fonts-noto-cjk or fonts-wqy-microhei, or point BEIAN_PDF_FONT at a .ttc/.ttf/.otf font file"
    )]
    NoCjkFont { searched: String },

    #[error(
        "字体 {path} 不可用：{reason} / font {path} is unusable: {reason}; \
         修复 / fix: 让 BEIAN_PDF_FONT 指向含中文字形的 TrueType/OpenType 字体，或安装 {FONT_PACKAGES} \
         / point BEIAN_PDF_FONT at a TrueType/OpenType font with Chinese glyphs, or install fonts-noto-cjk or fonts-wqy-microhei"
    )]
    BadFont { path: PathBuf, reason: String },

    #[error(
        "无法读取字体 {path}：{source} / cannot read font {path}; 修复 / fix: 检查文件权限，或安装 {FONT_PACKAGES} \
         / check its permissions, or install fonts-noto-cjk or fonts-wqy-microhei"
    )]
    FontIo {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "字体 {path} 无法子集化嵌入 PDF：{reason} / font {path} cannot be subset for the PDF: {reason}; \
         修复 / fix: 用 BEIAN_PDF_FONT 换一个字体（如 fonts-wqy-microhei 的 wqy-microhei.ttc） \
         / choose another font with BEIAN_PDF_FONT (e.g. wqy-microhei.ttc from fonts-wqy-microhei)"
    )]
    Subset { path: PathBuf, reason: String },

    #[error(
        "无法写入 {path}：{source} / cannot write {path}; 修复 / fix: 确认目录存在且可写 \
         / check that the directory exists and is writable"
    )]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "证据包目录 {path} 不是空目录 / evidence bundle directory {path} is not empty; \
         修复 / fix: 换一个新目录，证据包不与旧文件混放 / choose a new directory: a bundle must not mix with older files"
    )]
    BundleDirNotEmpty { path: PathBuf },

    #[error(
        "证据包文件名 {name} 无效 / invalid bundle file name {name}; 修复 / fix: 只用字母、数字、点、横线与下划线 \
         / use letters, digits, dots, dashes and underscores only"
    )]
    BundleName { name: String },

    #[error("XLSX 生成失败：{0} / cannot build the XLSX workbook")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),

    #[error("DOCX 打包失败：{0} / cannot build the DOCX package")]
    Docx(#[from] zip::result::ZipError),

    #[error("JSON 序列化失败：{0} / cannot serialise JSON")]
    Json(#[from] serde_json::Error),
}
