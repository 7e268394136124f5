//! Reference → file: the site's URL map and static folders, aliases, relative
//! paths, own-domain URLs, glob patterns, and a by-name lookup for weak bare
//! file names. The outcome carries a status `check` can act on.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;

use globset::GlobBuilder;
use serde::Serialize;

use super::image_path::{is_external, path_part};
use super::site::{Framework, Site, Sites, is_github_rendered};
use super::tree::Tree;
use super::{Base, RawReference, RefKind, Strength};
use crate::choice_enum;
use crate::repo_path;

choice_enum! {
    /// What became of a reference.
    pub enum RefStatus: "reference status" {
        /// It names a file that exists.
        Ok = "ok",
        /// It names a file that does not exist.
        Missing = "missing",
        /// The file exists only with other letter case (breaks on Linux).
        CaseMismatch = "case-mismatch",
        /// An absolute URL to another origin.
        External = "external",
        /// The file exists, but the path lacks the site's base path, which
        /// the framework does not add here (Docusaurus JSX/HTML `src="/x"`
        /// under `baseUrl: '/docs/'`): broken in production.
        OutsideBase = "outside-base",
        /// It appears only inside code samples.
        CodeOnly = "code-only",
        /// A glob or dynamic template; `matches` lists the files it covers.
        Pattern = "pattern",
    }
}

impl RefStatus {
    /// Whether this is a broken reference.
    pub fn is_broken(self) -> bool {
        matches!(
            self,
            RefStatus::Missing | RefStatus::CaseMismatch | RefStatus::OutsideBase
        )
    }
}

/// A reference and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Reference {
    /// Repo-relative source file (`path` in JSON, as everywhere a position is given).
    #[serde(rename = "path")]
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Byte range in the source file.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// The text as written.
    pub raw: String,
    /// Where it came from.
    pub kind: RefKind,
    /// How specific it is.
    pub strength: Strength,
    /// Outcome (`state` in JSON, as `status` reports an asset's).
    #[serde(rename = "state")]
    pub status: RefStatus,
    /// The repo-relative file it names (for `missing`: where it was looked for first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// For `case-mismatch`: the file as it is spelled on disk; for
    /// `outside-base`: the path as it must be written, with the base path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// For patterns: the repo-relative glob.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// For patterns: the image files it covers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<String>,
}

/// Resolves references against the file system and the image index.
pub struct Resolver<'a> {
    tree: &'a Tree,
    sites: &'a Sites,
    images: &'a [String],
    by_name: HashMap<String, Vec<&'a str>>,
    glob_dirs: Vec<String>,
    /// Folder listings for letter-case checks (rare), shared by the threads.
    listings: Mutex<HashMap<String, Vec<String>>>,
}

impl<'a> Resolver<'a> {
    /// A resolver over the repository at `root`, with `images` every image
    /// file known (repo-relative, sorted).
    pub fn new(tree: &'a Tree, sites: &'a Sites, images: &'a [String]) -> Self {
        let mut by_name: HashMap<String, Vec<&str>> = HashMap::new();
        for image in images {
            by_name
                .entry(repo_path::file_name(image).to_ascii_lowercase())
                .or_default()
                .push(image);
        }
        Resolver {
            tree,
            sites,
            images,
            by_name,
            glob_dirs: Vec::new(),
            listings: Mutex::new(HashMap::new()),
        }
    }

    /// Resolves every file's references: patterns first, so that weak bare
    /// names can be looked up in the folders the globs cover.
    pub fn resolve_all(&mut self, files: &[(&str, &[RawReference])]) -> Vec<Reference> {
        let mut out = Vec::new();
        for (file, references) in files {
            for raw in references
                .iter()
                .filter(|r| r.strength == Strength::Pattern)
            {
                let resolved = self.resolve(file, raw);
                if let Some(pattern) = &resolved.pattern {
                    self.glob_dirs.push(static_prefix(pattern));
                }
                out.push(resolved);
            }
        }
        let this = &*self;
        out.par_extend(
            files
                .par_iter()
                .flat_map_iter(|(file, references)| this.resolve_file(file, references)),
        );
        fn key(r: &Reference) -> (&str, usize, usize) {
            (r.file.as_str(), r.start, r.end)
        }
        // Files come sorted, each with its references in order: only
        // pattern references, resolved first, need moving.
        if !out.is_sorted_by(|a, b| key(a) <= key(b)) {
            out.sort_by(|a, b| key(a).cmp(&key(b)));
        }
        out
    }

    /// Resolves a file's non-pattern references. The same text written twice
    /// in one file resolves the same way, so each is looked up once.
    fn resolve_file(&self, file: &str, references: &[RawReference]) -> Vec<Reference> {
        type Key<'r> = (&'r str, RefKind, Base, Strength, bool);
        // Where each text was first resolved in `out`.
        let mut first: HashMap<Key<'_>, usize> = HashMap::new();
        let mut out: Vec<Reference> = Vec::with_capacity(references.len());
        for raw in references
            .iter()
            .filter(|r| r.strength != Strength::Pattern)
        {
            let key = (
                raw.raw.as_str(),
                raw.kind,
                raw.base,
                raw.strength,
                raw.in_code,
            );
            let reference = match first.get(&key) {
                Some(&at) => {
                    let mut again = out[at].clone();
                    again.line = raw.line;
                    again.column = raw.column;
                    again.start = raw.start;
                    again.end = raw.end;
                    again
                }
                None => {
                    first.insert(key, out.len());
                    self.resolve(file, raw)
                }
            };
            out.push(reference);
        }
        out
    }

    /// Resolves one reference made in `file`.
    pub fn resolve(&self, file: &str, raw: &RawReference) -> Reference {
        let mut site = self.sites.site_of(file);
        let mut reference = Reference {
            file: file.to_owned(),
            line: raw.line,
            column: raw.column,
            start: raw.start,
            end: raw.end,
            raw: raw.raw.clone(),
            kind: raw.kind,
            strength: raw.strength,
            status: RefStatus::Missing,
            target: None,
            actual: None,
            pattern: None,
            matches: Vec::new(),
        };
        let mut github = is_github_rendered(file);
        let path = if is_external(raw.raw.trim()) {
            // A URL on one of the sites' own origins names a file of that site.
            let Some((owner, path)) = self.own_origin(&raw.raw, site) else {
                reference.status = RefStatus::External;
                return reference;
            };
            site = owner;
            github = false;
            // The origin carries the base path: what follows is site-relative.
            Local {
                path,
                base_applied: true,
            }
        } else if let Some(rest) = static_placeholder(&raw.raw) {
            // The build writes the static folder's URL, base path included.
            Local {
                path: decoded(rest),
                base_applied: true,
            }
        } else {
            Local {
                path: decoded(&raw.raw),
                base_applied: false,
            }
        };
        let candidates = self.candidates(file, site, raw, &path, github);
        if raw.strength == Strength::Pattern {
            if let Some(pattern) = candidates.first() {
                reference.matches = self.glob_matches(pattern);
                reference.pattern = Some(pattern.clone());
            }
            reference.status = RefStatus::Pattern;
            return reference;
        }
        let found = candidates.iter().position(|c| self.is_file(c));
        let mut candidates = candidates;
        let found = found.map(|at| candidates.swap_remove(at));
        match found {
            Some(target) => {
                reference.target = Some(target);
                reference.status = RefStatus::Ok;
                if !github && lacks_base_path(site, raw, &path) {
                    reference.status = RefStatus::OutsideBase;
                    reference.actual = Some(format!("{}{}", site.base_prefix(), path.path));
                }
            }
            None => {
                if let Some((wanted, actual)) = candidates
                    .iter()
                    .find_map(|c| self.case_insensitive(c).map(|a| (c.clone(), a)))
                {
                    reference.target = Some(wanted);
                    reference.actual = Some(actual);
                    reference.status = RefStatus::CaseMismatch;
                } else if let Some(target) = self.by_basename(raw, &path.path) {
                    reference.target = Some(target);
                    reference.status = RefStatus::Ok;
                } else {
                    reference.target = candidates.first().cloned();
                }
            }
        }
        if raw.in_code {
            reference.status = RefStatus::CodeOnly;
        }
        reference
    }

    /// The site whose own origin `url` is on, and the path after it; `None`
    /// for any other URL (another domain, or another path on the same domain).
    fn own_origin(&self, url: &str, nearest: &'a Site) -> Option<(&'a Site, String)> {
        let url = url.trim();
        let sites = std::iter::once(nearest).chain(self.sites.all().iter());
        for site in sites {
            for origin in &site.origins {
                if let Some(rest) = url.strip_prefix(origin.value.as_str())
                    && (rest.starts_with('/') || rest.is_empty())
                {
                    return Some((site, decoded(rest)));
                }
            }
        }
        None
    }

    /// Where a path could live, most likely first.
    fn candidates(
        &self,
        file: &str,
        site: &Site,
        raw: &RawReference,
        local: &Local,
        github: bool,
    ) -> Vec<String> {
        let path = local.path.as_str();
        let mut out = Vec::new();
        let mut push = |candidate: Option<String>| {
            if let Some(c) = candidate
                && !c.is_empty()
                && !out.contains(&c)
            {
                out.push(c);
            }
        };
        let file_dir = repo_path::parent(file);
        if let Some(rest) = path.strip_prefix('/') {
            if github {
                // GitHub resolves `/x` from the repository root.
                push(repo_path::resolve("", rest));
                return out;
            }
            // Vite resolves a glob's `/` from the project root, not the URL root.
            if raw.kind == RefKind::Glob {
                push(repo_path::resolve(&site.root, rest));
                return out;
            }
            let path = strip_base(site, path).unwrap_or(path);
            let rest = path.trim_start_matches('/');
            for (prefix, dir) in &site.url_map {
                if let Some(tail) = path.strip_prefix(prefix.as_str()) {
                    push(repo_path::resolve(dir, tail.trim_start_matches('/')));
                }
            }
            if raw.base == Base::Static || raw.kind == RefKind::Config {
                for dir in site.static_dirs() {
                    push(repo_path::resolve(dir, rest));
                }
            }
            // A site with no public folder serves its own files.
            if site.serves_root {
                push(repo_path::resolve(&site.root, rest));
            }
            // What Vite builds falls back to its project root.
            if let Some(vite_root) = site.vite_root(raw.kind) {
                push(repo_path::resolve(vite_root, rest));
            }
            // Next.js serves App Router metadata files (`app/icon.svg`) at `/icon.svg`.
            if let Some(app) = &site.app_dir
                && let Some(candidate) = repo_path::resolve(app, rest)
                && site.serves_by_convention(&candidate)
            {
                push(Some(candidate));
            }
            return out;
        }
        for alias in &site.aliases {
            if let Some(tail) = path.strip_prefix(alias.prefix.as_str()) {
                push(repo_path::resolve(&alias.dir, tail));
                return out;
            }
        }
        let dotted = path.starts_with("./") || path.starts_with("../");
        match raw.base {
            _ if github => push(repo_path::resolve(file_dir, path)),
            Base::File => {
                push(repo_path::resolve(file_dir, path));
                if !dotted {
                    if matches!(raw.kind, RefKind::EsmImport | RefKind::Require)
                        && let Some(base) = &site.tsconfig_base
                    {
                        push(repo_path::resolve(base, path));
                    }
                    push(repo_path::resolve(&site.root, path));
                    if raw.kind == RefKind::Manifest {
                        for dir in site.static_dirs() {
                            push(repo_path::resolve(dir, path));
                        }
                    }
                }
            }
            Base::Static => {
                for dir in site.static_dirs() {
                    push(repo_path::resolve(dir, path));
                }
            }
            Base::Site => push(repo_path::resolve(&site.root, path)),
            Base::Assets => push(repo_path::resolve(&site.asset_dir(), path)),
        }
        out
    }

    /// Whether an image exists at `path`: the images the scan listed answer
    /// without a system call; only a path they lack (an ignored file) is asked
    /// of the tree.
    fn is_file(&self, path: &str) -> bool {
        self.images
            .binary_search_by(|image| image.as_str().cmp(path))
            .is_ok()
            || self.tree.is_file(path)
    }

    /// The path as spelled on disk when it exists only with other letter case.
    fn case_insensitive(&self, path: &str) -> Option<String> {
        let mut actual = String::new();
        for part in path.split('/') {
            let found = {
                let mut listings = self.listings.lock().unwrap_or_else(|p| p.into_inner());
                let names = listings
                    .entry(actual.clone())
                    .or_insert_with(|| self.tree.list_dir(&actual));
                names
                    .iter()
                    .find(|n| *n == part)
                    .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(part)))?
                    .clone()
            };
            actual = repo_path::join(&actual, &found);
        }
        (actual != path && self.tree.is_file(&actual)).then_some(actual)
    }

    /// A weak bare name: look it up by base name in glob-covered folders first,
    /// then anywhere, taking it only when the name is unambiguous there.
    fn by_basename(&self, raw: &RawReference, path: &str) -> Option<String> {
        if raw.strength != Strength::WeakBasename {
            return None;
        }
        let name = repo_path::file_name(path).to_ascii_lowercase();
        let hits = self.by_name.get(&name)?;
        let in_globs: Vec<&&str> = hits
            .iter()
            .filter(|h| {
                self.glob_dirs
                    .iter()
                    .any(|d| repo_path::is_within(h, d) || d.is_empty())
            })
            .collect();
        match (in_globs.as_slice(), hits.as_slice()) {
            ([one], _) => Some((**one).to_owned()),
            ([first, ..], _) => Some((**first).to_owned()),
            ([], [only]) => Some((*only).to_owned()),
            ([], [first, ..]) => Some((*first).to_owned()),
            ([], []) => None,
        }
    }

    fn glob_matches(&self, pattern: &str) -> Vec<String> {
        let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() else {
            return Vec::new();
        };
        let matcher = glob.compile_matcher();
        self.images
            .iter()
            .filter(|i| matcher.is_match(i.as_str()))
            .cloned()
            .collect()
    }
}

/// A local path a reference names, decoded, without query or loader prefix.
struct Local {
    path: String,
    /// It came from an own-origin URL, which already carries the base path.
    base_applied: bool,
}

/// The path part of a reference, percent-decoded.
fn decoded(raw: &str) -> String {
    let path = path_part(raw);
    if !path.contains('%') {
        return path.to_owned();
    }
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// Placeholders a build replaces with the URL of the static folder:
/// SvelteKit's `%sveltekit.assets%` in `src/app.html`, Create React App's
/// `%PUBLIC_URL%` in `public/index.html`.
const STATIC_PLACEHOLDERS: &[&str] = &["%sveltekit.assets%", "%PUBLIC_URL%"];

/// `/favicon.png` from `%sveltekit.assets%/favicon.png`.
fn static_placeholder(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    STATIC_PLACEHOLDERS
        .iter()
        .find_map(|p| raw.strip_prefix(p))
        .filter(|rest| rest.starts_with('/'))
}

/// `path` without the site's base path (`/docs/img/x.png` → `/img/x.png`),
/// when it starts with it.
fn strip_base<'p>(site: &Site, path: &'p str) -> Option<&'p str> {
    let base = site.base_prefix();
    if base.is_empty() {
        return None;
    }
    let rest = path.strip_prefix(base)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Whether a root-absolute path needs the site's base path and lacks it.
/// Docusaurus adds `baseUrl` to Markdown images, config keys, front matter
/// and `useBaseUrl()`, but not to a JSX or HTML `src="/x"`; Jekyll adds
/// `baseurl` only where a template says so (`relative_url`,
/// `{{ site.baseurl }}`), never to a Markdown image or HTML. Under a
/// non-root base path such a path loads from outside the site.
fn lacks_base_path(site: &Site, raw: &RawReference, local: &Local) -> bool {
    let unprefixed = match site.framework {
        Framework::Docusaurus => matches!(raw.kind, RefKind::JsxAttr | RefKind::HtmlAttr),
        Framework::Jekyll => matches!(
            raw.kind,
            RefKind::HtmlAttr | RefKind::MdImage | RefKind::MdDefinition
        ),
        _ => false,
    };
    unprefixed
        && !site.base_prefix().is_empty()
        && !local.base_applied
        && local.path.starts_with('/')
        && strip_base(site, &local.path).is_none()
}

/// The folder part of a glob before its first wildcard.
fn static_prefix(pattern: &str) -> String {
    let cut = pattern.find(['*', '{', '?', '[']).unwrap_or(pattern.len());
    let head = &pattern[..cut];
    match head.rfind('/') {
        Some(i) => head[..i].to_owned(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_folder_placeholders() {
        assert_eq!(
            static_placeholder("%PUBLIC_URL%/favicon.ico"),
            Some("/favicon.ico")
        );
        assert_eq!(
            static_placeholder(" %sveltekit.assets%/img/a.png"),
            Some("/img/a.png")
        );
        assert_eq!(static_placeholder("%PUBLIC_URL%favicon.ico"), None);
        assert_eq!(static_placeholder("/favicon.ico"), None);
    }

    #[test]
    fn static_prefixes() {
        assert_eq!(
            static_prefix("src/assets/showcase/*.{png,jpg}"),
            "src/assets/showcase"
        );
        assert_eq!(static_prefix("*.png"), "");
        assert_eq!(static_prefix("public/avatars/*.png"), "public/avatars");
    }
}
