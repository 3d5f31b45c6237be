//! Finding a CJK font on the system for the PDF writer. We embed a subset of a system font
//! rather than ship one: Noto Sans CJK and WenQuanYi Micro Hei are one `apt-get` away
//! (fonts-noto-cjk, fonts-wqy-microhei), and a bundled font would add megabytes to the binary.
//!
//! Search order: the override (`BEIAN_PDF_FONT` or the config, a file or a directory), else
//! the fontconfig directories (`$XDG_DATA_HOME/fonts`, `~/.local/share/fonts`, `~/.fonts`,
//! `/usr/local/share/fonts`, `/usr/share/fonts`) for the well-known CJK files by name. An
//! override that does not work is an error, never a silent fallback: the user asked for it.

use std::path::{Path, PathBuf};

use ttf_parser::{Face, name_id};

use crate::error::ReportError;

/// The environment variable naming a font file or directory to use.
pub const FONT_ENV: &str = "BEIAN_PDF_FONT";

/// Known CJK font files, best first: Simplified-Chinese Noto Sans, then WenQuanYi, then
/// the rest. Only these are considered in the system directories, so an unrelated font
/// is never picked by accident.
const PREFERRED: [&str; 9] = [
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansSC-Regular.ttf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "NotoSerifCJK-Regular.ttc",
    "NotoSerifCJKsc-Regular.otf",
    "DroidSansFallbackFull.ttf",
];

/// Characters a usable font must have: any CJK font has them, a Latin one does not.
const PROBE: [char; 4] = ['中', '备', '案', '注'];
/// Font directories nest (`/usr/share/fonts/opentype/noto/…`), but not deeply.
const MAX_DEPTH: usize = 5;

/// Whether glyph outlines are TrueType (`glyf`) or CFF: they embed differently in PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outlines {
    TrueType,
    Cff,
}

/// A loaded font face with Chinese glyphs, ready for the PDF writer.
#[derive(Debug, Clone)]
pub struct CjkFont {
    path: PathBuf,
    data: Vec<u8>,
    index: u32,
    family: String,
    postscript_name: String,
    outlines: Outlines,
}

impl CjkFont {
    /// The override when given (a file or a directory), else the system directories.
    pub fn discover(override_path: Option<&Path>) -> Result<CjkFont, ReportError> {
        match override_path {
            Some(path) if path.is_dir() => from_directory(path),
            Some(path) => CjkFont::load(path),
            None => {
                let dirs = system_font_dirs();
                let found = preferred_files(&dirs);
                let mut last_error = None;
                for path in found {
                    match CjkFont::load(&path) {
                        Ok(font) => return Ok(font),
                        Err(error) => last_error = Some(error),
                    }
                }
                Err(last_error.unwrap_or_else(|| ReportError::NoCjkFont {
                    searched: dirs
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                }))
            }
        }
    }

    /// Loads one font file (`.ttf`, `.otf`, `.ttc`, `.otc`), choosing the collection face
    /// with Chinese glyphs, Simplified Chinese preferred.
    pub fn load(path: &Path) -> Result<CjkFont, ReportError> {
        let data = std::fs::read(path).map_err(|source| ReportError::FontIo {
            path: path.to_owned(),
            source,
        })?;
        let bad = |reason: &str| ReportError::BadFont {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        let count = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
        let mut best: Option<(i32, u32, Face<'_>)> = None;
        let mut parsed_any = false;
        for index in 0..count {
            let Ok(face) = Face::parse(&data, index) else {
                continue;
            };
            parsed_any = true;
            if !PROBE.iter().all(|c| face.glyph_index(*c).is_some()) {
                continue;
            }
            if face.tables().glyf.is_none() && face.tables().cff.is_none() {
                continue;
            }
            let score = face_score(&face);
            if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                best = Some((score, index, face));
            }
        }
        let Some((_, index, face)) = best else {
            return Err(if parsed_any {
                bad(
                    "没有中文字形，或字形为不支持的 CFF2 格式 / it has no Chinese glyphs, or only CFF2 outlines",
                )
            } else {
                bad("不是 TrueType/OpenType 字体文件 / not a TrueType or OpenType font file")
            });
        };
        let family = name(&face, name_id::TYPOGRAPHIC_FAMILY)
            .or_else(|| name(&face, name_id::FAMILY))
            .unwrap_or_else(|| "CJK".to_owned());
        let postscript_name = name(&face, name_id::POST_SCRIPT_NAME)
            .map(|n| sanitise_ps_name(&n))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "CJKFont".to_owned());
        let outlines = if face.tables().glyf.is_some() {
            Outlines::TrueType
        } else {
            Outlines::Cff
        };
        Ok(CjkFont {
            path: path.to_owned(),
            data,
            index,
            family,
            postscript_name,
            outlines,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The family name, e.g. `Noto Sans CJK SC`.
    pub fn family(&self) -> &str {
        &self.family
    }

    pub fn outlines(&self) -> Outlines {
        self.outlines
    }

    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    pub(crate) fn postscript_name(&self) -> &str {
        &self.postscript_name
    }

    /// The face again; it parsed when the font was loaded, so this cannot fail unless the
    /// bytes changed, which they cannot (they are owned).
    pub(crate) fn face(&self) -> Result<Face<'_>, ReportError> {
        Face::parse(&self.data, self.index).map_err(|e| ReportError::BadFont {
            path: self.path.clone(),
            reason: e.to_string(),
        })
    }
}

/// Simplified Chinese first; monospaced and other-region faces of a collection last.
fn face_score(face: &Face<'_>) -> i32 {
    let names: Vec<String> = [name_id::FAMILY, name_id::TYPOGRAPHIC_FAMILY]
        .into_iter()
        .filter_map(|id| name(face, id))
        .collect();
    let mut score = 0;
    if names
        .iter()
        .any(|n| n.ends_with(" SC") || n.contains(" SC ") || n.contains("简"))
    {
        score += 2;
    }
    if names.iter().any(|n| n.contains("Mono")) {
        score -= 1;
    }
    score
}

fn name(face: &Face<'_>, id: u16) -> Option<String> {
    face.names()
        .into_iter()
        .filter(|n| n.name_id == id)
        .find_map(|n| n.to_string())
}

/// PostScript names are printable ASCII without delimiters (PDF name syntax).
fn sanitise_ps_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(60)
        .collect()
}

/// Where fontconfig looks by default on Linux.
pub fn system_font_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        dirs.push(PathBuf::from(data).join("fonts"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        let home = PathBuf::from(home);
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
    }
    dirs.push(PathBuf::from("/usr/local/share/fonts"));
    dirs.push(PathBuf::from("/usr/share/fonts"));
    dirs
}

/// The preferred files found under `dirs`, best first.
fn preferred_files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: Vec<(usize, PathBuf)> = Vec::new();
    for dir in dirs {
        walk(dir, 0, &mut |path| {
            let rank = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| PREFERRED.iter().position(|p| *p == n));
            if let Some(rank) = rank {
                found.push((rank, path.to_owned()));
            }
        });
    }
    found.sort();
    found.into_iter().map(|(_, path)| path).collect()
}

/// A directory the user named: the preferred files first, then any font file in it.
fn from_directory(dir: &Path) -> Result<CjkFont, ReportError> {
    let mut candidates = preferred_files(&[dir.to_owned()]);
    let mut others = Vec::new();
    walk(dir, 0, &mut |path| {
        let is_font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["ttf", "otf", "ttc", "otc"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        });
        if is_font {
            others.push(path.to_owned());
        }
    });
    others.sort();
    candidates.extend(others);
    candidates
        .iter()
        .find_map(|path| CjkFont::load(path).ok())
        .ok_or_else(|| ReportError::BadFont {
            path: dir.to_owned(),
            reason: "目录中没有含中文字形的字体文件 / the directory holds no font file with Chinese glyphs"
                .to_owned(),
        })
}

/// Visits the files under `dir`; unreadable directories are skipped (font directories are
/// often partly private), symlinked directories are not followed (no cycles).
fn walk(dir: &Path, depth: usize, visit: &mut dyn FnMut(&Path)) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, depth + 1, visit);
        } else {
            visit(&path);
        }
    }
}
