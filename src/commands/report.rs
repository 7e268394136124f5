//! `assetrail report --html OUT`: the audit page a reviewer opens — every
//! asset with its thumbnail, how it was made, what it cost and to whom, where
//! it is used, what `check` says about it, and its lineage. The page itself is
//! drawn by [`crate::audit_page`]; this module gathers what it shows.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::asset_state::State;
use crate::atomic::{self, Existing};
use crate::audit_page::{self, Card, Lineage, Page, Place};
use crate::check::{CheckOptions, check};
use crate::commands::cost::{self, CostBy};
use crate::commands::status;
use crate::error::{Error, Result};
use crate::output::{Report, Style};
use crate::scan::resolve::RefStatus;
use crate::scan::walk;
use crate::workspace::Workspace;

/// Longest edge of the thumbnails embedded in the page, in pixels.
const THUMBNAIL_EDGE: u32 = 128;

/// What `report` wrote.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AuditReport {
    /// The page written.
    pub html: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Assets on it.
    pub assets: usize,
    /// `check` findings shown on it.
    pub findings: usize,
}

impl Report for AuditReport {
    fn write_text(&self, out: &mut dyn Write, _style: &Style) -> io::Result<()> {
        writeln!(
            out,
            "wrote {} ({} assets, {} findings, {} KB)",
            self.html,
            self.assets,
            self.findings,
            self.bytes.div_ceil(1024)
        )
    }
}

/// Runs `report --html OUT`.
pub fn run(ws: &Workspace, out: &Path) -> Result<AuditReport> {
    let manifest = ws.load_manifest()?;
    let states: BTreeMap<String, State> = status::run(ws)?
        .assets
        .into_iter()
        .map(|a| (a.path, a.state))
        .collect();
    let outcome = check(ws, &CheckOptions::default())?;
    let scan = walk::scan(ws, &[])?;
    let mut places: BTreeMap<&str, Vec<Place>> = BTreeMap::new();
    for reference in &scan.references {
        let targets: Vec<&String> = match reference.status {
            RefStatus::Ok | RefStatus::CodeOnly => reference.target.iter().collect(),
            RefStatus::Pattern => reference.matches.iter().collect(),
            _ => Vec::new(),
        };
        for target in targets {
            places.entry(target.as_str()).or_default().push(Place {
                file: reference.file.clone(),
                line: reference.line,
                pattern: reference.status == RefStatus::Pattern,
            });
        }
    }
    let mut findings: BTreeMap<&str, Vec<&crate::check::Finding>> = BTreeMap::new();
    for finding in &outcome.findings {
        let about = finding.asset.as_deref().unwrap_or(&finding.path);
        findings.entry(about).or_default().push(finding);
    }
    // A parent is on the page when it names a recorded entry's id, or is a
    // recorded entry's path with the same bytes (an edit input, say).
    let ids: BTreeSet<&str> = manifest.assets.iter().map(|e| e.id.as_str()).collect();
    let by_content: BTreeMap<(&str, &str), &str> = manifest
        .assets
        .iter()
        .map(|e| ((e.path.as_str(), e.sha256.as_str()), e.id.as_str()))
        .collect();
    let card_of = |parent: &crate::manifest::Parent| -> Option<String> {
        parent
            .id
            .as_deref()
            .filter(|id| ids.contains(id))
            .or_else(|| {
                by_content
                    .get(&(parent.path.as_str(), parent.sha256.as_str()))
                    .copied()
            })
            .map(str::to_owned)
    };
    let mut children: BTreeMap<String, Vec<Lineage>> = BTreeMap::new();
    for entry in &manifest.assets {
        for parent in &entry.parents {
            if let Some(id) = card_of(parent) {
                children.entry(id).or_default().push(Lineage {
                    path: entry.path.clone(),
                    id: Some(entry.id.clone()),
                    role: parent.role.to_string(),
                    sha256: entry.sha256.clone(),
                });
            }
        }
    }
    let root = ws.root();
    let cards: Vec<Card> = manifest
        .assets
        .par_iter()
        .map(|entry| Card {
            thumbnail: thumbnail(&root.join(&entry.path)),
            state: states.get(&entry.path).copied().unwrap_or(State::Missing),
            places: places.get(entry.path.as_str()).cloned().unwrap_or_default(),
            findings: findings
                .get(entry.path.as_str())
                .map(|f| f.iter().map(|f| (*f).clone()).collect())
                .unwrap_or_default(),
            parents: entry
                .parents
                .iter()
                .map(|p| Lineage {
                    path: p.path.clone(),
                    id: card_of(p),
                    role: p.role.to_string(),
                    sha256: p.sha256.clone(),
                })
                .collect(),
            children: children.get(&entry.id).cloned().unwrap_or_default(),
            entry: entry.clone(),
        })
        .collect();
    let page = Page {
        title: ws
            .root()
            .file_name()
            .map_or_else(|| "assets".to_owned(), |n| n.to_string_lossy().into_owned()),
        generated_at: jiff::Timestamp::now()
            .strftime("%Y-%m-%d %H:%M UTC")
            .to_string(),
        head: ws.git.head_commit().ok().flatten(),
        cost: cost::run(ws, CostBy::Credit, None)?,
        problems: outcome.problems.len(),
        cards,
    };
    let html = audit_page::render(&page);
    let target = absolute(out)?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    atomic::write(&target, html.as_bytes(), Existing::Replace)?;
    Ok(AuditReport {
        html: out.display().to_string(),
        bytes: html.len() as u64,
        assets: page.cards.len(),
        findings: page.cards.iter().map(|c| c.findings.len()).sum(),
    })
}

/// `out` as given, made absolute against the current folder.
fn absolute(out: &Path) -> Result<PathBuf> {
    std::path::absolute(out).map_err(|e| Error::io(out, e))
}

/// The image as a `data:` URL no larger than it needs to be: a small JPEG
/// thumbnail, or the file itself when it is a web image smaller than that;
/// `None` when the file is missing or not an image assetrail can read (a Git
/// LFS pointer, say).
fn thumbnail(abs: &Path) -> Option<String> {
    use base64::Engine as _;
    let bytes = std::fs::read(abs).ok()?;
    let format = image::guess_format(&bytes).ok()?;
    let image = image::load_from_memory_with_format(&bytes, format).ok()?;
    let small = image.thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE).to_rgba8();
    // JPEG has no alpha: transparent pixels are shown on white.
    let flat = image::RgbImage::from_fn(small.width(), small.height(), |x, y| {
        let [r, g, b, a] = small.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 60)
        .encode_image(&flat)
        .ok()?;
    let web_original = matches!(
        format,
        image::ImageFormat::Png | image::ImageFormat::Jpeg | image::ImageFormat::WebP
    ) && image.width() <= THUMBNAIL_EDGE
        && image.height() <= THUMBNAIL_EDGE;
    let (mime, data) = if web_original && bytes.len() <= jpeg.len() {
        (format.to_mime_type(), bytes)
    } else {
        ("image/jpeg", jpeg)
    };
    Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(data)
    ))
}
